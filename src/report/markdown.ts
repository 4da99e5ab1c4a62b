/**
 * `--format markdown`: a report that pastes into a ticket (GitHub/GitLab/Jira
 * markdown). Verdict first, then a findings table, then each finding with its
 * evidence and Wireshark filter, then the sessions. Table cells and inline code
 * are escaped so capture text (which the sender controls) cannot break the layout.
 */
import { inputNotes, type FindingReport, type ReportModel, type SessionReport } from './model.js';
import { isoToMs } from '../util/time.js';

/** A duration for people: 850 ms, 12.4 s, 3 min 5 s, 2 h 10 min. */
export function humanDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms * 1000) / 1000} ms`;
  if (ms < 60_000) return `${Math.round(ms / 100) / 10} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
  return `${Math.floor(ms / 3_600_000)} h ${Math.round((ms % 3_600_000) / 60_000)} min`;
}

export function endpoint(e: { ip: string; port: number }): string {
  return e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

/** Inline code that survives backticks in the text (CommonMark §6.1). */
export function mdCode(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** A fenced block whose fence is longer than any backtick run inside (CommonMark §4.5). */
export function mdFence(lines: readonly string[]): string {
  const longest = Math.max(2, ...lines.flatMap((l) => (l.match(/`+/g) ?? []).map((r) => r.length)));
  const fence = '`'.repeat(longest + 1);
  return [fence, ...lines, fence].join('\n');
}

/** A table cell: pipes escaped, line breaks flattened (GFM tables are one line per row). */
export function mdCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
}

export function mdTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const out = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) out.push(`| ${r.map(mdCell).join(' | ')} |`);
  return out.join('\n');
}

const ORDER = { error: 0, warning: 1, notice: 2 } as const;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function analyzedLine(model: ReportModel): string[] {
  const out: string[] = [];
  for (const i of model.inputs) {
    out.push(`- ${mdCode(i.file)}: ${i.variant}, ${plural(i.packets, 'packet')}, ${i.bytes} bytes`);
    for (const note of inputNotes(i)) out.push(`  - ${note}`);
  }
  const firsts = model.inputs.map((i) => i.first).filter((t): t is string => t !== null);
  const lasts = model.inputs.map((i) => i.last).filter((t): t is string => t !== null);
  if (firsts.length && lasts.length) {
    const first = firsts.reduce((a, b) => (isoToMs(b) < isoToMs(a) ? b : a));
    const last = lasts.reduce((a, b) => (isoToMs(b) > isoToMs(a) ? b : a));
    out.push(`- time span: ${first} to ${last} (${humanDuration(isoToMs(last) - isoToMs(first))})`);
  }
  out.push(`- ${plural(model.summary.packets, 'packet')}, ${plural(model.summary.sessions, 'SMTP session')}, ${plural(model.summary.messages, 'message')}`);
  return out;
}

function verdict(model: ReportModel): string {
  const b = model.summary.bySeverity;
  const n = model.findings.length;
  if (n === 0) return `**No problems found** in ${plural(model.summary.sessions, 'SMTP session')}.`;
  return `**${plural(n, 'problem')} found: ${b.error} error, ${b.warning} warning, ${b.notice} notice.**`;
}

function where(f: FindingReport): string {
  return f.session === null ? (f.client ?? '') : String(f.session);
}

function findingSection(f: FindingReport, n: number): string {
  const out = [`### ${n}. ${f.severity}: ${f.rule} (${mdCell(f.id)})`, '', f.summary, ''];
  if (f.evidence.length) {
    const rows = f.evidence.flatMap((e) => {
      const dir = e.dir === 'c2s' ? 'C:' : e.dir === 's2c' ? 'S:' : '  ';
      const prefix = `${String(e.frame).padStart(6)}  ${e.time}  ${dir} `;
      // A multi-line reply is one evidence line joined with LF: continue under its first line.
      return e.line.split(/\r?\n/).map((l, i) => (i === 0 ? prefix : ' '.repeat(prefix.length)) + l);
    });
    out.push('Evidence (frame, time, direction, line):', '', mdFence(rows), '');
  }
  if (f.wireshark) out.push(`Wireshark filter: ${mdCode(f.wireshark)}`, '');
  out.push(`**Advice:** ${f.advice}`, '');
  return out.join('\n');
}

function sessionRow(s: SessionReport): string[] {
  const duration = s.end ? humanDuration(isoToMs(s.end) - isoToMs(s.start)) : '';
  return [
    String(s.id),
    endpoint(s.client),
    endpoint(s.server),
    s.start,
    duration,
    s.helo ?? '',
    s.tls ? [s.tls.verb, s.tls.started ? (s.tls.version ?? 'started') : 'not started'].join(' ') : '',
    s.auth ? `${s.auth.mechanism} ${s.auth.user ?? ''} ${s.auth.result}`.replace(/ +/g, ' ') : '',
    String(s.transactions.length),
    (s.closedBy ?? '') + (s.midstream ? ' (mid-stream)' : ''),
    String(s.findings.length),
  ];
}

export function renderMarkdown(model: ReportModel): string {
  const out: string[] = ['# smtpscope report', '', '## What was analyzed', '', ...analyzedLine(model), '', '## Verdict', '', verdict(model), ''];
  const findings = [...model.findings].sort((a, b) => ORDER[a.severity] - ORDER[b.severity] || a.frames[0] - b.frames[0]);
  if (findings.length) {
    out.push(
      '## Findings',
      '',
      mdTable(
        ['severity', 'rule', 'session', 'frames', 'summary'],
        findings.map((f) => [f.severity, f.rule, where(f), `${f.frames[0]}-${f.frames[1]}`, f.summary]),
      ),
      '',
    );
    findings.forEach((f, i) => out.push(findingSection(f, i + 1)));
  }
  out.push('## Sessions', '');
  if (model.sessions.length) {
    out.push(
      mdTable(['id', 'client', 'server', 'start', 'duration', 'HELO', 'TLS', 'AUTH', 'transactions', 'end', 'findings'], model.sessions.map(sessionRow)),
    );
  } else {
    out.push('No SMTP sessions found.');
  }
  out.push('', `<sub>${model.tool.name} ${model.tool.version}, report schema ${model.schemaVersion}</sub>`);
  return out.join('\n') + '\n';
}
