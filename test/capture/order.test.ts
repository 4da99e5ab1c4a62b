/** interface.md: several files are read as one capture in time order (rotated captures). */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { firstPacketTime, orderByFirstPacket } from '../../src/capture/index.js';
import { runPipeline } from '../../src/pipeline.js';
import { compareTime } from '../../src/util/time.js';
import { FIXTURES } from '../helpers/corpus.js';

const A = join(FIXTURES, 'captures/mission/relay-denied.pcap');
const B = join(FIXTURES, 'captures/real/postfix-plain.pcap');
const NG = join(FIXTURES, 'captures/variants/plain.editcap.pcapng');

describe('inputs are read in the order of their first packets', () => {
  it('finds the first packet time of pcap and pcapng files', async () => {
    const [ta, tb, tng] = await Promise.all([firstPacketTime(A), firstPacketTime(B), firstPacketTime(NG)]);
    expect(ta).not.toBeNull();
    expect(tb).not.toBeNull();
    expect(tng).toEqual(tb); // the same recording in another format
  });

  it('orders files given out of time order, stably, and numbers frames on across them', async () => {
    const [ta, tb] = [(await firstPacketTime(A))!, (await firstPacketTime(B))!];
    const [early, late] = compareTime(ta, tb) < 0 ? [A, B] : [B, A];
    expect(await orderByFirstPacket([late, early])).toEqual([early, late]);
    expect(await orderByFirstPacket([early, late])).toEqual([early, late]);
    const r = await runPipeline([late, early], { ports: [25, 2525], registry: [] });
    expect(r.inputs.map((i) => i.file)).toEqual([early, late]);
    const firstOfLate = r.inputs[0]!.packets + 1;
    const lateSession = r.sessions.find((s) => s.startFrame >= firstOfLate);
    expect(lateSession).toBeDefined();
  });

  it('keeps the given order when standard input is among the inputs', async () => {
    expect(await orderByFirstPacket([B, '-', A])).toEqual([B, '-', A]);
  });
});
