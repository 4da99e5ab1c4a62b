/** The captures every differential test walks: our fixtures and ../shared/conformance. */
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const SHARED = resolve(ROOT, '..', 'shared');
export const CONFORMANCE = join(SHARED, 'conformance');
export const FIXTURES = join(ROOT, 'fixtures');

const CAPTURE_EXT = /\.(pcap|pcapng|cap)$/i;

function walk(dir: string, out: string[]): string[] {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (CAPTURE_EXT.test(name)) out.push(p);
  }
  return out;
}

/** Every capture file under fixtures/captures and ../shared/conformance, sorted. */
export function allCaptures(): string[] {
  return [...walk(join(FIXTURES, 'captures'), []), ...walk(CONFORMANCE, [])];
}

export function rel(p: string): string {
  return p.startsWith(SHARED) ? 'shared' + p.slice(SHARED.length) : p.slice(ROOT.length + 1);
}
