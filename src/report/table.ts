/**
 * The terminal report (issue 5): what was read and the verdict first, then the counts a
 * mail admin scans (findings by rule, reply codes, busiest clients), then the findings
 * grouped by severity, then one row per session. Fits the terminal's width (80 columns
 * when unknown); colour only when asked (a terminal, NO_COLOR unset: see tableStyle).
 */
import { drawTable } from './long-table.js';
import { inputNotes, type FindingReport, type ReportModel, type SessionReport } from './model.js';
import type { Severity } from '../rules/types.js';

export interface TableOptions {
  /** Columns available (default 80). */
  width?: number;
  /** ANSI colours (default false). */
  color?: boolean;
}

/** Colour and width for standard output: colour on a terminal unless NO_COLOR is set (no-color.org). */
export function tableStyle(toFile: boolean): TableOptions {
  const tty = !toFile && process.stdout.isTTY === true;
  return { width: tty ? Math.max(60, process.stdout.columns || 80) : 80, color: tty && !process.env['NO_COLOR'] };
}

const SEVERITY_ORDER: readonly Severity[] = ['error', 'warning', 'notice'];
const HEADING: Record<Severity, string> = { error: 'ERRORS', warning: 'WARNINGS', notice: 'NOTICES' };
const COLOUR: Record<Severity, string> = { error: '31', warning: '33', notice: '36' };

function endpoint(e: { ip: string; port: number }): string {
  return e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Greedy word wrap at `width`, every line prefixed with `indent`. */
export function wrap(text: string, width: number, indent: string): string[] {
  const max = Math.max(20, width - indent.length);
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > max) {
      lines.push(indent + line);
      line = '';
    }
    // A word longer than the line (an address, a filter) is cut, not left to overflow.
    let w = word;
    while (w.length > max) {
      if (line) {
        lines.push(indent + line);
        line = '';
      }
      lines.push(indent + w.slice(0, max));
      w = w.slice(max);
    }
    line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(indent + line);
  return lines;
}

function counts<K extends string | number>(items: Iterable<K>): [K, number][] {
  const m = new Map<K, number>();
  for (const k of items) m.set(k, (m.get(k) ?? 0) + 1);
  return [...m].sort((a, b) => b[1] - a[1] || String(a[0]).localeCompare(String(b[0])));
}

/** "2xx 14, 3xx 2, 5xx 3 (550 ×2, 503 ×1)": classes, with the codes of the failures. */
function replyHistogram(sessions: readonly SessionReport[]): string {
  const codes: number[] = [];
  for (const s of sessions) for (const c of s.commands) if (c.reply) codes.push(c.reply.code);
  if (codes.length === 0) return '';
  const classes = counts(codes.map((c) => `${Math.floor(c / 100)}xx`)).sort((a, b) => a[0].localeCompare(b[0]));
  const failures = counts(codes.filter((c) => c >= 400));
  const detail = failures.length ? ` (${failures.slice(0, 6).map(([c, n]) => `${c} ×${n}`).join(', ')})` : '';
  return classes.map(([k, n]) => `${k} ${n}`).join(', ') + detail;
}

function where(f: FindingReport): string {
  const parts: string[] = [];
  if (f.session !== null) parts.push(`session ${f.session}`);
  if (f.client) parts.push(f.client);
  if (f.frames[0] > 0) parts.push(f.frames[0] === f.frames[1] ? `frame ${f.frames[0]}` : `frames ${f.frames[0]}-${f.frames[1]}`);
  return parts.join(' · ');
}

function sessionTable(sessions: readonly SessionReport[], width: number): string {
  // Columns by priority; the lowest go when the terminal is narrow.
  const columns: { head: string; min: number; cell: (s: SessionReport) => string }[] = [
    { head: 'id', min: 4, cell: (s) => String(s.id) },
    { head: 'client', min: 23, cell: (s) => endpoint(s.client) },
    { head: 'server', min: 23, cell: (s) => endpoint(s.server) },
    { head: 'end', min: 13, cell: (s) => (s.closedBy ?? '') + (s.midstream ? ' (mid-stream)' : '') },
    { head: 'msgs', min: 6, cell: (s) => String(s.transactions.length) },
    { head: 'tls', min: 9, cell: (s) => (s.tls ? (s.tls.version ?? s.tls.verb) : '') },
    { head: 'helo', min: 18, cell: (s) => s.helo ?? '' },
    { head: 'findings', min: 10, cell: (s) => String(s.findings.length) },
  ];
  const chosen: typeof columns = [];
  let used = 1;
  for (const c of columns) {
    if (used + c.min + 1 > width) break;
    chosen.push(c);
    used += c.min + 1;
  }
  return drawTable(
    { head: chosen.map((c) => c.head), colWidths: chosen.map((c) => c.min), wordWrap: true, style: { head: [], border: [] } },
    sessions.map((s) => chosen.map((c) => c.cell(s))),
  );
}

export function renderTable(model: ReportModel, opts: TableOptions = {}): string {
  const width = opts.width ?? 80;
  const paint = (code: string, s: string) => (opts.color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const out: string[] = [];
  for (const i of model.inputs) {
    const span = i.first && i.last ? `, ${i.first} → ${i.last}` : '';
    out.push(...wrap(`Read ${i.file}: ${i.variant}, ${plural(i.packets, 'packet')}${span}`, width, ''));
    for (const note of inputNotes(i)) out.push(...wrap(note, width, '  '));
  }
  const s = model.summary;
  const sev = s.bySeverity;
  const verdict =
    model.findings.length === 0
      ? `No problem found in ${plural(s.sessions, 'SMTP session')} (${plural(s.messages, 'message')}).`
      : `${plural(sev.error, 'error')}, ${plural(sev.warning, 'warning')}, ${plural(sev.notice, 'notice')} in ${plural(s.sessions, 'SMTP session')} (${plural(s.messages, 'message')}).`;
  out.push(paint('1', verdict));
  const byRule = Object.entries(s.findings).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (byRule.length) out.push(...wrap(`Findings by rule: ${byRule.map(([r, n]) => `${r} ${n}`).join(', ')}`, width, ''));
  const replies = replyHistogram(model.sessions);
  if (replies) out.push(...wrap(`Replies: ${replies}`, width, ''));
  const clients = counts(model.sessions.map((x) => x.client.ip));
  if (clients.length > 1) {
    out.push(...wrap(`Top clients: ${clients.slice(0, 5).map(([ip, n]) => `${ip} (${plural(n, 'session')})`).join(', ')}`, width, ''));
  }

  for (const severity of SEVERITY_ORDER) {
    const group = model.findings.filter((f) => f.severity === severity).sort((a, b) => a.frames[0] - b.frames[0]);
    if (group.length === 0) continue;
    out.push('', paint(`1;${COLOUR[severity]}`, HEADING[severity]));
    for (const f of group) {
      out.push(...wrap(`${paint(COLOUR[severity], f.rule)} · ${where(f)}`, width + (opts.color ? 9 : 0), '  '));
      out.push(...wrap(f.summary, width, '    '));
    }
  }
  out.push('');
  out.push(model.sessions.length ? sessionTable(model.sessions, width) : 'No SMTP sessions found.');
  if (model.findings.length) {
    out.push(...wrap('Details, advice and Wireshark filters: --format markdown or html, or smtpscope rules --explain <rule>.', width, ''));
  }
  return out.join('\n') + '\n';
}
