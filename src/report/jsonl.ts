/**
 * `--format jsonl` (spec/interface.md): one JSON object per line, for `jq -c` and log
 * shippers. `{"type":"session",...}` per session and `{"type":"finding",...}` per finding,
 * each with exactly the fields of the JSON report's entries, then one `{"type":"summary",...}`
 * carrying the report's summary plus schemaVersion, tool and inputs (so a consumer that
 * reads only the last line still knows what was analyzed). jsonlChunks() gives the lines
 * one at a time, for the CLI to write as it goes (report/json.ts says why).
 */
import type { ReportModel } from './model.js';

export function* jsonlChunks(model: ReportModel): Generator<string> {
  for (const s of model.sessions) yield JSON.stringify({ type: 'session', ...s }) + '\n';
  for (const f of model.findings) yield JSON.stringify({ type: 'finding', ...f }) + '\n';
  yield JSON.stringify({ type: 'summary', schemaVersion: model.schemaVersion, tool: model.tool, inputs: model.inputs, ...model.summary }) + '\n';
}

export function renderJsonl(model: ReportModel): string {
  return [...jsonlChunks(model)].join('');
}
