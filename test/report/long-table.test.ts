/**
 * report/long-table.ts: a long table drawn in blocks is, character for character, the
 * table one cli-table3 table draws: with fixed widths and word wrap (the analyze report),
 * with widths computed from the content and compact separators (smtpscope sessions), and
 * with cli-table3's default separators between every row.
 */
import Table from 'cli-table3';
import { describe, expect, it } from 'vitest';
import { drawTable, TABLE_BLOCK_ROWS } from '../../src/report/long-table.js';
import { prng } from '../helpers/prng.js';

type Options = ConstructorParameters<typeof Table>[0] & object;

function oneTable(options: Options, rows: string[][]): string {
  const t = new Table(options);
  for (const r of rows) t.push(r);
  return t.toString();
}

const WORDS = ['mail.example.net', 'EHLO', 'a', 'héllo', 'wörld', '中文', 'localhost.localdomain', 'TLSv1.3', 'x'.repeat(30), '10.0.0.1:25'];

/** Rows of `cols` cells from the seed; one cell in the last block is wider than any before it. */
function rowsOf(n: number, cols: number, seed: number): string[][] {
  const rnd = prng(seed);
  const rows: string[][] = [];
  for (let i = 0; i < n; i++) {
    const row: string[] = [String(i + 1)];
    for (let c = 1; c < cols; c++) {
      const k = Math.floor(rnd() * 4);
      row.push(Array.from({ length: k }, () => WORDS[Math.floor(rnd() * WORDS.length)]!).join(' '));
    }
    rows.push(row);
  }
  rows[Math.max(0, n - 2)]![1] = 'the widest cell of the whole table, in its last block';
  return rows;
}

const STYLES: Record<string, Options> = {
  'fixed widths, word wrap (analyze)': { head: ['id', 'client', 'helo'], colWidths: [6, 23, 18], wordWrap: true, style: { head: [], border: [] } },
  'widths from the content, compact (sessions)': {
    head: ['id', 'client', 'helo', 'tls'],
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  },
  'default separators, no head': { style: { head: [], border: [] } },
};

describe('drawTable', () => {
  for (const [name, options] of Object.entries(STYLES)) {
    const cols = options.head?.length ?? 3;
    for (const n of [1, TABLE_BLOCK_ROWS, TABLE_BLOCK_ROWS + 1, 3 * TABLE_BLOCK_ROWS + 7]) {
      it(`${name}: ${n} rows are drawn as one cli-table3 table draws them`, () => {
        const rows = rowsOf(n, cols, n);
        expect(drawTable(options, rows)).toBe(oneTable(options, rows));
      });
    }
  }

  const ASCII_STYLES: Record<string, Options> = {
    'compact (smtpscope sessions)': STYLES['widths from the content, compact (sessions)']!,
    'default separators, no head': STYLES['default separators, no head']!,
    'wider padding, own corners': { head: ['a', 'b', 'c'], style: { head: [], border: [], 'padding-left': 2, 'padding-right': 0 }, chars: { 'top-left': '+', 'bottom-right': '+' } },
  };
  for (const [name, options] of Object.entries(ASCII_STYLES)) {
    for (const n of [TABLE_BLOCK_ROWS + 1, 3 * TABLE_BLOCK_ROWS + 7]) {
      it(`one-line ASCII cells, ${name}: ${n} rows drawn directly are what cli-table3 draws`, () => {
        const cols = options.head?.length ?? 3;
        const rows = rowsOf(n, cols, n + 1).map((r) => r.map((c) => c.replace(/[^\x20-\x7e]/g, 'x')));
        rows[3]![cols - 1] = '';
        const proto = Table.prototype as unknown as { toString(this: unknown[]): string };
        const original = proto.toString;
        let drawn = 0;
        proto.toString = function (this: unknown[]) {
          drawn++;
          return original.call(this);
        };
        let got: string;
        try {
          got = drawTable(options, rows);
        } finally {
          proto.toString = original;
        }
        expect(drawn).toBe(0); // the direct path, not cli-table3's layout
        expect(got).toBe(oneTable(options, rows));
      });
    }
  }

  it('never lays out more than TABLE_BLOCK_ROWS rows in one cli-table3 table (its layout is quadratic in rows)', () => {
    const rows = rowsOf(5 * TABLE_BLOCK_ROWS + 3, 3, 9);
    const proto = Table.prototype as unknown as { toString(this: unknown[]): string };
    const original = proto.toString;
    let most = 0;
    let tables = 0;
    proto.toString = function (this: unknown[]) {
      tables++;
      most = Math.max(most, this.length);
      return original.call(this);
    };
    try {
      for (const options of Object.values(STYLES)) drawTable(options, rows);
    } finally {
      proto.toString = original;
    }
    expect(tables).toBeGreaterThanOrEqual(3 * 6);
    expect(most).toBe(TABLE_BLOCK_ROWS);
  });
});
