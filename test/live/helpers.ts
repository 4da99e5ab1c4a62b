/** Shared by the live-capture tests: the built CLI as a process, and whether lo can be captured. */
import { execFileSync, spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/corpus.js';

export { ROOT };
export const DIST_MAIN = join(ROOT, 'dist', 'cli', 'main.js');

/** `npm test` builds first; a bare `vitest run test/live` builds here when dist is missing. */
export function ensureBuilt(): void {
  if (existsSync(DIST_MAIN)) return;
  try {
    execFileSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'pipe' });
  } catch {
    /* tsc emits despite type errors elsewhere */
  }
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(argv: string[], env: NodeJS.ProcessEnv = {}): Run {
  const r = spawnSync(process.execPath, [DIST_MAIN, ...argv], { cwd: ROOT, env: { ...process.env, ...env }, maxBuffer: 256 << 20 });
  return { code: r.status ?? -1, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
}

/**
 * Why live capture on lo cannot be tested here, or null when it can: root (or
 * CAP_NET_RAW) and a working cap module are needed. Probed in a child process, so
 * the test worker never loads libpcap.
 */
export function loCaptureUnavailable(): string | null {
  if (process.platform !== 'linux') return 'live capture on lo is tested on Linux only';
  const probe = spawnSync(
    process.execPath,
    ['-e', "const {Cap}=require('cap');const c=new Cap();c.open('lo','tcp port 9',1<<20,Buffer.alloc(65536));c.close();"],
    { cwd: ROOT, encoding: 'utf8' },
  );
  if (probe.status === 0) return null;
  const why = (probe.stderr || '').split('\n').find((l) => /Error/.test(l)) ?? 'cap cannot open lo';
  return `cannot capture on lo (${process.getuid?.() === 0 ? 'root' : 'not root'}: ${why.trim()}); run as root with libpcap and cap built`;
}

export interface LiveChild {
  proc: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  /** Resolves once the child says it is capturing. */
  capturing: Promise<void>;
  exited: Promise<number>;
}

/** Starts `smtpscope live ...` and collects its output. */
export function startLive(argv: string[]): LiveChild {
  const proc = spawn(process.execPath, [DIST_MAIN, 'live', ...argv], { cwd: ROOT, env: { ...process.env, CI: '1' } });
  let out = '';
  let err = '';
  let ready: () => void;
  const capturing = new Promise<void>((r) => (ready = r));
  proc.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  proc.stderr.on('data', (c: Buffer) => {
    err += c.toString('utf8');
    if (err.includes('smtpscope: capturing on')) ready();
  });
  const exited = new Promise<number>((r) => proc.on('exit', (code, sig) => r(code ?? (sig ? 128 : -1))));
  exited.then(() => ready());
  return { proc, stdout: () => out, stderr: () => err, capturing, exited };
}
