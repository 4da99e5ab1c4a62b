/**
 * The HTML report's only stylesheet, inlined: the file must read the same when it is
 * opened from a ticket years later, offline, so there is no web font, no external
 * sheet and no image. Fonts are whatever the reader's system has (generic families
 * last). Print rules keep findings whole, keep the severity colours, and let the
 * ladder diagrams scale to the page width.
 */
export const HTML_CSS = `
:root {
  --fg: #1d2433; --muted: #5b6475; --line: #d5dae3; --bg-soft: #f5f7fa;
  --error: #b42318; --error-bg: #fef3f2; --warning: #a15c07; --warning-bg: #fffaeb;
  --notice: #1d5bbf; --notice-bg: #eff5ff; --ok: #067647; --ok-bg: #ecfdf3;
  --c2s: #1d2433; --s2c: #3e6b54;
  --mono: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, "Liberation Mono", monospace;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0 auto; max-width: 1180px; padding: 24px 28px 48px; color: var(--fg); background: #fff;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", Arial, sans-serif; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 36px 0 12px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h3 { font-size: 16px; margin: 22px 0 8px; }
a { color: var(--notice); }
code, pre, .mono { font-family: var(--mono); font-size: 13px; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: var(--bg-soft); border: 1px solid var(--line);
  border-radius: 6px; padding: 8px 10px; margin: 6px 0; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; font-size: 14px; }
th, td { text-align: left; vertical-align: top; padding: 5px 8px; border-bottom: 1px solid var(--line); }
th { background: var(--bg-soft); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.subtitle { color: var(--muted); margin: 0 0 18px; }
.inputs li { margin: 2px 0; }
.damage { color: var(--error); }
.verdict { border-radius: 8px; padding: 12px 16px; margin: 14px 0; font-size: 17px; font-weight: 600;
  border: 1px solid; }
.verdict.v-ok { color: var(--ok); background: var(--ok-bg); }
.verdict.v-error { color: var(--error); background: var(--error-bg); }
.verdict.v-warning { color: var(--warning); background: var(--warning-bg); }
.verdict.v-notice { color: var(--notice); background: var(--notice-bg); }
.counts { display: flex; gap: 12px; flex-wrap: wrap; margin: 10px 0 4px; }
.count { min-width: 130px; border-radius: 8px; padding: 8px 14px; border: 1px solid var(--line); }
.count b { display: block; font-size: 26px; line-height: 1.1; }
.count.sev-error { color: var(--error); background: var(--error-bg); }
.count.sev-warning { color: var(--warning); background: var(--warning-bg); }
.count.sev-notice { color: var(--notice); background: var(--notice-bg); }
.badge { display: inline-block; border-radius: 10px; padding: 0 8px; font-size: 12px; font-weight: 600;
  text-transform: uppercase; letter-spacing: .03em; border: 1px solid; white-space: nowrap; }
.badge.sev-error { color: var(--error); background: var(--error-bg); }
.badge.sev-warning { color: var(--warning); background: var(--warning-bg); }
.badge.sev-notice { color: var(--notice); background: var(--notice-bg); }
.finding { border: 1px solid var(--line); border-left: 5px solid var(--muted); border-radius: 6px;
  padding: 10px 14px; margin: 12px 0; }
.finding.sev-error { border-left-color: var(--error); }
.finding.sev-warning { border-left-color: var(--warning); }
.finding.sev-notice { border-left-color: var(--notice); }
.finding h3 { margin: 0 0 6px; display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; }
.finding .where { color: var(--muted); font-weight: normal; font-size: 14px; }
.finding dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 14px; margin: 8px 0 0; }
.finding dt { color: var(--muted); }
.finding dd { margin: 0; min-width: 0; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 3px 16px; margin: 8px 0 14px; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; overflow-wrap: anywhere; min-width: 0; }
.session { margin-top: 28px; }
figure.ladder-fig { margin: 10px 0 16px; overflow-x: auto; border: 1px solid var(--line); border-radius: 6px; padding: 6px; }
figure.ladder-fig figcaption { color: var(--muted); font-size: 13px; padding: 2px 4px 6px; }
svg.ladder { display: block; max-width: 100%; height: auto; font-family: var(--mono); font-size: 12px; }
svg.ladder text { white-space: pre; fill: var(--fg); }
svg.ladder .who { font-weight: 700; font-size: 13px; text-transform: uppercase; letter-spacing: .08em; }
svg.ladder .endpoint { fill: var(--muted); }
svg.ladder .colhead { fill: var(--muted); font-size: 11px; }
svg.ladder .lifeline { stroke: #8d96a8; stroke-width: 2; }
svg.ladder .frame, svg.ladder .offset { fill: var(--muted); font-size: 11px; }
svg.ladder .arrow line { stroke: var(--c2s); stroke-width: 1.4; }
svg.ladder .arrow polygon { fill: var(--c2s); }
svg.ladder .arrow.s2c line { stroke: var(--s2c); }
svg.ladder .arrow.s2c polygon, svg.ladder .arrow.s2c .label { fill: var(--s2c); }
svg.ladder .arrow.connect line, svg.ladder .arrow.message-cut line { stroke-dasharray: 5 4; }
svg.ladder .arrow.message .label, svg.ladder .arrow.connect .label { font-style: italic; }
svg.ladder .arrow.code-4xx .label { fill: var(--warning); font-weight: 600; }
svg.ladder .arrow.code-5xx .label { fill: var(--error); font-weight: 600; }
svg.ladder .arrow.sev-error line { stroke: var(--error); stroke-width: 2.2; }
svg.ladder .arrow.sev-error polygon { fill: var(--error); }
svg.ladder .arrow.sev-warning line { stroke: var(--warning); stroke-width: 2.2; }
svg.ladder .arrow.sev-warning polygon { fill: var(--warning); }
svg.ladder .latency { fill: var(--muted); font-size: 10.5px; }
svg.ladder .latency.slow { fill: var(--error); font-weight: 700; }
svg.ladder .mark rect { stroke-width: 1; }
svg.ladder .mark text { font-size: 11px; font-weight: 600; }
svg.ladder .mark.sev-error rect { fill: var(--error-bg); stroke: var(--error); }
svg.ladder .mark.sev-error text { fill: var(--error); }
svg.ladder .mark.sev-warning rect { fill: var(--warning-bg); stroke: var(--warning); }
svg.ladder .mark.sev-warning text { fill: var(--warning); }
svg.ladder .mark.sev-notice rect { fill: var(--notice-bg); stroke: var(--notice); }
svg.ladder .mark.sev-notice text { fill: var(--notice); }
svg.ladder .note rect { fill: var(--bg-soft); stroke: #aab2c0; stroke-dasharray: 4 3; }
svg.ladder .note text { fill: var(--muted); font-style: italic; }
svg.ladder .note.tls rect { fill: var(--ok-bg); stroke: var(--ok); }
svg.ladder .note.tls text { fill: var(--ok); }
table.transcript { font-family: var(--mono); font-size: 12.5px; }
table.transcript td { padding: 2px 8px; border-bottom: 1px solid #eef0f4; }
table.transcript td.line { white-space: pre-wrap; overflow-wrap: anywhere; width: 100%; }
table.transcript tr.s2c td.line { color: var(--s2c); }
table.transcript tr.note td.line { color: var(--muted); font-style: italic; }
table.transcript tr.marked td { background: var(--warning-bg); }
table.transcript td.rules { white-space: nowrap; }
.dir { font-weight: 700; }
td.num, td.nowrap, table.findings td:nth-child(-n+3), table.sessions td:nth-child(-n+4) { white-space: nowrap; }
.badge.rule { text-transform: none; letter-spacing: 0; font-family: var(--mono); font-weight: 600; text-decoration: none; }
table.transcript td.slow { color: var(--error); font-weight: 700; }
.muted { color: var(--muted); }
footer { margin-top: 40px; color: var(--muted); font-size: 13px; border-top: 1px solid var(--line); padding-top: 8px; }
@media print {
  @page { margin: 14mm 12mm; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  h2 { break-after: avoid; }
  .finding, .verdict, .counts, tr { break-inside: avoid; }
  figure.ladder-fig { overflow: visible; border: none; padding: 0; }
  a { color: inherit; text-decoration: none; }
  pre, table.transcript td.line { white-space: pre-wrap; }
}
`;
