/**
 * The reading progress bar (issue 5): on a terminal, a bar on standard error with
 * bytes, percent and rate, redrawn at most ~10 times a second and erased at the end;
 * nothing when standard error is piped or CI is set. The end-to-end cases run the
 * built CLI under a pseudo-terminal (script(1), util-linux) on a generated capture of
 * SMTPSCOPE_PROGRESS_BYTES bytes (default 200 MB; the 1 GB of issue 5 by hand:
 * SMTPSCOPE_PROGRESS_BYTES=1e9 npx vitest run test/cli/progress.test.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCapture } from '../../bench/generate.js';
import { readCaptures } from '../../src/capture/index.js';
import { createProgress, formatProgress, humanBytes, inputsSize, progressWanted } from '../../src/cli/progress.js';
import { DIST_MAIN, ROOT, distBuilt, fixture } from './helpers.js';

describe('formatProgress', () => {
  it('shows percent of the total, bytes and rate, within the terminal width', () => {
    const line = formatProgress(250e6, 1e9, 1000, 100);
    expect(line).toMatch(/^reading \[#+\.+\]  25%  250\.0 MB of 1\.0 GB +250\.0 MB\/s$/);
    expect(line.length).toBeLessThan(100);
    expect(formatProgress(0, 1e9, 10, 100)).toMatch(/\[\.+\]   0%/);
    expect(formatProgress(2e9, 1e9, 10, 100)).toMatch(/\[#+\] 100%/); // a growing file never shows more than 100 %
    expect(formatProgress(5e8, 1e9, 1000, 40).length).toBeLessThanOrEqual(39);
  });

  it('keeps the bar the same width as the numbers grow', () => {
    const bar = (n: number) => /\[[#.]+\]/.exec(formatProgress(n, 1.2e9, 1000, 100))![0].length;
    expect(new Set([4e6, 99e6, 100e6, 999e6, 1.1e9].map(bar)).size).toBe(1);
  });

  it('standard input: bytes and rate only (its size is unknown)', () => {
    expect(formatProgress(3_500_000, null, 2000, 80)).toBe('reading 3.5 MB  1.8 MB/s');
    expect(humanBytes(999)).toBe('999 B');
    expect(humanBytes(1500)).toBe('1.5 kB');
  });
});

describe('createProgress', () => {
  function recorder() {
    const writes: string[] = [];
    let t = 0;
    return { writes, sink: { write: (s: string) => writes.push(s), columns: 100 }, now: () => t, advance: (ms: number) => (t += ms) };
  }

  it('redraws at most every 100 ms and erases the bar at the end', () => {
    const r = recorder();
    const p = createProgress({ total: 1000, sink: r.sink, now: r.now });
    for (let i = 1; i <= 100; i++) {
      r.advance(10); // 100 updates over one second
      p.update(i * 10);
    }
    expect(r.writes.length).toBeGreaterThanOrEqual(9);
    expect(r.writes.length).toBeLessThanOrEqual(11);
    for (const w of r.writes) expect(w).toMatch(/^\r.*\x1b\[K$/);
    p.done();
    p.done();
    expect(r.writes.at(-1)).toBe('\r\x1b[K');
    expect(r.writes.filter((w) => w === '\r\x1b[K')).toHaveLength(1);
    p.update(1000);
    expect(r.writes.at(-1)).toBe('\r\x1b[K'); // nothing after the end
  });

  it('writes nothing at all when it never drew', () => {
    const r = recorder();
    createProgress({ total: 10, sink: r.sink, now: r.now }).done();
    expect(r.writes).toEqual([]);
  });
});

describe('progressWanted', () => {
  it('only on a terminal, and not in CI', () => {
    expect(progressWanted({ isTTY: true }, {})).toBe(true);
    expect(progressWanted({ isTTY: true }, { CI: 'true' })).toBe(false);
    expect(progressWanted({ isTTY: true }, { CI: '' })).toBe(true);
    expect(progressWanted({ isTTY: false }, {})).toBe(false);
    expect(progressWanted({}, {})).toBe(false);
  });

  it('inputsSize sums the files; standard input makes it unknown', () => {
    const a = fixture('real/postfix-plain.pcap');
    const b = fixture('real/postfix-1mb.pcap');
    expect(inputsSize([a, b])).toBe(statSync(a).size + statSync(b).size);
    expect(inputsSize([a, '-'])).toBeNull();
  });
});

describe('readCaptures onProgress', () => {
  const a = fixture('real/postfix-1mb.pcap');
  const b = fixture('variants/plain.editcap.pcapng');
  const c = fixture('variants/plain.editcap.netmon2.cap');

  it('reports growing byte counts summed over all inputs, ending at their total size', async () => {
    const seen: number[] = [];
    await readCaptures([a, b, c], () => {}, { chunkBytes: 64 * 1024, onProgress: (n) => seen.push(n) });
    expect(seen.length).toBeGreaterThan(10);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThanOrEqual(seen[i - 1]!);
    expect(seen.at(-1)).toBe(statSync(a).size + statSync(b).size + statSync(c).size);
  });

  it('counts standard input bytes too', async () => {
    const bytes = readFileSync(a);
    const seen: number[] = [];
    const stdin = Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000, 500_000), bytes.subarray(500_000)]);
    await readCaptures(['-'], () => {}, { stdin, onProgress: (n) => seen.push(n) });
    expect(seen.at(-1)).toBe(bytes.length);
  });

  it('costs nothing when not asked for (same packets either way)', async () => {
    let n1 = 0;
    let n2 = 0;
    await readCaptures([a], () => n1++);
    await readCaptures([a], () => n2++, { onProgress: () => {} });
    expect(n2).toBe(n1);
  });
});

const hasScript = spawnSync('script', ['--version']).status === 0;
const SIZE = Number(process.env.SMTPSCOPE_PROGRESS_BYTES ?? 200e6);

describe.skipIf(!hasScript || !distBuilt())('the bar on a terminal (script(1) pseudo-terminal)', () => {
  let dir = '';
  let capture = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'smtpscope-progress-'));
    capture = join(dir, 'big.pcap');
    generateCapture({ path: capture, sizeBytes: SIZE, seed: 5, concurrency: 50 });
  }, 120_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the CLI with standard error on a pseudo-terminal; returns what the terminal showed. */
  function onTerminal(args: string, env: NodeJS.ProcessEnv): string {
    const sh = join(dir, 'run.sh');
    writeFileSync(sh, `cd '${ROOT}' && exec '${process.execPath}' '${DIST_MAIN}' ${args}\n`);
    const r = spawnSync('script', ['-qfec', `sh '${sh}'`, '/dev/null'], { env, maxBuffer: 64 << 20, timeout: 120_000 });
    expect(r.status).toBe(0);
    return r.stdout.toString('latin1');
  }

  const noCi = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'CI'));

  it('moves: the percent grows over several redraws, then the bar is erased', () => {
    const tty = onTerminal(`analyze --format json -o '${join(dir, 'report.json')}' '${capture}'`, noCi());
    const frames = tty.split('\r').filter((f) => f.startsWith('reading ['));
    const percents = frames.map((f) => Number(/\]\s+(\d+)%/.exec(f)![1]));
    expect(new Set(percents).size, tty.slice(0, 2000)).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < percents.length; i++) expect(percents[i]!).toBeGreaterThanOrEqual(percents[i - 1]!);
    for (const f of frames) expect(f).toMatch(/ of \d+\.\d [MG]B +\d+\.\d MB\/s\x1b\[K$/);
    // Erased before the process ends: the terminal's last word is "erase the line".
    expect(tty.endsWith('\r\x1b[K')).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')).summary.sessions).toBeGreaterThan(100);
  }, 120_000);

  it('stays off when CI is set, even on a terminal', () => {
    const tty = onTerminal(`analyze --format json -o /dev/null '${capture}'`, { ...noCi(), CI: 'true' });
    expect(tty).not.toContain('reading');
    expect(tty).not.toContain('\x1b[K');
  }, 120_000);

  it('stays off when standard error is piped', () => {
    const r = spawnSync(process.execPath, [DIST_MAIN, 'analyze', '--format', 'json', '-o', '/dev/null', capture], {
      env: noCi(),
      maxBuffer: 64 << 20,
    });
    expect(r.status).toBe(0);
    expect(r.stderr.toString()).toBe('');
  }, 120_000);
});
