/**
 * test/conformance-findings.md records every finding on the SMTP conformance captures with
 * a judgement. This test re-runs the pipeline (default ports, rules and thresholds, as
 * `smtpscope analyze` does) over the same captures and asserts that the (capture, rule,
 * session) list equals the md's table, so the judged list cannot silently go stale: a rule
 * change that adds or removes a finding must update (and re-judge) the md.
 */
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPipeline } from '../src/pipeline.js';
import { DEFAULT_PORTS } from '../src/ports.js';
import { allCaptures, CONFORMANCE, ROOT } from './helpers/corpus.js';

/** The conformance folders that hold SMTP (netmon-twincat is TwinCAT ADS, not SMTP). */
const SMTP_DIRS = ['zeek', 'suricata-verify', 'wireshark-notes'];
const JUDGEMENTS = new Set(['true', 'false positive', 'debatable']);

interface Row {
  capture: string;
  rule: string;
  session: string;
  judgement: string;
}

function mdRows(): Row[] {
  const md = readFileSync(resolve(ROOT, 'test', 'conformance-findings.md'), 'utf8');
  const rows: Row[] = [];
  for (const line of md.split('\n')) {
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    if (cells.length !== 6 || !SMTP_DIRS.some((d) => cells[0]!.startsWith(`${d}/`))) continue;
    rows.push({ capture: cells[0]!, rule: cells[1]!, session: cells[2]!, judgement: cells[4]! });
  }
  return rows;
}

const key = (r: { capture: string; rule: string; session: string }) => `${r.capture} | ${r.rule} | ${r.session}`;

const captures = allCaptures().filter((p) => p.startsWith(CONFORMANCE) && SMTP_DIRS.includes(relative(CONFORMANCE, p).split('/')[0]!));

describe('conformance findings match test/conformance-findings.md', () => {
  const rows = mdRows();

  it('the md has a judged row per finding and the captures are present', () => {
    expect(captures.length).toBeGreaterThan(80);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(JUDGEMENTS.has(r.judgement), `judgement of ${key(r)}: "${r.judgement}"`).toBe(true);
  });

  it('the counts at the top of the md add up', () => {
    const md = readFileSync(resolve(ROOT, 'test', 'conformance-findings.md'), 'utf8');
    const m = /\*\*(\d+) findings: (\d+) true, (\d+) false positive, (\d+) debatable\.\*\*/.exec(md);
    expect(m, 'counts line').not.toBeNull();
    const count = (j: string) => rows.filter((r) => r.judgement === j).length;
    expect(m!.slice(1).map(Number)).toEqual([rows.length, count('true'), count('false positive'), count('debatable')]);
  });

  it('the pipeline gives exactly the findings the md lists', { timeout: 120_000 }, async () => {
    const got: string[] = [];
    for (const file of captures) {
      const result = await runPipeline([file], { ports: DEFAULT_PORTS, rules: {} });
      const capture = relative(CONFORMANCE, file);
      for (const f of result.findings) got.push(key({ capture, rule: f.rule, session: f.session == null ? '-' : String(f.session) }));
    }
    expect(got.sort()).toEqual(rows.map(key).sort());
  });
});

