/**
 * `smtpscope sessions`: one row per SMTP session (spec/interface.md), derived from
 * the report model so every format shows the same facts as `analyze`.
 */
import { drawTable } from '../../report/long-table.js';
import type { ReportModel, SessionReport } from '../../index.js';
import { endpoint, humanDuration, mdTable } from '../../report/markdown.js';
import { isoToMs } from '../../util/time.js';
import type { Format } from '../options.js';

export interface SessionRow {
  id: number;
  tcpStream: number;
  client: { ip: string; port: number };
  server: { ip: string; port: number };
  start: string;
  end: string | null;
  durationMs: number | null;
  greeting: string | null;
  helo: string | null;
  tls: SessionReport['tls'];
  authUser: string | null;
  authResult: string | null;
  /** Transactions that reached the message phase (DATA/BDAT octets or a verdict). */
  messages: number;
  closedBy: string | null;
  midstream: boolean;
  findings: number;
}

export function sessionRows(model: ReportModel): SessionRow[] {
  return model.sessions.map((s) => ({
    id: s.id,
    tcpStream: s.tcpStream,
    client: s.client,
    server: s.server,
    start: s.start,
    end: s.end,
    durationMs: s.end ? Math.round((isoToMs(s.end) - isoToMs(s.start)) * 1000) / 1000 : null,
    greeting: s.greeting,
    helo: s.helo,
    tls: s.tls,
    authUser: s.auth ? s.auth.user : null,
    authResult: s.auth ? s.auth.result : null,
    messages: s.transactions.filter((t) => t.dataBytes > 0 || t.result !== null).length,
    closedBy: s.closedBy,
    midstream: s.midstream,
    findings: s.findings.length,
  }));
}

function tlsText(t: SessionRow['tls']): string {
  if (!t) return '';
  if (!t.started) return `${t.verb} refused`;
  return [t.version ?? t.verb, t.alert ? `alert: ${t.alert}` : ''].filter(Boolean).join(', ');
}

function cells(r: SessionRow): string[] {
  return [
    String(r.id),
    endpoint(r.client),
    endpoint(r.server),
    r.start,
    r.durationMs === null ? '' : humanDuration(r.durationMs),
    (r.greeting ?? '').split('\n')[0]!.slice(0, 40),
    (r.helo ?? '').slice(0, 30),
    tlsText(r.tls),
    r.authUser === null && r.authResult === null ? '' : `${r.authUser ?? '?'} (${r.authResult})`,
    String(r.messages),
    (r.closedBy ?? '') + (r.midstream ? ' (mid-stream)' : ''),
    String(r.findings),
  ];
}

/** No rule between rows: a long list stays readable. */
const COMPACT = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };

const HEAD = ['id', 'client', 'server', 'start', 'duration', 'greeting', 'HELO', 'TLS', 'AUTH user', 'msgs', 'end', 'findings'];

export function renderSessions(model: ReportModel, format: Format): string {
  const rows = sessionRows(model);
  switch (format) {
    case 'json':
      return JSON.stringify({ schemaVersion: model.schemaVersion, tool: model.tool, inputs: model.inputs, sessions: rows }, null, 2) + '\n';
    case 'jsonl':
      return rows.map((r) => JSON.stringify({ type: 'session', ...r }) + '\n').join('');
    case 'markdown':
      return (rows.length ? mdTable(HEAD, rows.map(cells)) : 'No SMTP sessions found.') + '\n';
    default: {
      if (!rows.length) return 'No SMTP sessions found.\n';
      return drawTable({ head: HEAD, style: { head: [], border: [] }, chars: COMPACT }, rows.map(cells)) + '\n';
    }
  }
}
