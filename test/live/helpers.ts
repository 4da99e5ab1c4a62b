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
  /** Ctrl-C: stops the capture, which then prints its report. */
  interrupt: () => void;
}

/** `script -c` runs a command on a pseudo-terminal (util-linux); null when it is not installed. */
export const SCRIPT = spawnSync('sh', ['-c', 'command -v script'], { encoding: 'utf8' }).stdout.trim() || null;

const shellQuote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;

/**
 * Starts `smtpscope live ...` and collects its output. With `terminal`, it runs on a
 * pseudo-terminal (script(1)) with CI unset, so it draws its status line; stdout() is
 * then everything the terminal showed (standard output and error, status redraws).
 */
export function startLive(argv: string[], opts: { terminal?: boolean; env?: NodeJS.ProcessEnv } = {}): LiveChild {
  const args = [DIST_MAIN, 'live', ...argv];
  let proc: ChildProcessWithoutNullStreams;
  if (opts.terminal) {
    if (!SCRIPT) throw new Error('script(1) is not installed (util-linux)');
    const { CI: _ci, ...env } = process.env;
    // -e: script exits with the command's status; -f: flush as it comes.
    const cmd = ['exec', process.execPath, ...args].map(shellQuote).join(' ');
    proc = spawn(SCRIPT, ['-qefc', cmd, '/dev/null'], { cwd: ROOT, env: { ...env, TERM: 'xterm', ...opts.env } });
  } else {
    proc = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, CI: '1', ...opts.env } });
  }
  let out = '';
  let err = '';
  let ready: () => void;
  const capturing = new Promise<void>((r) => (ready = r));
  const check = () => {
    if ((opts.terminal ? out : err).includes('smtpscope: capturing on')) ready();
  };
  proc.stdout.on('data', (c: Buffer) => {
    out += c.toString('utf8');
    check();
  });
  proc.stderr.on('data', (c: Buffer) => {
    err += c.toString('utf8');
    check();
  });
  const exited = new Promise<number>((r) => proc.on('exit', (code, sig) => r(code ?? (sig ? 128 : -1))));
  exited.then(() => ready());
  // On the terminal, ^C is typed: the line discipline sends SIGINT to the foreground process.
  const interrupt = () => (opts.terminal ? proc.stdin.write('\x03') : proc.kill('SIGINT'));
  return { proc, stdout: () => out, stderr: () => err, capturing, exited, interrupt };
}

export interface ClosingLine {
  captured: number;
  device: string;
  /** null: "kernel drops unknown". */
  kernelDrops: number | null;
  matched: number | null;
  ifDrops: number | null;
  sessions: number;
}

/** The line `live` prints on standard error when it stops. */
export function closingLine(output: string): ClosingLine | null {
  const m = /smtpscope: captured (\d+) packets on (\S+), (?:(\d+) dropped by the kernel(?: \((\d+) matched the filter(?:, (\d+) lost by the interface)?\))?|kernel drops unknown: [^;]*); (\d+) SMTP session/.exec(output);
  if (!m) return null;
  const n = (s: string | undefined) => (s === undefined ? null : Number(s));
  return { captured: Number(m[1]), device: m[2]!, kernelDrops: n(m[3]), matched: n(m[4]), ifDrops: n(m[5]), sessions: Number(m[6]) };
}

/** The drop counts the status line showed, in order ("n/a" when unknown). */
export function statusDrops(terminal: string): string[] {
  return [...terminal.matchAll(/ pkts {2}drops (\S+) {2}SMTP/g)].map((m) => m[1]!);
}
