import type { Precision, Time } from '../util/time.js';
import type { CaptureDamage, CaptureFormat, CaptureSummary } from './types.js';

/**
 * Running totals for one input, shared by the readers. `first`/`last` are the
 * earliest and latest packet times (as capinfos computes its duration), not the
 * times of the first and last records, which differ when a capture is out of order.
 */
export class SummaryBuilder {
  packets = 0;
  bytes = 0;
  truncated = 0;
  private readonly linkTypes: number[] = [];
  private first: Time | null = null;
  private last: Time | null = null;
  damage: CaptureDamage | null = null;
  variant = '';
  precision: Precision = 'us';

  constructor(
    readonly file: string,
    readonly format: CaptureFormat,
  ) {}

  addLinkType(lt: number): void {
    if (!this.linkTypes.includes(lt)) this.linkTypes.push(lt);
  }

  /** Called once per packet; cheap (two comparisons in the common in-order case). */
  add(time: Time, captured: number, orig: number): void {
    this.packets++;
    this.bytes += captured;
    if (orig > captured) this.truncated++;
    const f = this.first;
    if (f === null) {
      this.first = time;
      this.last = time;
      return;
    }
    const l = this.last as Time;
    if (time.sec > l.sec || (time.sec === l.sec && time.nsec > l.nsec)) this.last = time;
    else if (time.sec < f.sec || (time.sec === f.sec && time.nsec < f.nsec)) this.first = time;
  }

  build(): CaptureSummary {
    return {
      file: this.file,
      format: this.format,
      variant: this.variant,
      precision: this.precision,
      linkTypes: [...this.linkTypes],
      packets: this.packets,
      bytes: this.bytes,
      first: this.first,
      last: this.last,
      truncatedPackets: this.truncated,
      damage: this.damage,
      drops: null,
    };
  }
}
