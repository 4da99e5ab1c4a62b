/** `smtpscope sessions` and `smtpscope transcript` on real fixtures, checked against the JSON report. */
import { describe, expect, it } from 'vitest';
import type { ReportModel } from '../../src/index.js';
import type { SessionRow } from '../../src/cli/views/sessions.js';
import type { Transcript } from '../../src/cli/views/transcript.js';
import { errLines, fixture, runMain } from './helpers.js';

const AUTH_PLAIN = fixture('real/smtp-server-auth-plain.pcap');
const PIPELINED = fixture('real/postfix-pipelined.pcap');
const STARTTLS = fixture('real/smtp-server-starttls.pcap');
const RST_IN_DATA = fixture('real/postfix-rst-in-data.pcap');
const RELAY = fixture('mission/relay-denied.pcap');

async function report(files: string[]): Promise<ReportModel> {
  return JSON.parse((await runMain(['analyze', '--format', 'json', ...files])).stdout) as ReportModel;
}

async function transcript(file: string, session = 1): Promise<Transcript> {
  const r = await runMain(['transcript', file, '--session', String(session), '--format', 'json']);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Transcript;
}

describe('smtpscope sessions', () => {
  const files = [RELAY, AUTH_PLAIN, STARTTLS];

  it('one row per session with the report\'s facts', async () => {
    const m = await report(files);
    const r = await runMain(['sessions', '--format', 'json', ...files]);
    expect(r.code).toBe(0);
    const rows = (JSON.parse(r.stdout) as { sessions: SessionRow[] }).sessions;
    expect(rows.map((x) => x.id)).toEqual(m.sessions.map((s) => s.id));
    rows.forEach((row, i) => {
      const s = m.sessions[i]!;
      expect(row).toMatchObject({ client: s.client, server: s.server, start: s.start, greeting: s.greeting, helo: s.helo, tls: s.tls, closedBy: s.closedBy });
      expect(row.findings).toBe(s.findings.length);
      expect(row.authUser).toBe(s.auth?.user ?? null);
    });
    const auth = rows.find((x) => x.authUser !== null)!;
    expect(auth).toMatchObject({ authUser: 'alice', authResult: 'success', messages: 1 });
    expect(rows.find((x) => x.tls !== null)!.tls!.version).toMatch(/^TLS/);
    expect(rows.every((x) => x.durationMs !== null && x.durationMs >= 0)).toBe(true);
  });

  it('jsonl and table show the same sessions', async () => {
    const m = await report(files);
    const l = (await runMain(['sessions', '--format', 'jsonl', ...files])).stdout.trimEnd().split('\n').map((x) => JSON.parse(x));
    expect(l.map((x) => [x.type, x.id])).toEqual(m.sessions.map((s) => ['session', s.id]));
    const t = (await runMain(['sessions', '--format', 'table', ...files])).stdout;
    for (const s of m.sessions) expect(t).toContain(`${s.client.ip}:${s.client.port}`);
    expect(t).toContain('alice (success)');
  });

  it('--fail-on applies to the findings of the sessions', async () => {
    expect((await runMain(['sessions', '--format', 'json', '--fail-on', 'error', RELAY])).code).toBe(1);
    expect((await runMain(['sessions', '--format', 'json', '--fail-on', 'error', AUTH_PLAIN])).code).toBe(0);
  });
});

describe('smtpscope transcript', () => {
  it('shows every command and reply line in order, with offsets and latencies', async () => {
    const m = await report([AUTH_PLAIN]);
    const s = m.sessions[0]!;
    const t = await transcript(AUTH_PLAIN);
    const client = t.lines.filter((l) => l.dir === 'c2s').map((l) => l.text);
    const server = t.lines.filter((l) => l.dir === 's2c').map((l) => l.text);
    expect(client).toEqual(['EHLO client.example.org', 'AUTH PLAIN <credentials: 32 bytes>', 'MAIL FROM:<alice@example.org>', 'RCPT TO:<bob@test.example>', 'DATA', `[message: ${s.transactions[0]!.dataBytes} bytes, 10 lines]`, 'QUIT']);
    expect(server).toEqual(s.commands.flatMap((c) => c.reply?.lines ?? []));
    expect(server[0]).toMatch(/^220 /);
    // Offsets grow; a reply's latency is the model's.
    for (let i = 1; i < t.lines.length; i++) expect(t.lines[i]!.offsetMs).toBeGreaterThanOrEqual(t.lines[i - 1]!.offsetMs);
    const quit = s.commands.find((c) => c.verb === 'QUIT')!;
    expect(t.lines.find((l) => l.text === quit.reply!.lines[0])!.latencyMs).toBe(quit.reply!.latencyMs);
  });

  it('the message line count is the body\'s (lines ending in CRLF before the final dot)', async () => {
    // Independent count: the DATA body's bytes as tshark reassembles them are not at hand here,
    // so compare bytes with the report and lines with a second fixture of known size.
    const t = await transcript(PIPELINED);
    const msg = t.lines.find((l) => l.text.startsWith('[message:'))!;
    const m = await report([PIPELINED]);
    expect(msg.text).toBe(`[message: ${m.sessions[0]!.transactions[0]!.dataBytes} bytes, 10 lines]`);
  });

  it('pipelined commands come before the replies that answer them', async () => {
    const t = await transcript(PIPELINED);
    const texts = t.lines.map((l) => `${l.dir === 'c2s' ? 'C' : 'S'} ${l.text}`);
    const i = texts.indexOf('C DATA');
    expect(texts.slice(i - 3, i + 5)).toEqual([
      'C MAIL FROM:<alice@example.org>',
      'C RCPT TO:<bob@test.example>',
      'C RCPT TO:<carol@test.example>',
      'C DATA',
      'S 250 2.1.0 Ok',
      'S 250 2.1.5 Ok',
      'S 250 2.1.5 Ok',
      'S 354 End data with <CR><LF>.<CR><LF>',
    ]);
  });

  it('marks the start of TLS with version and SNI', async () => {
    const t = await transcript(STARTTLS);
    const i = t.lines.findIndex((l) => l.text === 'STARTTLS');
    expect(t.lines[i + 1]!.text).toMatch(/^220 /);
    expect(t.lines[i + 2]).toMatchObject({ dir: null });
    expect(t.lines[i + 2]!.text).toMatch(/^\[TLS started: TLS 1\.3, no SNI/);
  });

  it('a body cut by a reset is shown as cut', async () => {
    const t = await transcript(RST_IN_DATA);
    expect(t.lines.at(-1)!.text).toMatch(/^\[message cut: \d+ bytes, \d+ lines, no end-of-data seen\]$/);
  });

  it('table format reads like telnet', async () => {
    const r = await runMain(['transcript', AUTH_PLAIN, '--session', '1', '--format', 'table']);
    expect(r.stdout).toMatch(/^Session 1: 127\.0\.0\.1:\d+ -> 127\.0\.0\.1:2530/);
    expect(r.stdout).toMatch(/\n\s+6\s+\+0\.000s\s+C: EHLO client\.example\.org\n/);
    expect(r.stdout).toMatch(/\n\s+8\s+\+0\.002s\s+1\.2 ms  S: 250-auth\.test\.example/);
    const md = await runMain(['transcript', AUTH_PLAIN, '--session', '1', '--format', 'markdown']);
    expect(md.stdout).toMatch(/^### Session 1/);
    expect(md.stdout).toContain('```\n');
  });

  it('an unknown session id: one line listing the valid ids, exit 2', async () => {
    const r = await runMain(['transcript', RELAY, AUTH_PLAIN, '--session', '9', '--format', 'json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(errLines(r)).toEqual(['smtpscope: --session 9: no such session; valid ids: 1, 2']);
  });
});
