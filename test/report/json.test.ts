/**
 * The JSON report written in pieces (src/report/json.ts jsonChunks, src/report/jsonl.ts
 * jsonlChunks; the CLI writes them as they come) is the same text as the whole document,
 * JSON.stringify(model, null, 2), on every fixture and conformance capture, and on models
 * with the edge cases of the indentation: empty arrays, nested arrays, strings holding
 * newlines, quotes and non-ASCII text.
 */
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/index.js';
import { jsonChunks, renderJson } from '../../src/report/json.js';
import { jsonlChunks, renderJsonl } from '../../src/report/jsonl.js';
import type { ReportModel } from '../../src/report/model.js';
import { allCaptures, rel } from '../helpers/corpus.js';

const whole = (m: unknown): string => JSON.stringify(m, null, 2) + '\n';

describe('JSON report in pieces', () => {
  it('equals JSON.stringify(model, null, 2) on every fixture and conformance capture, and jsonl its lines', async () => {
    let sessions = 0;
    for (const file of allCaptures()) {
      const model = await analyze([file]).catch(() => null);
      if (model === null) continue; // refused as a whole (the damage tests cover those)
      const chunks = [...jsonChunks(model)];
      expect(chunks.join(''), rel(file)).toBe(whole(model));
      expect(renderJson(model), rel(file)).toBe(whole(model));
      // One piece per session, finding and flow: nothing grows with the capture.
      expect(chunks.length, rel(file)).toBeGreaterThanOrEqual(model.sessions.length + model.findings.length + model.flows.length);
      const lines = [...jsonlChunks(model)];
      expect(lines.join(''), rel(file)).toBe(renderJsonl(model));
      expect(lines.length).toBe(model.sessions.length + model.findings.length + 1);
      for (const l of lines) expect(l.endsWith('\n') && !l.slice(0, -1).includes('\n')).toBe(true);
      sessions += model.sessions.length;
    }
    expect(sessions).toBeGreaterThan(100);
  }, 120_000);

  it('edge cases of indentation: empty and nested arrays, text with newlines, quotes, non-ASCII, undefined fields', () => {
    const model = {
      schemaVersion: 1,
      tool: { name: 'smtpscope', version: '0.0.0' },
      inputs: [],
      skipped: undefined,
      summary: { sessions: 2, nested: [[1, [2, []]], {}] },
      sessions: [
        { id: 1, greeting: '220 a\nb "q" \u00e9 \u2028', lines: ['x', '  y'], empty: [], obj: {} },
        { id: 2, commands: [{ verb: 'MAIL', reply: null, lines: [] }], undef: undefined },
      ],
      findings: [],
      flows: [{ tcpStream: 0, c2s: { gaps: 0 } }],
    } as unknown as ReportModel;
    expect([...jsonChunks(model)].join('')).toBe(whole(model));
    expect([...jsonChunks({} as ReportModel)].join('')).toBe(whole({}));
  });
});
