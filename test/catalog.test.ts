/**
 * The catalogue in the code and ../shared/spec/rules.md agree: every id in the spec has a
 * module (file name = id) registered in RULES with the spec's severity, and a RuleTester
 * file; no module exists that the spec does not name.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from '../src/rules/index.js';
import { ROOT, SHARED } from './helpers/corpus.js';

const spec = readFileSync(join(SHARED, 'spec', 'rules.md'), 'utf8');
/** Rows of the spec's tables: | `id` | severity | fires when | */
const specRules = [...spec.matchAll(/^\| `([a-z0-9-]+)` \| (notice|warning|error) \|/gm)].map((m) => ({ id: m[1]!, severity: m[2]! }));

describe('rule catalogue', () => {
  it('the spec lists the rules', () => {
    expect(specRules.length).toBeGreaterThan(40);
  });
  it('every registered rule is in the spec with the same severity, and has a module file and a test', () => {
    for (const r of RULES) {
      const s = specRules.find((x) => x.id === r.meta.id);
      expect(s, `${r.meta.id} is not in spec/rules.md`).toBeDefined();
      expect(r.meta.severity).toBe(s!.severity);
      expect(existsSync(join(ROOT, 'src/rules/catalog', `${r.meta.id}.ts`)), `module file for ${r.meta.id}`).toBe(true);
      expect(existsSync(join(ROOT, 'test/rules', `${r.meta.id}.test.ts`)), `RuleTester file for ${r.meta.id}`).toBe(true);
      expect(r.meta.advice.length).toBeGreaterThan(40);
      expect(r.meta.references.length).toBeGreaterThan(0);
    }
  });
  it('every catalog module is registered', () => {
    const files = readdirSync(join(ROOT, 'src/rules/catalog')).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3));
    expect(files.sort()).toEqual(RULES.map((r) => r.meta.id).sort());
  });
  it('supersedes names only known rules', () => {
    const ids = new Set(RULES.map((r) => r.meta.id));
    for (const r of RULES) for (const s of r.meta.supersedes ?? []) expect(ids.has(s), `${r.meta.id} supersedes ${s}`).toBe(true);
  });
  it('every rule of the spec is implemented', () => {
    const ids = new Set(RULES.map((r) => r.meta.id));
    const missing = specRules.filter((s) => !ids.has(s.id)).map((s) => s.id);
    expect(missing).toEqual([]);
  });
});
