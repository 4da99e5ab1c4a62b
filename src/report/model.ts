/**
 * The report model: built once per run, then rendered by one formatter per format
 * (../shared/DESIGN.md, report/). What `--format json` prints is this object; its
 * shape is ../shared/spec/interface.md ("JSON report"), plus `flows` (TCP facts per
 * SMTP flow) and `decode` counters, which the contract leaves to us.
 */
import type { PipelineResult, FlowSummary } from '../pipeline.js';
import type { CaptureDamage, CaptureDrops } from '../capture/types.js';
import type { SmtpSession } from '../smtp/index.js';
import type { Finding, Severity } from '../rules/index.js';
import { SEVERITIES } from '../rules/index.js';
import { toIso, type Precision } from '../util/time.js';
import { VERSION } from '../version.js';

export const SCHEMA_VERSION = 1;

export interface InputReport {
  file: string;
  format: string;
  variant: string;
  linkTypes: number[];
  packets: number;
  bytes: number;
  first: string | null;
  last: string | null;
  truncatedPackets: number;
  damage: CaptureDamage | null;
  /** Live capture only: what was lost on the way in; null for a file. */
  drops: CaptureDrops | null;
}

/**
 * What a reader of the report must know about an input besides its counts: packets cut
 * by the snap length, damage, packets a live capture lost. Plain text, one note per
 * line; the table, Markdown and HTML reports print the same notes.
 */
export function inputNotes(i: InputReport): string[] {
  const notes: string[] = [];
  if (i.truncatedPackets) notes.push(`${i.truncatedPackets} packet${i.truncatedPackets === 1 ? '' : 's'} cut by the capture's snap length`);
  if (i.damage) notes.push(`damaged at byte ${i.damage.offset} (${i.damage.block}): ${i.damage.reason}; analyzed up to there`);
  const d = i.drops;
  if (d !== null) {
    if (d.kernel === null) notes.push(`kernel drops unknown: ${d.unavailable ?? 'no drop counter'}`);
    else if (d.kernel > 0) notes.push(`${d.kernel} packet${d.kernel === 1 ? '' : 's'} dropped by the kernel (capture buffer full): findings may be missing`);
    if (d.interface !== null && d.interface > 0) notes.push(`${d.interface} packet${d.interface === 1 ? '' : 's'} lost by the interface while capturing`);
  }
  return notes;
}

export interface HalfReport {
  segments: number;
  bytes: number;
  retransmissions: number;
  outOfOrder: number;
  gaps: number;
  gapBytes: number;
}

export interface FlowReport {
  tcpStream: number;
  client: { ip: string; port: number };
  server: { ip: string; port: number };
  start: string;
  end: string;
  firstFrame: number;
  lastFrame: number;
  frames: number;
  sawSyn: boolean;
  c2s: HalfReport;
  s2c: HalfReport;
  closedBy: string;
}

export interface CommandReport {
  frame: number;
  time: string;
  verb: string;
  arg: string;
  reply: { frame: number; code: number; enhanced: string | null; lines: string[]; latencyMs: number } | null;
}

export interface TransactionReport {
  mailFrom: string | null;
  rcpts: { address: string; code: number | null }[];
  dataBytes: number;
  headers: { messageId: string | null; subject: string | null; from: string | null; date: string | null } | null;
  result: { code: number; text: string } | null;
}

export interface SessionReport {
  id: number;
  tcpStream: number;
  client: { ip: string; port: number };
  server: { ip: string; port: number };
  start: string;
  end: string | null;
  greeting: string | null;
  helo: string | null;
  extensions: string[];
  tls: { started: boolean; verb: string; version: string | null; sni: string | null; alert: string | null } | null;
  auth: { mechanism: string; user: string | null; result: string } | null;
  transactions: TransactionReport[];
  commands: CommandReport[];
  closedBy: string | null;
  midstream: boolean;
  findings: string[];
}

export interface FindingReport {
  id: string;
  rule: string;
  severity: Severity;
  session: number | null;
  client: string | null;
  summary: string;
  frames: [number, number];
  wireshark: string;
  evidence: { frame: number; time: string; dir: string | null; line: string }[];
  advice: string;
}

export interface ReportModel {
  schemaVersion: number;
  tool: { name: 'smtpscope'; version: string };
  inputs: InputReport[];
  summary: {
    sessions: number;
    messages: number;
    findings: Record<string, number>;
    bySeverity: Record<Severity, number>;
    flows: number;
    packets: number;
    damaged: number;
  };
  sessions: SessionReport[];
  findings: FindingReport[];
  flows: FlowReport[];
}

function half(h: FlowSummary['c2s']): HalfReport {
  return {
    segments: h.segments,
    bytes: h.bytes,
    retransmissions: h.retransmissions,
    outOfOrder: h.outOfOrder,
    gaps: h.gaps,
    gapBytes: h.gapBytes,
  };
}

export function flowReport(f: FlowSummary, precision: Precision): FlowReport {
  return {
    tcpStream: f.tcpStream,
    client: { ip: f.client.ip, port: f.client.port },
    server: { ip: f.server.ip, port: f.server.port },
    start: toIso(f.firstTime, precision),
    end: toIso(f.lastTime, precision),
    firstFrame: f.firstFrame,
    lastFrame: f.lastFrame,
    frames: f.frames,
    sawSyn: f.sawSyn,
    c2s: half(f.c2s),
    s2c: half(f.s2c),
    closedBy: f.closedBy,
  };
}

export function sessionReport(s: SmtpSession, findingIds: string[], precision: Precision): SessionReport {
  return {
    id: s.id,
    tcpStream: s.tcpStream,
    client: { ip: s.client.ip, port: s.client.port },
    server: { ip: s.server.ip, port: s.server.port },
    start: toIso(s.start, precision),
    end: s.end ? toIso(s.end, precision) : null,
    greeting: s.greeting,
    helo: s.helo,
    extensions: [...s.extensions],
    tls: s.tls ? { started: s.tls.started, verb: s.tls.verb, version: s.tls.version, sni: s.tls.sni, alert: s.tls.alert } : null,
    auth: s.auth ? { mechanism: s.auth.mechanism, user: s.auth.user, result: s.auth.result } : null,
    transactions: s.transactions.map((t) => ({
      mailFrom: t.mailFrom,
      rcpts: t.rcpts.map((r) => ({ address: r.address, code: r.code })),
      dataBytes: t.dataBytes,
      headers: t.headers ? { messageId: t.headers.messageId, subject: t.headers.subject, from: t.headers.from, date: t.headers.date } : null,
      result: t.result ? { code: t.result.code, text: t.result.text } : null,
    })),
    commands: s.commands.map((c) => ({
      frame: c.frame,
      time: toIso(c.time, precision),
      verb: c.verb,
      arg: c.arg,
      reply: c.reply
        ? { frame: c.reply.frame, code: c.reply.code, enhanced: c.reply.enhanced, lines: [...c.reply.lines], latencyMs: Math.round(c.reply.latencyMs * 1000) / 1000 }
        : null,
    })),
    closedBy: s.closedBy,
    midstream: s.midstream,
    findings: findingIds,
  };
}

export function findingReport(f: Finding, precision: Precision): FindingReport {
  return {
    id: f.id,
    rule: f.rule,
    severity: f.severity,
    session: f.session,
    client: f.client,
    summary: f.summary,
    frames: f.frames,
    wireshark: f.wireshark,
    evidence: f.evidence.map((e) => ({ frame: e.frame, time: toIso(e.time, precision), dir: e.dir, line: e.line })),
    advice: f.advice,
  };
}

export function buildReport(result: PipelineResult): ReportModel {
  const { precision } = result;
  const inputs = result.inputs.map((s) => ({
    file: s.file,
    format: s.format,
    variant: s.variant,
    linkTypes: [...s.linkTypes],
    packets: s.packets,
    bytes: s.bytes,
    first: s.first ? toIso(s.first, s.precision) : null,
    last: s.last ? toIso(s.last, s.precision) : null,
    truncatedPackets: s.truncatedPackets,
    damage: s.damage,
    drops: s.drops,
  }));
  const bySession = new Map<number, string[]>();
  const byRule: Record<string, number> = {};
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of result.findings) {
    if (f.session !== null) {
      const list = bySession.get(f.session) ?? [];
      list.push(f.id);
      bySession.set(f.session, list);
    }
    byRule[f.rule] = (byRule[f.rule] ?? 0) + 1;
    bySeverity[f.severity]++;
  }
  const sessions = result.sessions.map((s) => sessionReport(s, bySession.get(s.id) ?? [], precision));
  const flows = result.flows.map((f) => flowReport(f, precision));
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'smtpscope', version: VERSION },
    inputs,
    summary: {
      sessions: sessions.length,
      messages: result.sessions.reduce((n, s) => n + s.transactions.filter((t) => t.via !== null).length, 0),
      findings: Object.fromEntries(Object.entries(byRule).sort(([a], [b]) => a.localeCompare(b))),
      bySeverity,
      flows: flows.length,
      packets: inputs.reduce((n, i) => n + i.packets, 0),
      damaged: inputs.filter((i) => i.damage !== null).length,
    },
    sessions,
    findings: result.findings.map((f) => findingReport(f, precision)),
    flows,
  };
}
