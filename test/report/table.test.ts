/** Issue 5: the terminal table fits an 80-column terminal, shows the summary counts, and is coloured only when asked. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/index.js';
import { renderTable, tableStyle, wrap } from '../../src/report/table.js';
import { allCaptures, FIXTURES } from '../helpers/corpus.js';

const ESC = '\u001b[';

describe('terminal table', () => {
  it('fits 80 columns on every capture we ship or were given', async () => {
    for (const f of allCaptures()) {
      const model = await analyze([f]).catch(() => null);
      if (!model) continue;
      const long = renderTable(model, { width: 80 }).split('\n').filter((l) => [...l].length > 80);
      expect(long, f).toEqual([]);
    }
  }, 300_000);

  it('puts the verdict, counts by rule, reply codes and findings by severity first', async () => {
    const model = await analyze([join(FIXTURES, 'captures/mission/503-rcpt-without-mail.pcap')]);
    const text = renderTable(model, { width: 80 });
    expect(text).toMatch(/1 error, 1 warning, 0 notices in 1 SMTP session/);
    expect(text).toMatch(/Findings by rule: .*rcpt-without-mail 1/);
    expect(text).toMatch(/Replies: 2xx \d+, 3xx \d+, 5xx 1 \(503 ×1\)/);
    expect(text.indexOf('ERRORS')).toBeLessThan(text.indexOf('WARNINGS'));
    expect(text).toContain('rcpt-without-mail · session 1 · 10.10.0.5 · frames 22-24');
    expect(text).not.toContain(ESC);
  });

  it('colours only with color: true, and tableStyle honours NO_COLOR and files', async () => {
    const model = await analyze([join(FIXTURES, 'captures/mission/relay-denied.pcap')]);
    expect(renderTable(model, { width: 80, color: true })).toContain(`${ESC}1;31mERRORS`);
    expect(tableStyle(true).color).toBe(false);
    const saved = process.env['NO_COLOR'];
    process.env['NO_COLOR'] = '1';
    try {
      expect(tableStyle(false).color).toBe(false);
    } finally {
      if (saved === undefined) delete process.env['NO_COLOR'];
      else process.env['NO_COLOR'] = saved;
    }
  });

  it('wraps words at the width and cuts a word longer than a line', () => {
    expect(wrap('aaa bbb ccc', 28, '  ')).toEqual(['  aaa bbb ccc']);
    const long = wrap(`x ${'y'.repeat(50)}`, 24, '');
    expect(long.every((l) => l.length <= 24)).toBe(true);
    expect(long.join('')).toBe(`x${'y'.repeat(50)}`);
  });
});
