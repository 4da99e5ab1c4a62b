/**
 * Zeek's ASCII (TSV) logs, and our sessions seen the way Zeek's smtp.log sees them.
 *
 * Log format (Zeek's ASCII writer, `#separator` / `#set_separator` / `#empty_field` /
 * `#unset_field` header lines, then `#fields` and `#types`): one record a line, fields
 * separated by a tab; a set or vector is its elements joined by `,`; an unset field is
 * `-`, an empty set `(empty)`; separator characters inside a value are escaped `\xHH`.
 */
import type { SmtpSession } from '../../src/smtp/index.js';

export interface ZeekLog {
  fields: string[];
  /** Per record: field name → raw value (still escaped; use value()/set()). */
  rows: Record<string, string>[];
  unset: string;
  empty: string;
  setSeparator: string;
}

/** The \xHH escapes Zeek writes for separators and non-printable bytes. */
function unescape(s: string): string {
  return s.replace(/\\x([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

export function parseZeekLog(text: string): ZeekLog {
  let sep = '\t';
  let setSeparator = ',';
  let empty = '(empty)';
  let unset = '-';
  let fields: string[] = [];
  const rows: Record<string, string>[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      // Header lines are "#name<sep>value" except #separator, whose value is escaped and space-separated.
      if (line.startsWith('#separator ')) sep = unescape(line.slice('#separator '.length));
      else {
        const [name, ...vals] = line.split(sep);
        if (name === '#set_separator') setSeparator = unescape(vals[0] ?? ',');
        else if (name === '#empty_field') empty = vals[0] ?? empty;
        else if (name === '#unset_field') unset = vals[0] ?? unset;
        else if (name === '#fields') fields = vals;
      }
      continue;
    }
    const vals = line.split(sep);
    const row: Record<string, string> = {};
    fields.forEach((f, i) => (row[f] = vals[i] ?? unset));
    rows.push(row);
  }
  return { fields, rows, unset, empty, setSeparator };
}

/** A scalar field: null when unset. */
export function value(log: ZeekLog, row: Record<string, string>, field: string): string | null {
  const v = row[field];
  if (v === undefined) throw new Error(`no field ${field} in log`);
  return v === log.unset ? null : unescape(v);
}

/** A set/vector field: [] when unset or empty. */
export function set(log: ZeekLog, row: Record<string, string>, field: string): string[] {
  const v = row[field];
  if (v === undefined) throw new Error(`no field ${field} in log`);
  if (v === log.unset || v === log.empty) return [];
  return v.split(log.setSeparator).map(unescape);
}

/** The smtp.log fields we compare, in a form both sides can produce. */
export interface SmtpRow {
  helo: string | null;
  mailfrom: string | null;
  /** Sorted (Zeek's rcptto is a set). */
  rcptto: string[];
  /** "code text" of the last line, as Zeek's last_reply. */
  last_reply: string | null;
  tls: boolean;
}
export const ROW_FIELDS = ['helo', 'mailfrom', 'rcptto', 'last_reply', 'tls'] as const;
export type RowField = (typeof ROW_FIELDS)[number];

export interface ZeekSmtpRow extends SmtpRow {
  /** 1-based position in the log file. */
  line: number;
  uid: string;
  /** "orig_h:orig_p>resp_h:resp_p", our session's client>server. */
  conn: string;
  transDepth: number;
}

export function zeekSmtpRows(text: string): ZeekSmtpRow[] {
  const log = parseZeekLog(text);
  return log.rows.map((r, i) => ({
    line: i + 1,
    uid: value(log, r, 'uid')!,
    conn: `${value(log, r, 'id.orig_h')}:${value(log, r, 'id.orig_p')}>${value(log, r, 'id.resp_h')}:${value(log, r, 'id.resp_p')}`,
    transDepth: Number(value(log, r, 'trans_depth')),
    helo: value(log, r, 'helo'),
    mailfrom: value(log, r, 'mailfrom'),
    rcptto: set(log, r, 'rcptto').sort(),
    last_reply: value(log, r, 'last_reply'),
    tls: value(log, r, 'tls') === 'T',
  }));
}

export function connOf(s: SmtpSession): string {
  return `${s.client.ip}:${s.client.port}>${s.server.ip}:${s.server.port}`;
}

export interface OurRow extends SmtpRow {
  /** Frame of the MAIL that opened the transaction; for the STARTTLS row, the STARTTLS frame. */
  frame: number;
  kind: 'transaction' | 'starttls';
}

/**
 * Zeek's smtp_reply handler keeps `fmt("%d %s", code, msg)` of each reply line, so a
 * multi-line reply (RFC 5321 §4.2.1) leaves its last line; our text joins the lines with '\n'.
 */
function zeekReply(code: number, text: string): string {
  const lines = text.split('\n');
  return `${code} ${lines[lines.length - 1]}`;
}

/** The HELO/EHLO argument in force at `frame` (Zeek's record keeps the latest one). */
function heloAt(s: SmtpSession, frame: number): string | null {
  let helo: string | null = null;
  for (const c of s.commands) {
    if (c.frame > frame) break;
    if (!c.pseudo && (c.verb === 'HELO' || c.verb === 'EHLO')) helo = c.arg;
  }
  return helo;
}

/**
 * Our session as Zeek's smtp.log rows, by Zeek's documented logging conventions
 * (scripts/base/protocols/smtp/main.zeek):
 * - one row per mail transaction, in order, with the transaction's envelope and the
 *   reply that ended it (its last line);
 * - a STARTTLS answered 220 logs the record in progress with tls=T and that 220 as
 *   last_reply, and the SMTP analyzer stops there (the rest is SSL's): one more row,
 *   with no envelope when no transaction was open.
 */
export function ourSmtpRows(s: SmtpSession): OurRow[] {
  const tlsFrame = s.tls?.started && s.tls.verb !== 'implicit' ? s.tls.frame : null;
  const rows: OurRow[] = s.transactions.map((t) => ({
    frame: t.frame,
    kind: 'transaction',
    helo: heloAt(s, t.frame),
    mailfrom: t.mailFrom,
    rcptto: t.rcpts.map((r) => r.address).sort(),
    last_reply: t.result ? zeekReply(t.result.code, t.result.text) : null,
    tls: tlsFrame !== null && t.frame >= tlsFrame,
  }));
  if (s.tls?.started && (s.tls.verb === 'STARTTLS' || s.tls.verb === 'X-ANONYMOUSTLS')) {
    const cmd = [...s.commands].reverse().find((c) => c.verb === s.tls!.verb && c.reply?.code === 220);
    if (cmd) {
      rows.push({
        frame: cmd.frame,
        kind: 'starttls',
        helo: heloAt(s, cmd.frame),
        mailfrom: null,
        rcptto: [],
        last_reply: zeekReply(220, cmd.reply!.text),
        tls: true,
      });
    }
  }
  return rows;
}
