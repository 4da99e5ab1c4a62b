/**
 * Two-sided SMTP scripts → the StreamEvents tcp/ would deliver: one data event
 * per step, frames increasing from 2 (frame 1 is the open), times 1 ms apart
 * unless a step says otherwise. For session-level tests of smtp/.
 */
import type { CloseReason, Dir, Flow, HalfStats, StreamEvent } from '../../../src/tcp/events.js';
import type { Time } from '../../../src/util/time.js';
import { createSmtpAnalyzer, type SessionEvent, type SmtpSession } from '../../../src/smtp/index.js';

export type Step =
  | { dir: Dir; text: string; dtMs?: number }
  | { dir: Dir; bytes: Buffer; dtMs?: number }
  | { gap: Dir; length?: number | 'unknown'; dtMs?: number }
  | { close: CloseReason; dtMs?: number };

export interface ScriptOptions {
  serverPort?: number;
  /** false: the capture began mid-session (no SYN, no SYN-ACK). */
  sawSyn?: boolean;
  tcpStream?: number;
  /** Split every data step into chunks of this size (each chunk its own frame). */
  chunk?: number;
}

/** Counters smtp/ never reads; zeros, cast so that counters tcp/ adds later do not break this helper. */
function half(): HalfStats {
  const zero: Partial<HalfStats> = { segments: 0, dataSegments: 0, bytes: 0, retransmissions: 0, outOfOrder: 0, conflictingBytes: 0, gaps: 0, gapBytes: 0, zeroWindow: 0, synFrame: null, finFrame: null, rstFrame: null };
  return zero as HalfStats;
}

const T0 = 1_700_000_000;

function at(ms: number): Time {
  return { sec: T0 + Math.floor(ms / 1000), nsec: Math.round((ms % 1000) * 1e6) };
}

export function makeFlow(o: ScriptOptions = {}): Flow {
  const sawSyn = o.sawSyn ?? true;
  return {
    tcpStream: o.tcpStream ?? 0,
    client: { ip: '192.0.2.10', port: 40000 },
    server: { ip: '198.51.100.25', port: o.serverPort ?? 25 },
    roleBy: sawSyn ? 'syn' : 'port',
    sawSyn,
    sawSynAck: sawSyn,
    firstFrame: 1,
    lastFrame: 1,
    firstTime: at(0),
    lastTime: at(0),
    frames: 0,
    stats: { c2s: half(), s2c: half() },
    closeReason: null,
  };
}

export function script(steps: Step[], o: ScriptOptions = {}): StreamEvent[] {
  const flow = makeFlow(o);
  const out: StreamEvent[] = [];
  let frame = 1;
  let ms = 0;
  const off: Record<Dir, number> = { c2s: 0, s2c: 0 };
  out.push({ type: 'open', flow, frame, time: at(ms) });
  let closed = false;
  for (const st of steps) {
    ms += st.dtMs ?? 1;
    if ('close' in st) {
      out.push({ type: 'close', flow, reason: st.close, frame: ++frame, time: at(ms) });
      closed = true;
      break;
    }
    if ('gap' in st) {
      const length = st.length ?? 100;
      out.push({ type: 'gap', flow, dir: st.gap, streamOffset: off[st.gap], length, frame: frame + 1, time: at(ms) });
      if (typeof length === 'number') off[st.gap] += length;
      continue;
    }
    const bytes = 'text' in st ? Buffer.from(st.text, 'latin1') : st.bytes;
    const size = o.chunk ?? Math.max(1, bytes.length);
    for (let i = 0; i < bytes.length; i += size) {
      const b = bytes.subarray(i, i + size);
      out.push({ type: 'data', flow, dir: st.dir, bytes: b, streamOffset: off[st.dir], frame: ++frame, time: at(ms) });
      off[st.dir] += b.length;
    }
  }
  if (!closed) out.push({ type: 'close', flow, reason: 'fin', frame: ++frame, time: at(ms + 1) });
  return out;
}

export interface RunResult {
  events: SessionEvent[];
  sessions: SmtpSession[];
  /** Every event and session serialized: for "appears nowhere" checks. */
  json: string;
}

/**
 * Feeds StreamEvents through createSmtpAnalyzer. Data buffers are overwritten
 * after each call, as tcp/ may reuse them: whatever smtp/ kept without copying shows up as garbage.
 */
export function run(evs: StreamEvent[], ports?: number[]): RunResult {
  const events: SessionEvent[] = [];
  const sessions: SmtpSession[] = [];
  const a = createSmtpAnalyzer(ports ? { ports } : {}, {
    event: (_s, ev) => events.push(deepFreeze(ev)), // the rule engine freezes events: smtp/ must never mutate one later
    sessionEnd: (s) => sessions.push(s),
  });
  for (const ev of evs) {
    if (ev.type === 'data') {
      const borrowed = Buffer.from(ev.bytes);
      a.stream({ ...ev, bytes: borrowed });
      borrowed.fill(0x58); // 'X': the view is no longer valid
    } else a.stream(ev);
  }
  const json = JSON.stringify(events) + JSON.stringify(sessions);
  return { events, sessions, json };
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as object)) deepFreeze(v);
  }
  return o;
}

export function ofType<K extends SessionEvent['type']>(evs: SessionEvent[], type: K): Extract<SessionEvent, { type: K }>[] {
  return evs.filter((e) => e.type === type) as Extract<SessionEvent, { type: K }>[];
}

/** The dialogue as (verb arg) and (code text) lines, in event order: easy to compare. */
export function dialogue(evs: SessionEvent[]): string[] {
  const out: string[] = [];
  for (const e of evs) {
    if (e.type === 'command') out.push(`C ${e.cmd.verb}${e.cmd.arg ? ' ' + e.cmd.arg : ''}`);
    else if (e.type === 'reply') out.push(`S ${e.reply.code} -> ${e.to ? e.to.verb : 'null'}`);
  }
  return out;
}

/** A session script from C:/S: lines (each line one step, CRLF added). */
export function cs(...lines: string[]): Step[] {
  return lines.map((l) => ({ dir: l.startsWith('C:') ? 'c2s' : 's2c', text: l.slice(2).trimStart() + '\r\n' }) as Step);
}
