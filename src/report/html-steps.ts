/**
 * One session as the ordered list of things a ladder diagram and a transcript show:
 * an arrow per command (client → server) and per reply (server → client), plus notes
 * of ours (TLS started, capture began mid-session, how the connection ended). The
 * ladder and the transcript of the HTML report are both drawn from this one list,
 * so they cannot disagree.
 *
 * Pseudo-commands (DESIGN habit 2) become arrows too: `<connect>` is the TCP
 * connection the greeting answers, `<end-of-data>` is the message, summarized as
 * "[message N bytes]" (bodies are never kept, only counted), `<auth-response>`
 * arrives already masked by smtp/sasl.ts.
 */
import type { CommandReport, FindingReport, SessionReport } from './model.js';
import { isoToMs } from '../util/time.js';

/** What the DATA phase saw of one body (structurally the library's BodyFact). */
export interface BodySize {
  session: number;
  frame: number;
  time: string;
  bytes: number;
  lines: number;
  complete: boolean;
}

export type ArrowKind = 'connect' | 'command' | 'message' | 'reply' | 'message-cut';

export interface Arrow {
  type: 'arrow';
  kind: ArrowKind;
  dir: 'c2s' | 's2c';
  frame: number;
  /** Milliseconds since 1970 (fraction kept), for offsets from the session start. */
  ms: number;
  /** Every line, joined with LF (a multi-line reply is one arrow). */
  text: string;
  /** The one line drawn on the arrow (a reply's first line). */
  label: string;
  /** Kept visible when the label is cut: ' (+N lines)' for a multi-line reply. */
  more: string;
  /** Replies only: time from the command to the reply. */
  latencyMs: number | null;
  code: number | null;
  marks: FindingReport[];
}

export interface Note {
  type: 'note';
  kind: 'tls' | 'midstream' | 'end';
  frame: number | null;
  ms: number | null;
  text: string;
}

export type Step = Arrow | Note;

export interface SessionSteps {
  steps: Step[];
  /** Findings of the session none of whose evidence frames is on an arrow (TLS alert, gap, ...). */
  unplaced: FindingReport[];
}

const TLS_VERBS = new Set(['STARTTLS', 'X-ANONYMOUSTLS']);

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function commandText(c: CommandReport, body: BodySize | undefined, fallbackBytes: number | undefined): { kind: ArrowKind; text: string } {
  switch (c.verb) {
    case '<connect>':
      return { kind: 'connect', text: '[TCP connection opened]' };
    case '<end-of-data>':
      if (body) return { kind: 'message', text: `[message ${plural(body.bytes, 'byte')}, ${plural(body.lines, 'line')}]` };
      return { kind: 'message', text: fallbackBytes === undefined ? '[message]' : `[message ${plural(fallbackBytes, 'byte')}]` };
    case '<end-of-blob>':
      return { kind: 'message', text: '[XEXCH50 blob]' };
    case '<auth-response>':
      return { kind: 'command', text: c.arg }; // '<credentials: N bytes>', masked upstream
    default:
      return { kind: 'command', text: c.arg ? `${c.verb} ${c.arg}` : c.verb };
  }
}

function tlsNote(s: SessionReport): string {
  const t = s.tls!;
  const parts = [t.version ?? 'version unknown', t.sni ? `SNI ${t.sni}` : 'no SNI'];
  if (t.alert) parts.push(`alert: ${t.alert}`);
  return `TLS started (${parts.join(', ')}): the rest of the session is encrypted`;
}

const END_TEXT: Record<string, string> = {
  quit: 'closed after QUIT',
  fin: 'closed by a TCP FIN without QUIT',
  rst: 'reset by a TCP RST',
  'capture-end': 'still open when the capture ended',
  tls: 'continued inside TLS',
  timeout: 'idle until the flow timed out',
};

/**
 * Puts each finding's marks on the arrows its evidence names: same frame and direction;
 * when several arrows share a frame (PIPELINING, RFC 2920), the one whose text is the
 * evidence line, else all of them (the frame is what Wireshark will show).
 */
function placeMarks(arrows: readonly Arrow[], findings: readonly FindingReport[]): FindingReport[] {
  const byFrame = new Map<number, Arrow[]>();
  for (const a of arrows) byFrame.set(a.frame, [...(byFrame.get(a.frame) ?? []), a]);
  const unplaced: FindingReport[] = [];
  for (const f of findings) {
    let placed = false;
    for (const e of f.evidence) {
      const same = (byFrame.get(e.frame) ?? []).filter((a) => e.dir === null || a.dir === e.dir);
      const exact = same.filter((a) => a.text === e.line);
      for (const a of exact.length ? exact : same) {
        if (!a.marks.includes(f)) a.marks.push(f);
        placed = true;
      }
    }
    if (!placed) unplaced.push(f);
  }
  return unplaced;
}

/**
 * Items of one array grouped by session, built once per array: every session's ladder
 * looks up its own (a filter per session made the HTML report of 12,583 sessions and
 * 20,364 messages quadratic: 2 s of its 9.5 s). The model's arrays are read-only.
 */
const bySession = new WeakMap<readonly { session: number | null }[], Map<number | null, unknown[]>>();

function ofSession<T extends { session: number | null }>(all: readonly T[], id: number): readonly T[] {
  let groups = bySession.get(all) as Map<number | null, T[]> | undefined;
  if (groups === undefined) {
    groups = new Map();
    for (const x of all) {
      let list = groups.get(x.session);
      if (list === undefined) groups.set(x.session, (list = []));
      list.push(x);
    }
    bySession.set(all, groups);
  }
  return groups.get(id) ?? [];
}

export function sessionSteps(s: SessionReport, findings: readonly FindingReport[], bodies: readonly BodySize[] | null): SessionSteps {
  const mine = bodies === null ? [] : ofSession(bodies, s.id);
  const bodyAt = new Map(mine.filter((b) => b.complete).map((b) => [b.frame, b]));
  // Without body facts (a model read back from JSON), the k-th end of data is the k-th
  // transaction that carried a body; the count of lines is then unknown.
  const carried = s.transactions.filter((t) => t.dataBytes > 0).map((t) => t.dataBytes);
  let ends = 0;

  const arrows: Arrow[] = [];
  const tlsAfter = new Set<Arrow>();
  for (const c of s.commands) {
    const cms = isoToMs(c.time);
    const fallback = c.verb === '<end-of-data>' && !bodies ? carried[ends++] : undefined;
    const { kind, text } = commandText(c, bodyAt.get(c.frame), fallback);
    arrows.push({ type: 'arrow', kind, dir: 'c2s', frame: c.frame, ms: cms, text, label: text, more: '', latencyMs: null, code: null, marks: [] });
    if (c.reply) {
      const r = c.reply;
      const more = r.lines.length > 1 ? ` (+${plural(r.lines.length - 1, 'line')})` : '';
      const reply: Arrow = {
        type: 'arrow',
        kind: 'reply',
        dir: 's2c',
        frame: r.frame,
        ms: cms + r.latencyMs,
        text: r.lines.join('\n'),
        label: r.lines[0] ?? String(r.code),
        more,
        // The greeting's "latency" is from the SYN: shown all the same, it is the server's answer time.
        latencyMs: r.latencyMs,
        code: r.code,
        marks: [],
      };
      arrows.push(reply);
      if (TLS_VERBS.has(c.verb) && r.code === 220 && s.tls?.started) tlsAfter.add(reply);
    }
  }
  for (const b of mine) {
    if (b.complete) continue;
    const text = `[message cut: ${plural(b.bytes, 'byte')}, ${plural(b.lines, 'line')}, no end of data seen]`;
    arrows.push({ type: 'arrow', kind: 'message-cut', dir: 'c2s', frame: b.frame, ms: isoToMs(b.time), text, label: text, more: '', latencyMs: null, code: null, marks: [] });
  }
  // Pipelined commands (RFC 2920) precede the replies that answer them: order by frame,
  // keeping the model's order within a frame (Array.prototype.sort is stable).
  arrows.sort((a, b) => a.frame - b.frame);
  const unplaced = placeMarks(
    arrows,
    ofSession(findings, s.id),
  );

  const steps: Step[] = [];
  const startMs = isoToMs(s.start);
  if (s.midstream) steps.push({ type: 'note', kind: 'midstream', frame: null, ms: startMs, text: 'The capture starts in the middle of this session: its beginning is missing' });
  if (s.tls?.verb === 'implicit' && s.tls.started) steps.push({ type: 'note', kind: 'tls', frame: null, ms: startMs, text: tlsNote(s) });
  for (const a of arrows) {
    steps.push(a);
    if (tlsAfter.has(a)) steps.push({ type: 'note', kind: 'tls', frame: a.frame, ms: a.ms, text: tlsNote(s) });
  }
  if (s.closedBy) {
    steps.push({ type: 'note', kind: 'end', frame: null, ms: s.end ? isoToMs(s.end) : null, text: `Connection ${END_TEXT[s.closedBy] ?? `ended (${s.closedBy})`}` });
  }
  return { steps, unplaced };
}
