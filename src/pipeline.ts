/**
 * One pass, streaming, stage after stage (../shared/DESIGN.md):
 * capture/ → decode/ → tcp/ → smtp/ → rules/ → (report model, built by report/).
 * This module only composes the stages; each stage's work lives in its folder.
 */
import { orderByFirstPacket, readCaptures } from './capture/index.js';
import type { CaptureSummary, Packet, PacketCallback } from './capture/types.js';
import { createDecoder } from './decode/index.js';
import type { DecodeStats } from './decode/index.js';
import { createFlowTable } from './tcp/index.js';
import type { Flow, StreamEvent, CloseReason, HalfStats, Endpoint } from './tcp/events.js';
import { createSmtpAnalyzer, type SessionEvent, type SmtpSession } from './smtp/index.js';
import { createRuleEngine, RULES, type EngineOptions, type Finding, type Rule } from './rules/index.js';
import type { Precision, Time } from './util/time.js';
import { createSessionInterner } from './session-intern.js';

export interface PipelineOptions {
  /** SMTP server ports. */
  ports: readonly number[];
  /** Rule selection, thresholds, local domains. */
  rules?: EngineOptions;
  /** The rule registry (tests may pass a subset); default: every rule. */
  registry?: readonly Rule[];
  /** Extra listener for every stream event (differential tests). */
  onStreamEvent?: (ev: StreamEvent) => void;
  /** Called for each packet before decoding (progress, live --write). */
  onPacket?: (p: Packet) => void;
  /** Bytes of input read so far, once per read chunk (progress bars). */
  onProgress?: (bytesRead: number) => void;
  /** Called for each TCP segment with the tcp.stream it was given (differential tests). */
  onSegmentStream?: (frame: number, tcpStream: number) => void;
  /** Every session event, in order (streaming consumers, tests). */
  onSessionEvent?: (session: SmtpSession, ev: SessionEvent) => void;
  /** A finding, as soon as the engine settles it (live). */
  onFinding?: (f: Finding) => void;
  /** stdin source override (tests). */
  stdin?: AsyncIterable<Buffer | string>;
}

/** What the TCP stage knew about one flow when it closed. */
export interface FlowSummary {
  tcpStream: number;
  client: Endpoint;
  server: Endpoint;
  roleBy: Flow['roleBy'];
  sawSyn: boolean;
  sawSynAck: boolean;
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
  /** Flows on the SMTP ports or carrying an SMTP session, in tcp.stream order. */
  flows: FlowSummary[];
  sessions: SmtpSession[];
  findings: Finding[];
  precision: Precision;
}

export function summarizeFlow(flow: Flow, reason: CloseReason): FlowSummary {
  return {
    tcpStream: flow.tcpStream,
    client: flow.client,
    server: flow.server,
    roleBy: flow.roleBy,
    sawSyn: flow.sawSyn,
    sawSynAck: flow.sawSynAck,
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

/**
 * Where packets come from: called once, it delivers every packet synchronously to
 * `onPacket` (data BORROWED, as capture/types.ts Packet says) with frames numbered
 * from 1, and resolves with one summary per input when there are no more packets.
 * Files (readCaptures) and live capture (capture/live.ts) are the two sources; the
 * stages after capture are the same for both (../shared/DESIGN.md: no second pipeline).
 */
export type PacketSource = (onPacket: PacketCallback) => Promise<CaptureSummary[]>;

/** The capture files (or '-') as a PacketSource, read in time order of their first packets. */
export function fileSource(inputs: readonly string[], opts: Pick<PipelineOptions, 'stdin' | 'onProgress'> = {}): PacketSource {
  return async (onPacket) =>
    readCaptures(await orderByFirstPacket(inputs), onPacket, {
      ...(opts.stdin ? { stdin: opts.stdin } : {}),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    });
}

export async function runPipeline(inputs: readonly string[], opts: PipelineOptions): Promise<PipelineResult> {
  return runPipelineOn(fileSource(inputs, opts), opts);
}

/** The pipeline fed by any packet source (files, live capture). */
export async function runPipelineOn(source: PacketSource, opts: PipelineOptions): Promise<PipelineResult> {
  const serverPorts = new Set(opts.ports);
  const flows = new Map<number, FlowSummary>();
  const smtpStreams = new Set<number>();
  const sessions: SmtpSession[] = [];
  // Ended sessions stay for the report: share their repeated text (lossless, session-intern.ts).
  const interner = createSessionInterner();
  let lastFrame = 0;
  let lastTime: Time = { sec: 0, nsec: 0 };

  const engine = createRuleEngine(opts.registry ?? RULES, {
    ...(opts.rules ?? {}),
    flowOf: (s) => flows.get(s.tcpStream),
    ...(opts.onFinding ? { onFinding: opts.onFinding } : {}),
  });
  const onSessionEvent = opts.onSessionEvent;
  const smtp = createSmtpAnalyzer(
    { ports: opts.ports },
    {
      event(session, ev) {
        if (ev.type === 'session-start') smtpStreams.add(session.tcpStream);
        onSessionEvent?.(session, ev);
        engine.event(session, ev);
      },
      sessionEnd(session) {
        engine.sessionEnd(session);
        sessions.push(interner.compact(session));
      },
    },
  );
  const onStreamEvent = opts.onStreamEvent;
  const table = createFlowTable(
    (ev) => {
      // The flow's TCP facts are recorded before smtp/ sees the close, so rules
      // judging the session's end (connection-refused, retransmissions) can read them.
      if (ev.type === 'close' && (serverPorts.has(ev.flow.server.port) || smtpStreams.has(ev.flow.tcpStream))) {
        flows.set(ev.flow.tcpStream, summarizeFlow(ev.flow, ev.reason));
      }
      onStreamEvent?.(ev);
      smtp.stream(ev);
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
  const onPacket = opts.onPacket;
  const summaries = await source((p) => {
    lastFrame = p.frame;
    lastTime = p.time;
    onPacket?.(p);
    decoder.packet(p);
  });
  decoder.flush();
  table.end(lastFrame, lastTime);
  sessions.sort((a, b) => a.id - b.id);
  engine.captureEnd({ inputs: summaries, sessions });
  // Reports print times with the finest precision among the inputs.
  const precision = summaries.reduce<Precision>(
    (best, s) => (PRECISION_RANK[s.precision] > PRECISION_RANK[best] ? s.precision : best),
    'us',
  );
  return {
    inputs: summaries,
    decode: decoder.stats(),
    flows: [...flows.values()].sort((a, b) => a.tcpStream - b.tcpStream),
    sessions,
    findings: engine.findings(),
    precision,
  };
}
