/**
 * One pass, streaming, stage after stage (../shared/DESIGN.md):
 * capture/ → decode/ → tcp/ → (smtp/ → rules/) → report model.
 * This module only composes the stages; each stage's work lives in its folder.
 */
import { readCaptures } from './capture/index.js';
import type { CaptureSummary, Packet } from './capture/types.js';
import { createDecoder } from './decode/index.js';
import type { DecodeStats } from './decode/index.js';
import { createFlowTable } from './tcp/index.js';
import type { Flow, StreamEvent, CloseReason, HalfStats, Endpoint } from './tcp/events.js';
import type { Precision, Time } from './util/time.js';

export interface PipelineOptions {
  /** SMTP server ports. */
  ports: readonly number[];
  /** Extra listener for every stream event (used by the smtp stage and by tests). */
  onStreamEvent?: (ev: StreamEvent) => void;
  /** Called for each packet before decoding (progress, live --write). */
  onPacket?: (p: Packet) => void;
  /** Called for each TCP segment with the tcp.stream it was given (differential tests). */
  onSegmentStream?: (frame: number, tcpStream: number) => void;
}

/** What the TCP stage knew about one flow when it closed: issue 2's per-flow report. */
export interface FlowSummary {
  tcpStream: number;
  client: Endpoint;
  server: Endpoint;
  roleBy: Flow['roleBy'];
  sawSyn: boolean;
  firstFrame: number;
  lastFrame: number;
  frames: number;
  firstTime: Time;
  lastTime: Time;
  closedBy: CloseReason;
  c2s: HalfStats;
  s2c: HalfStats;
}

export interface PipelineResult {
  inputs: CaptureSummary[];
  decode: DecodeStats;
  /** Flows whose server port is one of the SMTP ports, in tcp.stream order. */
  flows: FlowSummary[];
  precision: Precision;
}

export function summarizeFlow(flow: Flow, reason: CloseReason): FlowSummary {
  return {
    tcpStream: flow.tcpStream,
    client: flow.client,
    server: flow.server,
    roleBy: flow.roleBy,
    sawSyn: flow.sawSyn,
    firstFrame: flow.firstFrame,
    lastFrame: flow.lastFrame,
    frames: flow.frames,
    firstTime: flow.firstTime,
    lastTime: flow.lastTime,
    closedBy: reason,
    c2s: { ...flow.stats.c2s },
    s2c: { ...flow.stats.s2c },
  };
}

const PRECISION_RANK: Record<Precision, number> = { ms: 0, us: 1, ns: 2 };

export async function runPipeline(inputs: readonly string[], opts: PipelineOptions): Promise<PipelineResult> {
  const serverPorts = new Set(opts.ports);
  const flows: FlowSummary[] = [];
  let lastFrame = 0;
  let lastTime: Time = { sec: 0, nsec: 0 };

  const table = createFlowTable(
    (ev) => {
      if (ev.type === 'close' && serverPorts.has(ev.flow.server.port)) {
        flows.push(summarizeFlow(ev.flow, ev.reason));
      }
      opts.onStreamEvent?.(ev);
    },
    { isServerPort: (port) => serverPorts.has(port) },
  );
  const onSegmentStream = opts.onSegmentStream;
  const decoder = createDecoder({
    segment: onSegmentStream
      ? (s) => onSegmentStream(s.frame, table.segment(s))
      : (s) => {
          table.segment(s);
        },
  });
  const summaries = await readCaptures(
    [...inputs],
    (p) => {
      lastFrame = p.frame;
      lastTime = p.time;
      opts.onPacket?.(p);
      decoder.packet(p);
    },
  );
  decoder.flush();
  table.end(lastFrame, lastTime);
  flows.sort((a, b) => a.tcpStream - b.tcpStream);
  // Reports print times with the finest precision among the inputs.
  const precision = summaries.reduce<Precision>(
    (best, s) => (PRECISION_RANK[s.precision] > PRECISION_RANK[best] ? s.precision : best),
    'us',
  );
  return { inputs: summaries, decode: decoder.stats(), flows, precision };
}
