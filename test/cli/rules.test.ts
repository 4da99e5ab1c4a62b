/** `smtpscope rules` and `rules --explain`, derived from each rule's meta. */
import { describe, expect, it } from 'vitest';
import { RULES } from '../../src/index.js';
import { summaryPattern } from '../../src/cli/views/rules.js';
import { errLines, runMain } from './helpers.js';

describe('smtpscope rules', () => {
  it('lists every rule with id, severity, category and title', async () => {
    const r = await runMain(['rules']);
    expect(r.code).toBe(0);
    const rows = r.stdout.split('\n').filter((l) => l.startsWith('│') && !l.includes(' id '));
    expect(rows).toHaveLength(RULES.length);
    RULES.forEach((rule, i) => {
      const cells = rows[i]!.split('│').map((c) => c.trim()).filter(Boolean);
      expect(cells).toEqual([rule.meta.id, rule.meta.severity, rule.meta.category, rule.meta.title]);
    });
  });

  it('json and jsonl carry the metas', async () => {
    const j = JSON.parse((await runMain(['rules', '--format', 'json'])).stdout) as { id: string }[];
    expect(j.map((m) => m.id)).toEqual(RULES.map((r) => r.meta.id));
    const l = (await runMain(['rules', '--format', 'jsonl'])).stdout.trimEnd().split('\n');
    expect(l.map((x) => JSON.parse(x).id)).toEqual(RULES.map((r) => r.meta.id));
  });

  it.each(RULES.map((r) => [r.meta.id]))('--explain %s shows title, severity, meaning, advice, references, thresholds, supersedes', async (id) => {
    const meta = RULES.find((r) => r.meta.id === id)!.meta;
    const r = await runMain(['rules', '--explain', id]);
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toContain(`${meta.id}: ${meta.title}`);
    expect(out).toContain(`Severity: ${meta.severity}`);
    expect(out).toContain(summaryPattern(meta));
    expect(out).toContain(meta.advice);
    for (const ref of meta.references) expect(out).toContain(ref);
    for (const [k, v] of Object.entries(meta.thresholds)) expect(out).toContain(`${k} = ${v}`);
    if (Object.keys(meta.thresholds).length === 0) expect(out).toContain('Thresholds: none');
    for (const s of meta.supersedes ?? []) expect(out).toMatch(new RegExp(`Supersedes: .*\\b${s}\\b`));
  });

  it('--explain of an unknown id: one line, exit 2', async () => {
    const r = await runMain(['rules', '--explain', 'not-a-rule']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(errLines(r)).toEqual(['smtpscope: rules --explain: unknown rule "not-a-rule"; smtpscope rules lists the ids']);
  });

  it('every command has --help with examples', async () => {
    for (const cmd of ['analyze', 'sessions', 'transcript', 'rules']) {
      const r = await runMain([cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Examples:');
      expect(r.stdout).toContain(`smtpscope ${cmd}`);
    }
    const top = await runMain(['--help']);
    for (const cmd of ['analyze', 'sessions', 'transcript', 'rules']) expect(top.stdout).toContain(`smtpscope ${cmd}`);
  });
});
