/**
 * cli-table3 for tables of any length. Its layout pass compares every cell with every
 * cell before it (layout-manager's conflictExists, for row and column spans we never
 * use), so one table costs time quadratic in its rows: 3,176 sessions took 1.1 s to draw
 * (the whole analysis of that 1 GB capture: 2.8 s), 12,583 took 10.2 s (4 GB). A long
 * table is therefore drawn in blocks of TABLE_BLOCK_ROWS rows with the same column
 * widths, and the blocks are joined where one table would have its row separator: the
 * text is the same as one cli-table3 table's (test/report/long-table.test.ts), the time
 * linear.
 *
 * Even in blocks, cli-table3 spends about 0.3 ms per row of `smtpscope sessions` (a string
 * width per cell, each compiling the ANSI regular expression again): 2.2 s for 3,176 rows.
 * A long table whose cells are all one line of printable ASCII, with widths computed from
 * the content, no wrapping and no colours (that table), is drawn here directly, with
 * cli-table3's merged characters and padding: the same text (tested against cli-table3).
 */
import Table from 'cli-table3';

/** Rows per cli-table3 table when a long table is drawn in blocks. */
export const TABLE_BLOCK_ROWS = 200;

type Options = ConstructorParameters<typeof Table>[0] & object;

/** The rows as one cli-table3 table with `options` would draw them. */
export function drawTable(options: Options, rows: readonly string[][]): string {
  if (rows.length <= TABLE_BLOCK_ROWS) return draw(options, rows);
  const plain = plainAscii(options, rows);
  if (plain !== null) return plain;
  const blocks: string[][][] = [];
  for (let i = 0; i < rows.length; i += TABLE_BLOCK_ROWS) blocks.push(rows.slice(i, i + TABLE_BLOCK_ROWS));
  const widths = options.colWidths && options.colWidths.length > 0 ? options.colWidths : widestColumns(options, blocks);
  const fixed: Options = { ...options, colWidths: widths };
  const bodyOnly: Options = { ...fixed, head: [] };
  // What one table draws between two body rows: a line of its own, or nothing (compact chars).
  const probe = draw(bodyOnly, [widths.map(() => ''), widths.map(() => '')]).split('\n');
  const separator = probe.length === 5 ? probe[2]! : null;
  const out: string[] = [];
  blocks.forEach((block, k) => {
    const lines = draw(k === 0 ? fixed : bodyOnly, block).split('\n');
    if (k > 0) {
      lines.shift(); // its top border
      if (separator !== null) out.push(separator);
    }
    if (k < blocks.length - 1) lines.pop(); // its bottom border
    out.push(...lines);
  });
  return out.join('\n');
}

function draw(options: Options, rows: readonly string[][]): string {
  const t = new Table(options);
  for (const r of rows) t.push(r);
  return t.toString();
}

/** The width cli-table3 gives each column of the whole table: the widest over the header and every block. */
function widestColumns(options: Options, blocks: readonly string[][][]): number[] {
  const widths: number[] = [];
  const take = (t: InstanceType<typeof Table>): void => {
    t.toString();
    // cli-table3 leaves the widths it computed in options.colWidths.
    (t.options.colWidths as (number | null)[]).forEach((w, i) => {
      if (w !== null && w > (widths[i] ?? 0)) widths[i] = w;
    });
  };
  if (options.head && options.head.length > 0) take(new Table(options));
  for (const block of blocks) {
    const t = new Table({ ...options, head: [] });
    for (const r of block) t.push(r);
    take(t);
  }
  return widths;
}

/** Printable ASCII on one line: its width is its length. */
const PLAIN = /^[\x20-\x7e]*$/;

/**
 * The table drawn directly when cli-table3 would only pad single-line ASCII cells to
 * widths it computes from them (no colWidths, wrap, alignment or colours); null otherwise.
 */
function plainAscii(options: Options, rows: readonly string[][]): string | null {
  if ((options.colWidths && options.colWidths.length > 0) || options.wordWrap || options.rowHeights || options.colAligns || options.rowAligns) return null;
  const head = options.head && options.head.length > 0 ? options.head : null;
  const all = head ? [head, ...rows] : rows;
  const n = all[0]!.length;
  for (const row of all) {
    if (row.length !== n) return null;
    for (const cell of row) if (typeof cell !== 'string' || !PLAIN.test(cell)) return null;
  }
  // cli-table3's own merge of the options: its characters and padding, exactly.
  const merged = new Table(options).options;
  const style = merged.style;
  if (style.head.length > 0 || style.border.length > 0 || style.compact) return null;
  const padL = style['padding-left'];
  const padR = style['padding-right'];
  const ch = merged.chars;
  const widths = new Array<number>(n).fill(0);
  for (const row of all) for (let i = 0; i < n; i++) widths[i] = Math.max(widths[i]!, row[i]!.length + padL + padR);
  const line = (left: string, fill: string, join: string, right: string): string => left + widths.map((w) => fill.repeat(w)).join(join) + right;
  const top = line(ch['top-left'], ch.top, ch['top-mid'], ch['top-right']);
  const bottom = line(ch['bottom-left'], ch.bottom, ch['bottom-mid'], ch['bottom-right']);
  const between = line(ch['left-mid'], ch.mid, ch['mid-mid'], ch['right-mid']);
  const lpad = ' '.repeat(padL);
  const rpad = ' '.repeat(padR);
  const out: string[] = [];
  if (top !== '') out.push(top);
  all.forEach((row, r) => {
    if (r > 0 && between !== '') out.push(between);
    out.push(ch.left + row.map((cell, i) => lpad + cell.padEnd(widths[i]! - padL - padR) + rpad).join(ch.middle) + ch.right);
  });
  if (bottom !== '') out.push(bottom);
  return out.join('\n');
}
