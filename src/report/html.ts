/**
 * `--format html`: one self-contained file to attach to a ticket. Verdict and what
 * was analyzed first, then the findings (severity, rule, summary, evidence,
 * Wireshark filter, advice), then each session with its facts, a ladder diagram
 * (inline SVG, ./html-ladder.ts) and its transcript.
 *
 * Self-contained means: no script, no external stylesheet, font or image, and a
 * Content-Security-Policy that forbids fetching anything (default-src 'none'), so
 * even a rendering mistake cannot make the page call out when it is opened. Every
 * string from the capture is hostile and goes through `esc` (./html-escape.ts).
 */
import { esc } from './html-escape.js';
import { formatLatency, formatOffset, renderLadder } from './html-ladder.js';
import { sessionSteps, type BodySize, type Step } from './html-steps.js';
import { HTML_CSS } from './html-style.js';
import { inputNotes, type FindingReport, type ReportModel, type SessionReport } from './model.js';
import { endpoint, humanDuration } from './markdown.js';
import { isoToMs } from '../util/time.js';

export type { BodySize } from './html-steps.js';

export interface HtmlOptions {
  /** Message body facts (library `inspect()`), for "[message N bytes, L lines]"; without them sizes come from the transactions. */
  bodies?: readonly BodySize[];
}

const ORDER = { error: 0, warning: 1, notice: 2 } as const;
const SEVERITY_ORDER = ['error', 'warning', 'notice'] as const;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function sessionAnchor(id: number): string {
  return `session-${id}`;
}

function whereCell(f: FindingReport): string {
  if (f.session !== null) return `<a href="#${sessionAnchor(f.session)}">session ${f.session}</a>`;
  return f.client ? `client ${esc(f.client)}` : '';
}

function analyzed(model: ReportModel): string {
  const items = model.inputs.map((i) => {
    const span = i.first && i.last ? `, ${esc(i.first)} to ${esc(i.last)}` : '';
    const notes = inputNotes(i)
      .map((n) => `<br><span class="damage">${esc(n)}</span>`)
      .join('');
    return `<li><code>${esc(i.file)}</code>: ${esc(i.variant)}, ${plural(i.packets, 'packet')}, ${esc(i.bytes)} bytes${span}${notes}</li>`;
  });
  const firsts = model.inputs.map((i) => i.first).filter((t): t is string => t !== null);
  const lasts = model.inputs.map((i) => i.last).filter((t): t is string => t !== null);
  let span = '';
  if (firsts.length && lasts.length) {
    const first = Math.min(...firsts.map(isoToMs));
    const last = Math.max(...lasts.map(isoToMs));
    span = `, spanning ${esc(humanDuration(last - first))}`;
  }
  const s = model.summary;
  return [
    '<h2 id="analyzed">What was analyzed</h2>',
    `<ul class="inputs">${items.join('')}</ul>`,
    `<p>${plural(s.packets, 'packet')}${span}: ${plural(s.sessions, 'SMTP session')}, ${plural(s.messages, 'message')}.</p>`,
  ].join('\n');
}

function verdict(model: ReportModel): string {
  const b = model.summary.bySeverity;
  const n = model.findings.length;
  const worst = SEVERITY_ORDER.find((sev) => b[sev] > 0);
  const text =
    n === 0
      ? `No problems found in ${plural(model.summary.sessions, 'SMTP session')}.`
      : `${plural(n, 'problem')} found in ${plural(model.summary.sessions, 'SMTP session')}: ${b.error} error, ${b.warning} warning, ${b.notice} notice.`;
  const counts = SEVERITY_ORDER.map((sev) => `<div class="count sev-${sev}"><b>${b[sev]}</b>${sev}${b[sev] === 1 ? '' : 's'}</div>`).join('');
  return [
    '<h2 id="verdict">Verdict</h2>',
    `<p class="verdict v-${worst ?? 'ok'}">${esc(text)}</p>`,
    `<div class="counts" aria-label="findings by severity">${counts}</div>`,
  ].join('\n');
}

function findingsTable(findings: readonly FindingReport[], anchor: (id: string) => string): string {
  const rows = findings.map(
    (f) =>
      `<tr><td><span class="badge sev-${f.severity}">${f.severity}</span></td><td><a href="#${anchor(f.id)}"><code>${esc(f.rule)}</code></a></td>` +
      `<td>${whereCell(f)}</td><td class="num">${f.frames[0]}–${f.frames[1]}</td><td>${esc(f.summary)}</td></tr>`,
  );
  return `<table class="findings"><thead><tr><th>severity</th><th>rule</th><th>where</th><th class="num">frames</th><th>summary</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function findingArticle(f: FindingReport, n: number, anchor: (id: string) => string): string {
  const evidence = f.evidence.length
    ? `<pre class="evidence">${f.evidence
        .map((e) => {
          const dir = e.dir === 'c2s' ? 'C:' : e.dir === 's2c' ? 'S:' : '  ';
          const prefix = `${String(e.frame).padStart(6)}  ${e.time}  ${dir} `;
          // A multi-line reply is one evidence line joined with LF: continue under its first line.
          return esc(e.line.split(/\r?\n/).map((l, i) => (i === 0 ? prefix : ' '.repeat(prefix.length)) + l).join('\n'));
        })
        .join('\n')}</pre>`
    : '<p class="muted">No evidence lines.</p>';
  return [
    `<article class="finding sev-${f.severity}" id="${anchor(f.id)}">`,
    `<h3><span class="badge sev-${f.severity}">${f.severity}</span> <span>${n}. <code>${esc(f.rule)}</code></span> <span class="where">${esc(f.id)}${f.session !== null ? `, ${whereCell(f)}` : f.client ? `, client ${esc(f.client)}` : ''}, frames ${f.frames[0]}–${f.frames[1]}</span></h3>`,
    `<p>${esc(f.summary)}</p>`,
    '<dl>',
    `<dt>Evidence</dt><dd>${evidence}</dd>`,
    f.wireshark ? `<dt>Wireshark filter</dt><dd><code class="filter">${esc(f.wireshark)}</code></dd>` : '',
    `<dt>Advice</dt><dd>${esc(f.advice)}</dd>`,
    '</dl>',
    '</article>',
  ].join('\n');
}

function facts(s: SessionReport): string {
  const rows: [string, string][] = [];
  const duration = s.end ? ` (${humanDuration(isoToMs(s.end) - isoToMs(s.start))})` : '';
  rows.push(['Time', `${esc(s.start)} to ${esc(s.end ?? 'unknown')}${esc(duration)}`]);
  rows.push(['Wireshark', `<code>tcp.stream eq ${s.tcpStream}</code>`]);
  if (s.greeting !== null) rows.push(['Greeting', `<code>${esc(s.greeting)}</code>`]);
  if (s.helo !== null) rows.push(['HELO/EHLO name', `<code>${esc(s.helo)}</code>`]);
  if (s.extensions.length) rows.push(['Extensions', esc(s.extensions.join(', '))]);
  if (s.tls) {
    const t = s.tls;
    rows.push(['TLS', esc([t.verb, t.started ? 'started' : 'not started', t.version, t.sni ? `SNI ${t.sni}` : null, t.alert ? `alert: ${t.alert}` : null].filter(Boolean).join(', '))]);
  }
  if (s.auth) rows.push(['AUTH', esc(`${s.auth.mechanism}${s.auth.user ? ` as ${s.auth.user}` : ''}: ${s.auth.result}`)]);
  s.transactions.forEach((t, i) => {
    const rcpts = t.rcpts.map((r) => `${r.address}${r.code !== null ? ` (${r.code})` : ''}`).join(', ');
    const parts = [`from ${t.mailFrom ?? '?'}`, rcpts ? `to ${rcpts}` : 'no recipients', t.dataBytes ? `${t.dataBytes} bytes` : null];
    if (t.headers?.subject) parts.push(`subject “${t.headers.subject}”`);
    if (t.headers?.messageId) parts.push(`Message-ID ${t.headers.messageId}`);
    parts.push(t.result ? `result ${t.result.code} ${t.result.text}` : 'no result');
    rows.push([`Transaction ${i + 1}`, esc(parts.filter(Boolean).join('; '))]);
  });
  if (s.closedBy) rows.push(['Ended by', esc(s.closedBy + (s.midstream ? ' (capture began mid-session)' : ''))]);
  return `<dl class="facts">${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>`;
}

function transcript(s: SessionReport, steps: readonly Step[], anchor: (id: string) => string): string {
  const start = isoToMs(s.start);
  const rows: string[] = [];
  for (const st of steps) {
    if (st.type === 'note') {
      rows.push(`<tr class="note"><td class="num"></td><td class="num">${esc(formatOffset(st.ms, start))}</td><td></td><td></td><td class="line">[${esc(st.text)}]</td><td></td></tr>`);
      continue;
    }
    const marks = st.marks.map((f) => `<a href="#${anchor(f.id)}" class="badge rule sev-${f.severity}">${esc(f.rule)}</a>`).join(' ');
    const lines = st.text.split('\n');
    lines.forEach((line, i) => {
      const first = i === 0;
      rows.push(
        `<tr class="${st.dir}${st.marks.length ? ' marked' : ''}"><td class="num">${first ? st.frame : ''}</td>` +
          `<td class="num">${first ? esc(formatOffset(st.ms, start)) : ''}</td>` +
          `<td class="num${first && st.latencyMs !== null && st.latencyMs >= 1000 ? ' slow' : ''}">${first && st.latencyMs !== null ? esc(formatLatency(st.latencyMs)) : ''}</td>` +
          `<td class="dir">${st.dir === 'c2s' ? 'C:' : 'S:'}</td><td class="line">${esc(line)}</td><td class="rules">${first ? marks : ''}</td></tr>`,
      );
    });
  }
  return (
    `<table class="transcript"><thead><tr><th class="num">frame</th><th class="num">offset</th><th class="num">latency</th><th></th><th>line</th><th>findings</th></tr></thead>` +
    `<tbody>${rows.join('\n')}</tbody></table>`
  );
}

function sessionSection(s: SessionReport, model: ReportModel, bodies: readonly BodySize[] | null, anchor: (id: string) => string): string {
  const { steps, unplaced } = sessionSteps(s, model.findings, bodies);
  const arrows = steps.filter((st) => st.type === 'arrow').length;
  const others = unplaced.length
    ? `<p>Findings of this session not tied to an arrow: ${unplaced.map((f) => `<a href="#${anchor(f.id)}" class="badge rule sev-${f.severity}">${esc(f.rule)}</a> (frames ${f.frames[0]}–${f.frames[1]})`).join(', ')}</p>`
    : '';
  return [
    `<section class="session" id="${sessionAnchor(s.id)}">`,
    `<h2>Session ${s.id}: ${esc(endpoint(s.client))} → ${esc(endpoint(s.server))}</h2>`,
    facts(s),
    `<figure class="ladder-fig"><figcaption>Ladder diagram: ${plural(arrows, 'arrow')}, time going down (rows in order, not to scale; offsets on the left, reply latency under each reply). Hover an arrow for its full text.</figcaption>`,
    renderLadder(s, steps, anchor),
    '</figure>',
    others,
    '<h3>Transcript</h3>',
    transcript(s, steps, anchor),
    '</section>',
  ].join('\n');
}

export function renderHtml(model: ReportModel, options: HtmlOptions = {}): string {
  return [...htmlChunks(model, options)].join('');
}

/**
 * The page in pieces, one per line of the layout below (each finding's article and each
 * session's section one piece, made when it is reached), for the CLI to write as it goes
 * (report/json.ts says why): the page of the 4 GB bench capture is over 200 MB.
 */
export function* htmlChunks(model: ReportModel, options: HtmlOptions = {}): Generator<string> {
  for (const piece of pageLines(model, options)) yield piece + '\n';
}

function* pageLines(model: ReportModel, options: HtmlOptions): Generator<string> {
  const bodies = options.bodies ?? null;
  const anchors = new Map(model.findings.map((f, i) => [f.id, `finding-${i + 1}`]));
  const anchor = (id: string) => anchors.get(id) ?? 'findings';
  const findings = [...model.findings].sort((a, b) => ORDER[a.severity] - ORDER[b.severity] || a.frames[0] - b.frames[0]);
  const title = `smtpscope report: ${model.inputs.map((i) => i.file).join(', ')}`;
  const sessionsTable = model.sessions.length
    ? `<table class="sessions"><thead><tr><th class="num">id</th><th>client</th><th>server</th><th>start</th><th>HELO</th><th>TLS</th><th>AUTH</th><th class="num">transactions</th><th>end</th><th class="num">findings</th></tr></thead><tbody>${model.sessions
        .map(
          (s) =>
            `<tr><td class="num"><a href="#${sessionAnchor(s.id)}">${s.id}</a></td><td>${esc(endpoint(s.client))}</td><td>${esc(endpoint(s.server))}</td><td>${esc(s.start)}</td>` +
            `<td>${esc(s.helo ?? '')}</td><td>${esc(s.tls ? `${s.tls.verb}${s.tls.started ? '' : ' (not started)'}` : '')}</td><td>${esc(s.auth ? `${s.auth.mechanism} ${s.auth.result}` : '')}</td>` +
            `<td class="num">${s.transactions.length}</td><td>${esc(s.closedBy ?? '')}</td><td class="num">${s.findings.length}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : '<p>No SMTP sessions found.</p>';
  yield* [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    // Nothing may be fetched: no script, image, font, frame or connection (CSP Level 3, default-src).
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta name="generator" content="${esc(`${model.tool.name} ${model.tool.version}`)}">`,
    `<title>${esc(title)}</title>`,
    `<style>${HTML_CSS}</style>`,
    '</head>',
    '<body>',
    '<header>',
    '<h1>smtpscope report</h1>',
    `<p class="subtitle">SMTP sessions and problems found in ${esc(model.inputs.map((i) => i.file).join(', '))}</p>`,
    '</header>',
    '<main>',
    analyzed(model),
    verdict(model),
    '<h2 id="findings">Findings</h2>',
    findings.length ? findingsTable(findings, anchor) : '<p>No findings.</p>',
  ];
  for (let i = 0; i < findings.length; i++) yield findingArticle(findings[i]!, i + 1, anchor);
  yield '<h2 id="sessions">Sessions</h2>';
  yield sessionsTable;
  for (const s of model.sessions) yield sessionSection(s, model, bodies, anchor);
  yield* [
    '</main>',
    `<footer>${esc(model.tool.name)} ${esc(model.tool.version)}, report schema ${model.schemaVersion}. Frame numbers are Wireshark's for the same input; times are UTC.</footer>`,
    '</body>',
    '</html>',
  ];
}
