/**
 * `smtpscope transcript`: one session's dialogue as a mail admin reads a telnet
 * session. Built from the report model only, so it can show no more than the
 * report does: AUTH arguments and answers arrive already masked by smtp/sasl.ts
 * ('<credentials: N bytes>'), and message bodies are never kept, only their size
 * and line count (the data-end facts, `BodyFact`).
 */
import type { BodyFact, SessionReport } from '../../index.js';
import { endpoint, mdFence } from '../../report/markdown.js';
import { isoToMs } from '../../util/time.js';
import type { Format } from '../options.js';

export interface TranscriptLine {
  frame: number;
  time: string;
  /** Milliseconds since the session's start. */
  offsetMs: number;
  /** Reply latency (first line of a reply only). */
  latencyMs: number | null;
  /** c2s: client, s2c: server, null: a note of ours ([TLS started: ...]). */
  dir: 'c2s' | 's2c' | null;
  text: string;
}

export interface Transcript {
  session: Pick<SessionReport, 'id' | 'tcpStream' | 'client' | 'server' | 'start' | 'end' | 'closedBy' | 'midstream'>;
  lines: TranscriptLine[];
}

const TLS_VERBS = new Set(['STARTTLS', 'X-ANONYMOUSTLS']);

function isoPlus(iso: string, ms: number): string {
  const t = isoToMs(iso) + ms;
  const whole = Math.floor(t / 1000);
  const frac = Math.round((t - whole * 1000) * 1000);
  return `${new Date(whole * 1000).toISOString().slice(0, 19)}.${String(Math.min(frac, 999_999)).padStart(6, '0')}Z`;
}

function tlsNote(s: SessionReport): string {
  const t = s.tls!;
  const parts = [t.version ?? 'version unknown', t.sni ? `SNI ${t.sni}` : 'no SNI'];
  if (t.alert) parts.push(`alert: ${t.alert}`);
  return `[TLS started: ${parts.join(', ')}; the rest of the session is encrypted]`;
}

function bodyText(b: BodyFact | undefined): string {
  if (!b) return '[message: end of data]';
  const what = `${b.bytes} bytes, ${b.lines} lines`;
  return b.complete ? `[message: ${what}]` : `[message cut: ${what}, no end-of-data seen]`;
}

export function buildTranscript(s: SessionReport, bodies: readonly BodyFact[]): Transcript {
  const start = isoToMs(s.start);
  const mine = bodies.filter((b) => b.session === s.id);
  const byFrame = new Map(mine.filter((b) => b.complete).map((b) => [b.frame, b]));
  const lines: TranscriptLine[] = [];
  const push = (frame: number, time: string, latencyMs: number | null, dir: TranscriptLine['dir'], text: string) =>
    lines.push({ frame, time, offsetMs: Math.round((isoToMs(time) - start) * 1000) / 1000, latencyMs, dir, text });

  if (s.tls?.verb === 'implicit' && s.tls.started) push(s.commands[0]?.frame ?? 0, s.start, null, null, tlsNote(s));
  for (const c of s.commands) {
    switch (c.verb) {
      case '<connect>':
        break; // the greeting answers the connection; the client says nothing
      case '<end-of-data>':
        push(c.frame, c.time, null, 'c2s', bodyText(byFrame.get(c.frame)));
        break;
      case '<end-of-blob>':
        push(c.frame, c.time, null, 'c2s', '[XEXCH50 blob]');
        break;
      case '<auth-response>':
        push(c.frame, c.time, null, 'c2s', c.arg); // masked by smtp/sasl.ts
        break;
      default:
        push(c.frame, c.time, null, 'c2s', c.arg ? `${c.verb} ${c.arg}` : c.verb);
    }
    if (c.reply) {
      const r = c.reply;
      const at = isoPlus(c.time, r.latencyMs);
      r.lines.forEach((l, i) => push(r.frame, at, i === 0 && c.verb !== '<connect>' ? r.latencyMs : null, 's2c', l));
      if (TLS_VERBS.has(c.verb) && r.code === 220 && s.tls?.started) push(r.frame, at, null, null, tlsNote(s));
    }
  }
  for (const b of mine) if (!b.complete) push(b.frame, b.time, null, 'c2s', bodyText(b));
  // Pipelined commands (RFC 2920) come before the replies that answer them: order by frame,
  // keeping the model's order (stable sort) within a frame.
  lines.sort((a, b) => a.frame - b.frame);
  const { id, tcpStream, client, server, end, closedBy, midstream } = s;
  return { session: { id, tcpStream, client, server, start: s.start, end, closedBy, midstream }, lines };
}

function header(t: Transcript): string[] {
  const s = t.session;
  return [
    `Session ${s.id}: ${endpoint(s.client)} -> ${endpoint(s.server)}, started ${s.start}, ended by ${s.closedBy ?? 'unknown'} (Wireshark: tcp.stream eq ${s.tcpStream})`,
    ...(s.midstream ? ['The capture starts in the middle of this session: the beginning is missing.'] : []),
  ];
}

function textLines(t: Transcript): string[] {
  const out = [`${'frame'.padStart(7)}  ${'offset'.padStart(10)}  ${'latency'.padStart(10)}  line`];
  for (const l of t.lines) {
    const dir = l.dir === 'c2s' ? 'C:' : l.dir === 's2c' ? 'S:' : '  ';
    const lat = l.latencyMs === null ? '' : `${l.latencyMs.toFixed(1)} ms`;
    out.push(`${String(l.frame).padStart(7)}  ${`+${(l.offsetMs / 1000).toFixed(3)}s`.padStart(10)}  ${lat.padStart(10)}  ${dir} ${l.text}`);
  }
  if (t.lines.length === 0) out.push('(no SMTP lines seen)');
  return out;
}

export function renderTranscript(t: Transcript, format: Format): string {
  switch (format) {
    case 'json':
      return JSON.stringify(t, null, 2) + '\n';
    case 'jsonl':
      return [JSON.stringify({ type: 'session', ...t.session }), ...t.lines.map((l) => JSON.stringify({ type: 'line', ...l }))].join('\n') + '\n';
    case 'markdown':
      return [`### ${header(t).join(' ')}`, '', mdFence(textLines(t))].join('\n') + '\n';
    default:
      return [...header(t), '', ...textLines(t)].join('\n') + '\n';
  }
}
