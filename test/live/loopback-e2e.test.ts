/**
 * Issue 6, done-when #1: as root on the loopback interface, a real SMTP server
 * (smtp-server) and real clients (nodemailer, and a raw socket for what no mail
 * library does), captured by `smtpscope live -i lo --write ... --format jsonl`.
 * The findings printed live equal those of `smtpscope analyze` on the written file.
 */
import { mkdtempSync } from 'node:fs';
import { createConnection, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, loCaptureUnavailable, runCli, startLive } from './helpers.js';

const skipReason = loCaptureUnavailable();
if (skipReason) console.warn(`test/live/loopback-e2e: skipped: ${skipReason}`);

interface Line {
  type: string;
  rule?: string;
  session?: number | null;
  frames?: [number, number];
  sessions?: number;
  [k: string]: unknown;
}

/** A client that sends RCPT TO without MAIL FROM (what an AV proxy that strips MAIL does). */
function rcptWithoutMail(port: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const sock = createConnection({ host: '127.0.0.1', port });
    const script = ['EHLO client.test\r\n', 'RCPT TO:<bob@local.example>\r\n', 'QUIT\r\n'];
    const replies: string[] = [];
    let buf = '';
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => {
      buf += d;
      let i: number;
      while ((i = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (line[3] === '-') continue; // multi-line reply continues (RFC 5321 §4.2.1)
        replies.push(line);
        const next = script.shift();
        if (next) sock.write(next);
      }
    });
    sock.on('close', () => resolve(replies));
    sock.on('error', reject);
  });
}

describe.skipIf(skipReason !== null)('live capture on lo, end to end', () => {
  let server: SMTPServer;
  let port = 0;
  const dir = mkdtempSync(join(tmpdir(), 'smtpscope-live-'));

  beforeAll(async () => {
    ensureBuilt();
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      banner: 'smtpscope live test',
      onRcptTo(address, _session, cb) {
        // Local recipients are accepted; anything else is relaying, refused as Postfix does.
        if (!/@local\.example$/i.test(address.address)) {
          const e = Object.assign(new Error('5.7.1 Unable to relay'), { responseCode: 550 });
          return cb(e);
        }
        cb();
      },
      onData(stream, _session, cb) {
        stream.resume();
        stream.on('end', () => cb());
      },
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.server.address() as AddressInfo).port;
  }, 120_000);

  afterAll(async () => {
    await new Promise<void>((r) => server?.close(() => r()));
  });

  it('prints the findings of analyze on the file it wrote, relay-denied and rcpt-without-mail among them', async () => {
    const pcap = join(dir, 'live.pcap');
    const child = startLive(['-i', 'lo', '--ports', String(port), '--write', pcap, '--format', 'jsonl', '--duration', '8s']);
    await child.capturing;
    expect(child.stderr()).toContain('capturing on lo');

    const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, name: 'client.test' });
    // 1. A clean delivery.
    const ok = await transport.sendMail({ from: 'alice@client.test', to: 'bob@local.example', subject: 'live test', text: 'hello\r\n' });
    expect(ok.accepted).toEqual(['bob@local.example']);
    // 2. A relay refusal.
    await expect(transport.sendMail({ from: 'alice@client.test', to: 'someone@external.example', subject: 'relay', text: 'x' })).rejects.toThrow(/Unable to relay|rejected/);
    transport.close();
    // 3. RCPT without MAIL.
    const replies = await rcptWithoutMail(port);
    expect(replies[2]).toMatch(/^503 /);

    const code = await child.exited;
    const stdout = child.stdout();
    expect(code, child.stderr()).toBe(0);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as Line);
    // Live findings first (as they were settled), then sessions, then the summary.
    const firstSession = lines.findIndex((l) => l.type === 'session');
    const live = lines.filter((l) => l.type === 'finding');
    expect(lines.slice(0, firstSession).every((l) => l.type === 'finding')).toBe(true);
    expect(lines.at(-1)!.type).toBe('summary');
    expect(lines.filter((l) => l.type === 'session')).toHaveLength(3);
    expect(lines.at(-1)!.sessions).toBe(3);
    expect(child.stderr()).toMatch(/captured \d+ packets on lo/);

    const offline = runCli(['analyze', '--ports', String(port), '--format', 'json', pcap]);
    expect(offline.code, offline.stderr).toBe(0);
    const report = JSON.parse(offline.stdout) as { findings: Line[]; sessions: unknown[] };
    const key = (f: Line) => `${f.rule} ${f.session} ${f.frames?.join('-')}`;
    expect(live.map(key).sort()).toEqual(report.findings.map(key).sort());
    const rules = live.map((f) => f.rule);
    expect(rules).toContain('relay-denied');
    expect(rules).toContain('rcpt-without-mail');
    // The clean delivery is not a finding of any error rule.
    const firstSessionFindings = live.filter((f) => f.session === 1 && f.severity === 'error');
    expect(firstSessionFindings).toEqual([]);
    // The sessions printed at the end are the offline report's sessions.
    expect(lines.filter((l) => l.type === 'session').map(({ type: _t, ...s }) => s)).toEqual(report.sessions);
  }, 60_000);
});
