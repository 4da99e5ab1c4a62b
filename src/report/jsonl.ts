/**
 * `--format jsonl` (spec/interface.md): one JSON object per line, for `jq -c` and log
 * shippers. `{"type":"session",...}` per session and `{"type":"finding",...}` per finding,
 * each with exactly the fields of the JSON report's entries, then one `{"type":"summary",...}`
 * carrying the report's summary plus schemaVersion, tool and inputs (so a consumer that
 * reads only the last line still knows what was analyzed).
 */
import type { ReportModel } from './model.js';

export function renderJsonl(model: ReportModel): string {
  const lines: string[] = [];
  for (const s of model.sessions) lines.push(JSON.stringify({ type: 'session', ...s }));
  for (const f of model.findings) lines.push(JSON.stringify({ type: 'finding', ...f }));
  lines.push(
    JSON.stringify({ type: 'summary', schemaVersion: model.schemaVersion, tool: model.tool, inputs: model.inputs, ...model.summary }),
  );
  return lines.join('\n') + '\n';
}
