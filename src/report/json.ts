/**
 * `--format json`: the report model as one document, `JSON.stringify(model, null, 2)`.
 * jsonChunks() gives the same text in pieces (the document's head, then each session,
 * finding and flow on its own), so that the CLI writes a large report as it goes
 * instead of holding it whole: the 4 GB bench capture's document is 79 MB, held once as
 * a string and once more as the UTF-8 bytes written. The pieces are JSON.stringify's
 * own output for each value, indented by the depth at which it sits (a JSON text has a
 * raw newline only where the indentation put one), so joined they are the same bytes;
 * test/report/json.test.ts compares the two.
 */
import type { ReportModel } from './model.js';

/** Arrays of the model that grow with the capture: written one element at a time. */
const LONG: ReadonlySet<string> = new Set(['sessions', 'findings', 'flows']);

function indent(text: string, pad: string): string {
  return text.includes('\n') ? text.replace(/\n/g, '\n' + pad) : text;
}

export function* jsonChunks(model: ReportModel): Generator<string> {
  const entries = Object.entries(model).filter(([, v]) => v !== undefined && typeof v !== 'function');
  if (entries.length === 0) {
    yield '{}\n';
    return;
  }
  yield '{';
  let first = true;
  for (const [key, value] of entries) {
    const head = `${first ? '' : ','}\n  ${JSON.stringify(key)}: `;
    first = false;
    if (LONG.has(key) && Array.isArray(value) && value.length > 0) {
      yield head + '[';
      for (let i = 0; i < value.length; i++) {
        // JSON.stringify writes null for an undefined or function element of an array.
        const el = JSON.stringify(value[i], null, 2) ?? 'null';
        yield `${i === 0 ? '' : ','}\n    ${indent(el, '    ')}`;
      }
      yield '\n  ]';
      continue;
    }
    yield head + indent(JSON.stringify(value, null, 2), '  ');
  }
  yield '\n}\n';
}

export function renderJson(model: ReportModel): string {
  return [...jsonChunks(model)].join('');
}
