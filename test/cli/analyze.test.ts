/** `smtpscope analyze` in-process: exit codes, formats, rule selection on real fixtures, damaged and garbage input. */
import { copyFileSync, mkdtempSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ReportModel } from '../../src/index.js';
import { errLines, fixture, runMain } from './helpers.js';

const RELAY = fixture('mission/relay-denied.pcap');
const RCPT = fixture('mission/503-rcpt-without-mail.pcap');
const TARPIT = fixture('smtp/tarpit.pcap');
const PLAIN = fixture('real/postfix-plain.pcap');

async function json(argv: string[]): Promise<ReportModel> {
  const r = await runMain(['analyze', '--format', 'json', ...argv]);
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as ReportModel;
}

const rules = (m: ReportModel) => m.findings.map((f) => f.rule).sort();

describe('exit status', () => {
  it('is 0 without --fail-on, even with errors found', async () => {
    const r = await runMain(['analyze', '--format', 'json', RELAY]);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as ReportModel).summary.bySeverity.error).toBeGreaterThan(0);
  });

  it('is 1 when a finding at or above --fail-on is reported, 0 when none is', async () => {
    // relay-denied.pcap: relay-denied (error) and notices, no warning-only rules.
    expect((await runMain(['analyze', '--format', 'json', '--fail-on', 'error', RELAY])).code).toBe(1);
    expect((await runMain(['analyze', '--format', 'json', '--fail-on', 'notice', RELAY])).code).toBe(1);
    expect((await runMain(['analyze', '--format', 'json', '--fail-on', 'error', '--skip-rules', 'relay-denied', RELAY])).code).toBe(0);
    // postfix-plain.pcap: a clean delivery.
    const clean = await runMain(['analyze', '--format', 'json', '--fail-on', 'notice', PLAIN]);
    expect(JSON.parse(clean.stdout).findings).toEqual([]);
    expect(clean.code).toBe(0);
  });

  it('is 2 with one line for a usage error, and nothing on standard output', async () => {
    const r = await runMain(['analyze', RELAY, '--rules', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(errLines(r)).toEqual([expect.stringMatching(/^smtpscope: unknown rule "nope"; smtpscope rules/)]);
  });
});

describe('rule selection on real fixtures', () => {
  it('fires the known rules', async () => {
    expect(rules(await json([RELAY]))).toContain('relay-denied');
    expect(rules(await json([RCPT]))).toContain('rcpt-without-mail');
  });

  it('--rules keeps only the named rules', async () => {
    expect(rules(await json(['--rules', 'relay-denied', RELAY]))).toEqual(['relay-denied']);
    expect(rules(await json(['--rules', 'rcpt-without-mail,relay-denied', RCPT]))).toEqual(['rcpt-without-mail']);
  });

  it('--skip-rules drops exactly the named rules', async () => {
    const all = rules(await json([RELAY]));
    const skipped = rules(await json(['--skip-rules', 'relay-denied', RELAY]));
    expect(skipped).toEqual(all.filter((r) => r !== 'relay-denied'));
  });

  it('--min-severity leaves out the rules below it', async () => {
    const all = await json([RELAY]);
    expect(all.findings.some((f) => f.severity === 'notice')).toBe(true);
    const m = await json(['--min-severity', 'error', RELAY]);
    expect(m.findings.length).toBeGreaterThan(0);
    expect(m.findings.every((f) => f.severity === 'error')).toBe(true);
    expect(m.findings.length).toBe(all.findings.filter((f) => f.severity === 'error').length);
  });

  it('--threshold moves a rule\'s limit (by rule id and by key)', async () => {
    expect(rules(await json([TARPIT]))).toContain('tarpit');
    expect(rules(await json(['--threshold', 'tarpit=600000', TARPIT]))).not.toContain('tarpit');
    expect(rules(await json(['--threshold', 'tarpit-ms=600000', TARPIT]))).not.toContain('tarpit');
  });
});

describe('formats', () => {
  it('jsonl: a line per session and finding with the JSON report\'s fields, then the summary', async () => {
    const m = await json([RELAY, RCPT]);
    const r = await runMain(['analyze', '--format', 'jsonl', RELAY, RCPT]);
    const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.type)).toEqual([...m.sessions.map(() => 'session'), ...m.findings.map(() => 'finding'), 'summary']);
    lines.filter((l) => l.type === 'session').forEach((l, i) => expect({ ...l, type: undefined }).toEqual({ ...m.sessions[i], type: undefined }));
    lines.filter((l) => l.type === 'finding').forEach((l, i) => expect({ ...l, type: undefined }).toEqual({ ...m.findings[i], type: undefined }));
    const summary = lines.at(-1)!;
    expect(summary.findings).toEqual(m.summary.findings);
    expect(summary.bySeverity).toEqual(m.summary.bySeverity);
    expect(summary.inputs).toEqual(m.inputs);
  });

  it('markdown: verdict first, findings table, evidence, filter, advice, sessions', async () => {
    const m = await json([RELAY]);
    const r = await runMain(['analyze', '--format', 'markdown', RELAY]);
    const md = r.stdout;
    const relay = m.findings.find((f) => f.rule === 'relay-denied')!;
    expect(md.indexOf('## Verdict')).toBeLessThan(md.indexOf('## Findings'));
    expect(md.indexOf('## Findings')).toBeLessThan(md.indexOf('## Sessions'));
    expect(md).toMatch(/\*\*3 problems found: 1 error, 0 warning, 2 notice\.\*\*/);
    expect(md).toContain(`| error | relay-denied | 1 | ${relay.frames[0]}-${relay.frames[1]} | ${relay.summary} |`);
    expect(md).toContain('`' + relay.wireshark + '`');
    expect(md).toContain(relay.advice);
    for (const e of relay.evidence) expect(md).toContain(`${String(e.frame).padStart(6)}  ${e.time}  ${e.dir === 'c2s' ? 'C:' : 'S:'} ${e.line.split('\n')[0]}`);
    expect(md).toContain('relay-denied.pcap');
    expect(md).toContain(`${m.inputs[0]!.packets} packets`);
    const clean = await runMain(['analyze', '--format', 'markdown', PLAIN]);
    expect(clean.stdout).toContain('**No problems found** in 1 SMTP session.');
    expect(clean.stdout).not.toContain('## Findings');
  });

  it('table: findings and sessions', async () => {
    const r = await runMain(['analyze', '--format', 'table', RELAY]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/relay-denied/);
    expect(r.stdout).toMatch(/in 1 SMTP session \(0 messages\)/);
  });

  it('--output writes the file and leaves standard output empty', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'smtpscope-cli-'));
    const out = join(dir, 'r.json');
    const r = await runMain(['analyze', RELAY, '-o', out]);
    expect(r.stdout).toBe('');
    expect((JSON.parse(readFileSync(out, 'utf8')) as ReportModel).findings.length).toBeGreaterThan(0);
    const bad = await runMain(['analyze', RELAY, '-o', join(dir, 'missing-dir', 'r.json')]);
    expect(bad.code).toBe(2);
    expect(errLines(bad)).toEqual([expect.stringMatching(/^smtpscope: cannot write --output .*ENOENT/)]);
  });
});

describe('several files are one capture', () => {
  it('numbers frames on across files', async () => {
    const a = await json([RELAY]);
    const b = await json([RCPT]);
    const ab = await json([RELAY, RCPT]);
    const n = a.inputs[0]!.packets;
    expect(ab.inputs.map((i) => i.packets)).toEqual([n, b.inputs[0]!.packets]);
    const single = b.findings.find((f) => f.rule === 'rcpt-without-mail')!;
    const joined = ab.findings.find((f) => f.rule === 'rcpt-without-mail')!;
    expect(joined.frames).toEqual([single.frames[0] + n, single.frames[1] + n]);
    expect(joined.evidence.map((e) => e.frame)).toEqual(single.evidence.map((e) => e.frame + n));
    expect(ab.sessions).toHaveLength(a.sessions.length + b.sessions.length);
  });
});

/** Offset of the pcap record that holds byte `cut` (classic pcap: 24-byte file header, 16-byte record headers). */
function recordAt(buf: Buffer, cut: number): { offset: number; index: number } {
  let off = 24;
  for (let i = 1; ; i++) {
    const next = off + 16 + buf.readUInt32LE(off + 8);
    if (next > cut) return { offset: off, index: i };
    off = next;
  }
}

describe('damaged and unreadable input', () => {
  it('a file cut in the middle of a packet: exit 0, damage with byte offset in table and JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'smtpscope-cut-'));
    const cut = join(dir, 'cut.pcap');
    copyFileSync(PLAIN, cut);
    const whole = readFileSync(PLAIN);
    const at = Math.floor(statSync(PLAIN).size * 0.6);
    const rec = recordAt(whole, at);
    expect(rec.offset + 16).toBeLessThan(at); // the cut falls inside the record's data
    truncateSync(cut, at);

    const j = await runMain(['analyze', '--format', 'json', cut]);
    expect(j.code).toBe(0);
    const m = JSON.parse(j.stdout) as ReportModel;
    expect(m.inputs[0]!.damage?.offset).toBe(rec.offset);
    expect(m.inputs[0]!.packets).toBe(rec.index - 1);
    const t = await runMain(['analyze', '--format', 'table', cut]);
    expect(t.code).toBe(0);
    expect(t.stdout).toContain(`damaged at byte ${rec.offset}`);
    const md = await runMain(['analyze', '--format', 'markdown', cut]);
    expect(md.stdout).toContain(`damaged at byte ${rec.offset}`);
  });

  const dir = mkdtempSync(join(tmpdir(), 'smtpscope-garbage-'));
  const text = join(dir, 'notes.txt');
  writeFileSync(text, 'Hello, this is not a capture.\nJust some text.\n');
  const empty = join(dir, 'empty.pcap');
  writeFileSync(empty, '');
  const snoop = join(dir, 'trace.snoop');
  // RFC 1761: "snoop\0\0\0", version 2, datalink 4 (Ethernet).
  writeFileSync(snoop, Buffer.concat([Buffer.from('snoop\0\0\0', 'latin1'), Buffer.from([0, 0, 0, 2, 0, 0, 0, 4])]));
  const missing = join(dir, 'missing.pcap');

  it.each([
    ['a text file', text],
    ['an empty file', empty],
    ['a snoop file', snoop],
    ['a missing file', missing],
  ])('%s: exit 2, one line naming the file, no stack', async (_, file) => {
    for (const cmd of [['analyze'], ['sessions'], ['transcript', '--session', '1']]) {
      const r = await runMain([...cmd, '--format', 'json', file]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      const lines = errLines(r);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^smtpscope: /);
      expect(lines[0]).toContain(file.split('/').pop());
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
