/** The built CLI as a real process (node dist/cli/main.js): exit codes, standard input, one-line errors. */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ReportModel } from '../../src/index.js';
import { DIST_MAIN, errLines, fixture, ROOT, runNode } from './helpers.js';

beforeAll(() => {
  // Build what the bin runs; type errors elsewhere do not stop tsc from emitting.
  try {
    execFileSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'pipe' });
  } catch {
    /* emitted anyway; the runs below show whether the CLI works */
  }
}, 120_000);

const RELAY = fixture('mission/relay-denied.pcap');
const PLAIN = fixture('real/postfix-plain.pcap');

/** Runs the CLI with its standard output's reader gone before it writes (as `| head` leaves it). */
function runWithClosedStdout(argv: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DIST_MAIN, ...argv], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('node dist/cli/main.js', () => {
  it('a reader that goes away (`| head`): no stack trace, nothing on standard error, the exit status of the analysis', async () => {
    for (const format of ['table', 'json', 'jsonl', 'markdown', 'html']) {
      const r = await runWithClosedStdout(['analyze', '--format', format, RELAY]);
      expect(r.stderr, format).toBe('');
      expect(r.code, format).toBe(0);
    }
    const failOn = await runWithClosedStdout(['analyze', '--fail-on', 'error', RELAY]);
    expect([failOn.code, failOn.stderr]).toEqual([1, '']);
    const rules = await runWithClosedStdout(['rules']);
    expect([rules.code, rules.stderr]).toEqual([0, '']);
  }, 60_000);

  it('exit 0 / 1 with --fail-on / 2 for a usage error', () => {
    expect(runNode(['analyze', '--format', 'json', RELAY]).code).toBe(0);
    expect(runNode(['analyze', '--format', 'json', '--fail-on', 'error', RELAY]).code).toBe(1);
    expect(runNode(['analyze', '--format', 'json', '--fail-on', 'error', PLAIN]).code).toBe(0);
    const bad = runNode(['analyze', RELAY, '--min-severity', 'loud']);
    expect(bad.code).toBe(2);
    expect(errLines(bad)).toHaveLength(1);
  });

  it('reads standard input with -', () => {
    const viaFile = JSON.parse(runNode(['analyze', '--format', 'json', RELAY]).stdout) as ReportModel;
    const r = runNode(['analyze', '--format', 'json', '-'], readFileSync(RELAY));
    expect(r.code).toBe(0);
    const viaStdin = JSON.parse(r.stdout) as ReportModel;
    expect(viaStdin.inputs[0]!.file).toBe('-');
    expect(viaStdin.findings.map((f) => [f.rule, f.frames])).toEqual(viaFile.findings.map((f) => [f.rule, f.frames]));
    expect(viaStdin.sessions).toEqual(viaFile.sessions);
  });

  it('garbage on standard input and in files: exit 2, one line, no stack', () => {
    const dir = mkdtempSync(join(tmpdir(), 'smtpscope-proc-'));
    const text = join(dir, 'readme.txt');
    writeFileSync(text, 'not a capture\n');
    for (const [argv, input, name] of [
      [['analyze', text], undefined, 'readme.txt'],
      [['analyze', '-'], Buffer.from('GET / HTTP/1.1\r\n\r\n'), 'standard input'],
      [['analyze', '-'], Buffer.alloc(0), 'standard input'],
    ] as const) {
      const r = runNode([...argv], input);
      expect(r.code).toBe(2);
      const lines = errLines(r);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^smtpscope: /);
      expect(lines[0]).toContain(name);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('--bpf offline: one note on standard error, the analysis unchanged', () => {
    const plain = runNode(['analyze', '--format', 'json', RELAY]);
    const r = runNode(['analyze', '--format', 'json', '--bpf', 'tcp port 25', RELAY]);
    expect(r.code).toBe(0);
    expect(errLines(r)).toEqual([expect.stringMatching(/^smtpscope: note: --bpf\/--filter is applied by live capture only/)]);
    expect(r.stdout).toBe(plain.stdout);
  });

  it('--help of every command, and rules --explain', () => {
    for (const cmd of ['analyze', 'sessions', 'transcript', 'rules']) {
      const r = runNode([cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Examples:');
    }
    const e = runNode(['rules', '--explain', 'relay-denied']);
    expect(e.code).toBe(0);
    expect(e.stdout).toMatch(/^relay-denied: /);
  });

  it('sessions and transcript', () => {
    const s = runNode(['sessions', '--format', 'jsonl', RELAY]);
    expect(s.code).toBe(0);
    expect(JSON.parse(s.stdout.trim())).toMatchObject({ type: 'session', id: 1, helo: 'scanner01' });
    const t = runNode(['transcript', RELAY, '--session', '1', '--format', 'table']);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/C: RCPT TO:<alan\.reid@gmail\.com>\n.*S: 550 5\.7\.1 Unable to relay/);
    const u = runNode(['transcript', RELAY, '--session', '2']);
    expect(u.code).toBe(2);
    expect(errLines(u)).toEqual(['smtpscope: --session 2: no such session; valid ids: 1']);
  });
});
