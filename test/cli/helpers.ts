/** Drives the CLI in-process (main(argv) with stdout/stderr captured) and as a real process. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { ROOT } from '../helpers/corpus.js';

export { ROOT };
export const CAPTURES = join(ROOT, 'fixtures', 'captures');
export const fixture = (p: string) => join(CAPTURES, p);
export const DIST_MAIN = join(ROOT, 'dist', 'cli', 'main.js');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs main(argv) with process.stdout/stderr.write stubbed; one run at a time. */
export async function runMain(argv: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const ow = process.stdout.write;
  const ew = process.stderr.write;
  const grab = (sink: string[]) =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      sink.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      cb?.();
      return true;
    }) as typeof process.stdout.write;
  process.stdout.write = grab(out);
  process.stderr.write = grab(err);
  try {
    const code = await main(argv);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = ow;
    process.stderr.write = ew;
  }
}

/** Runs the built CLI (node dist/cli/main.js); build it first with npx tsc -p tsconfig.json. */
export function runNode(argv: string[], input?: Buffer): Run {
  const r = spawnSync(process.execPath, [DIST_MAIN, ...argv], { cwd: ROOT, input, maxBuffer: 64 << 20 });
  return { code: r.status ?? -1, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
}

export const distBuilt = () => existsSync(DIST_MAIN);

/** Lines of standard error (without the final newline). */
export function errLines(r: Run): string[] {
  return r.stderr.split('\n').filter((l) => l !== '');
}
