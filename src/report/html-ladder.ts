/**
 * A session's ladder diagram (message sequence chart) as inline SVG: the client's
 * column on the left, the server's on the right, time going down, one slanted arrow
 * per command and per reply with the line written on it. Rows are spaced by order,
 * not to scale (a 5-second tarpit would otherwise swallow the page); the left
 * gutter gives each arrow's frame number and offset from the session start, and
 * reply arrows carry their latency. Findings are pills at the right end of the
 * arrows their evidence names, linking to the finding.
 *
 * No script, no external reference, no shared `id` (several diagrams live in one
 * page): arrowheads are polygons, not <marker>s. Text is monospace so that widths
 * can be computed here without a browser.
 */
import type { Severity } from '../rules/index.js';
import { esc, truncate } from './html-escape.js';
import type { Arrow, Step } from './html-steps.js';
import type { SessionReport } from './model.js';
import { endpoint } from './markdown.js';
import { isoToMs } from '../util/time.js';

/** Arrows drawn per session; the transcript below the diagram still lists every line. */
export const LADDER_MAX_ARROWS = 1000;

const FONT = 12; // px, monospace: one character is about 0.6 em wide
const CHAR = FONT * 0.6;
const MARK_FONT = 11;
const MARK_CHAR = MARK_FONT * 0.6;
const GUTTER = 128; // frame number and time offset
const CLIENT_X = GUTTER + 24;
const SERVER_X = CLIENT_X + 480;
const MARKS_X = SERVER_X + 14;
const MIN_WIDTH = 920;
const HEAD = 62; // column titles
const ROW = 38;
const NOTE_ROW = 30;
const SLANT = 8; // how far an arrow drops between the columns: time goes down
/** Characters that fit on an arrow between the columns. */
export const LABEL_CHARS = Math.floor((SERVER_X - CLIENT_X - 24) / CHAR);

const RANK: Record<Severity, number> = { notice: 0, warning: 1, error: 2 };

function worst(a: Arrow): Severity | null {
  let w: Severity | null = null;
  for (const f of a.marks) if (w === null || RANK[f.severity] > RANK[w]) w = f.severity;
  return w;
}

export function formatLatency(ms: number): string {
  if (ms < 1) return `${ms.toFixed(3)} ms`;
  if (ms < 1000) return `${ms.toFixed(1)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

export function formatOffset(ms: number | null, startMs: number): string {
  return ms === null ? '' : `+${((ms - startMs) / 1000).toFixed(3)} s`;
}

function arrowSvg(a: Arrow, y: number, startMs: number, anchorOf: (id: string) => string): { svg: string; right: number } {
  const c2s = a.dir === 'c2s';
  const [x1, x2] = c2s ? [CLIENT_X, SERVER_X] : [SERVER_X, CLIENT_X];
  const y1 = y;
  const y2 = y + SLANT;
  const head = c2s ? -9 : 9; // arrowhead points at x2
  const sev = worst(a);
  const cls = ['arrow', a.dir, a.kind, ...(sev ? [`sev-${sev}`] : []), ...(a.code !== null && a.code >= 400 ? [`code-${Math.floor(a.code / 100)}xx`] : [])];
  const label = truncate(a.label, LABEL_CHARS - a.more.length);
  const out: string[] = [];
  out.push(`<g class="${cls.join(' ')}" data-frame="${a.frame}" data-dir="${a.dir}">`);
  // The full text, every line of a multi-line reply: a tooltip on screen, the accessible name for readers.
  out.push(`<title>${esc(`frame ${a.frame}, ${c2s ? 'client → server' : 'server → client'}${a.latencyMs !== null ? `, after ${formatLatency(a.latencyMs)}` : ''}\n${a.text}`)}</title>`);
  out.push(`<text class="frame" x="8" y="${y1 + 4}">#${a.frame}</text>`);
  out.push(`<text class="offset" x="${GUTTER - 4}" y="${y1 + 4}" text-anchor="end">${esc(formatOffset(a.ms, startMs))}</text>`);
  out.push(`<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}"/>`);
  out.push(`<polygon points="${x2},${y2} ${x2 + head},${y2 - 4.5} ${x2 + head},${y2 + 3.5}"/>`);
  out.push(`<text class="label" x="${(CLIENT_X + SERVER_X) / 2}" y="${y1 - 4}" text-anchor="middle">${esc(label.text + a.more)}</text>`);
  if (a.latencyMs !== null) {
    out.push(`<text class="latency${a.latencyMs >= 1000 ? ' slow' : ''}" x="${SERVER_X - 10}" y="${y2 + 13}" text-anchor="end">${esc(formatLatency(a.latencyMs))}</text>`);
  }
  let x = MARKS_X;
  for (const f of a.marks) {
    const w = Math.ceil(f.rule.length * MARK_CHAR + 16);
    const my = y1 + SLANT / 2 - 9;
    out.push(
      `<a class="mark sev-${f.severity}" href="#${anchorOf(f.id)}" data-rule="${esc(f.rule)}" data-finding="${esc(f.id)}">` +
        `<title>${esc(`${f.severity}: ${f.rule} (${f.id})\n${f.summary}`)}</title>` +
        `<rect x="${x}" y="${my}" width="${w}" height="18" rx="9"/>` +
        `<text x="${x + w / 2}" y="${my + 13}" text-anchor="middle">${esc(f.rule)}</text></a>`,
    );
    x += w + 6;
  }
  out.push('</g>');
  return { svg: out.join(''), right: x };
}

function noteSvg(text: string, kind: string, y: number, width: number): string {
  const t = truncate(text, Math.floor((width - CLIENT_X - 24) / CHAR));
  // Between the two lifelines when the text fits there, wider only when it must.
  const w = Math.min(width - CLIENT_X, Math.max(SERVER_X - CLIENT_X + 20, Math.ceil(Array.from(t.text).length * CHAR + 20)));
  return (
    `<g class="note ${kind}"><title>${esc(text)}</title>` +
    `<rect x="${CLIENT_X - 10}" y="${y - 11}" width="${w}" height="20" rx="4"/>` +
    `<text x="${CLIENT_X}" y="${y + 3}">${esc(t.text)}</text></g>`
  );
}

/** The SVG for one session; `anchorOf` maps a finding id to the page anchor of its section. */
export function renderLadder(s: SessionReport, steps: readonly Step[], anchorOf: (id: string) => string): string {
  const startMs = isoToMs(s.start);
  const arrowsTotal = steps.filter((st) => st.type === 'arrow').length;
  const shown: Step[] = [];
  let arrows = 0;
  for (const st of steps) {
    if (st.type === 'arrow' && ++arrows > LADDER_MAX_ARROWS) continue;
    shown.push(st);
  }

  const body: string[] = [];
  const notes: { text: string; kind: string; y: number }[] = [];
  let y = HEAD + 14;
  let right = MIN_WIDTH;
  for (const st of shown) {
    if (st.type === 'note') {
      notes.push({ text: st.text, kind: st.kind, y: y + 2 });
      y += NOTE_ROW;
      continue;
    }
    const { svg, right: r } = arrowSvg(st, y, startMs, anchorOf);
    body.push(svg);
    right = Math.max(right, r + 8);
    y += ROW;
  }
  if (arrowsTotal > LADDER_MAX_ARROWS) {
    notes.push({ text: `… ${arrowsTotal - LADDER_MAX_ARROWS} more arrows not drawn (the diagram stops at ${LADDER_MAX_ARROWS}); the transcript lists every line`, kind: 'cut', y: y + 2 });
    y += NOTE_ROW;
  }
  const height = y + 6;
  const width = right;
  const title = (who: string, e: { ip: string; port: number }, x: number) =>
    `<text class="who" x="${x}" y="18" text-anchor="middle">${who}</text>` +
    `<text class="endpoint" x="${x}" y="34" text-anchor="middle">${esc(truncate(endpoint(e), 44).text)}</text>`;
  return [
    `<svg class="ladder" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="Ladder diagram of session ${s.id}: ${esc(endpoint(s.client))} to ${esc(endpoint(s.server))}">`,
    `<title>Session ${s.id}: ${esc(endpoint(s.client))} → ${esc(endpoint(s.server))}</title>`,
    title('client', s.client, CLIENT_X),
    title('server', s.server, SERVER_X),
    `<text class="colhead" x="8" y="${HEAD - 4}">frame</text><text class="colhead" x="${GUTTER - 4}" y="${HEAD - 4}" text-anchor="end">offset</text>`,
    `<line class="lifeline" x1="${CLIENT_X}" y1="${HEAD - 14}" x2="${CLIENT_X}" y2="${height - 4}"/>`,
    `<line class="lifeline" x1="${SERVER_X}" y1="${HEAD - 14}" x2="${SERVER_X}" y2="${height - 4}"/>`,
    ...notes.map((n) => noteSvg(n.text, n.kind, n.y, width - 8)),
    ...body,
    '</svg>',
  ].join('\n');
}
