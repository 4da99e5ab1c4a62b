/**
 * Issue 5: every fixture's JSON report validates against the JSON Schema shipped in the
 * package (schema/report.schema.json, draft 2020-12), and so does every conformance
 * capture's; the schema is strict (additionalProperties false), so a field added to the
 * report without the schema fails here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/index.js';
import { allCaptures, rel, ROOT } from '../helpers/corpus.js';

const schema = JSON.parse(readFileSync(join(ROOT, 'schema/report.schema.json'), 'utf8')) as object;
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);

describe('the JSON report validates against schema/report.schema.json', () => {
  it('the package ships the schema', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
    expect(pkg.files).toContain('schema');
  });

  it('rejects a report with a field the contract does not know', async () => {
    const model = JSON.parse(JSON.stringify(await analyze([join(ROOT, 'fixtures/captures/mission/relay-denied.pcap')])));
    expect(validate(model)).toBe(true);
    model.findings[0].surprise = 1;
    expect(validate(model)).toBe(false);
  });

  for (const file of allCaptures()) {
    it(rel(file), async () => {
      const model = await analyze([file]).catch((e: Error) => e);
      if (model instanceof Error) return; // unreadable inputs: the capture tests cover them
      const ok = validate(JSON.parse(JSON.stringify(model)));
      expect(ok ? [] : validate.errors?.slice(0, 5)).toEqual([]);
    });
  }
});
