/**
 * --redact (spec/interface.md): no local part, subject or message id of the
 * un-redacted model survives in any format of any command, domains stay, and masks
 * are consistent (same address → same mask, different addresses → different masks).
 * Walks every capture under fixtures/captures and ../shared/conformance that holds
 * SMTP sessions.
 */
import { describe, expect, it } from 'vitest';
import { inspect, type ReportModel } from '../../src/index.js';
import { Redactor, redactReport } from '../../src/report/redact.js';
import { renderJson } from '../../src/report/json.js';
import { renderJsonl } from '../../src/report/jsonl.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderTable } from '../../src/report/table.js';
import { renderSessions } from '../../src/cli/views/sessions.js';
import { buildTranscript, renderTranscript } from '../../src/cli/views/transcript.js';
import type { BodyFact } from '../../src/index.js';
import { allCaptures, rel } from '../helpers/corpus.js';
import { fixture, runMain } from '../cli/helpers.js';

const KEY = Buffer.alloc(32, 7);
const TEXT_FORMATS = ['table', 'json', 'jsonl', 'markdown'] as const;

/** html is another engineer's formatter; included when it is there (it renders the model). */
type HtmlRender = (m: ReportModel) => string;
const html: HtmlRender | null = await import('../../src/report/html.js')
  .then((m: { renderHtml?: HtmlRender }) => m.renderHtml ?? null)
  .catch(() => null);

/** Every text every command prints for this model, by format name. */
function outputs(model: ReportModel, bodies: readonly BodyFact[]): Map<string, string> {
  const out = new Map<string, string>([
    ['analyze table', renderTable(model)],
    ['analyze json', renderJson(model)],
    ['analyze jsonl', renderJsonl(model)],
    ['analyze markdown', renderMarkdown(model)],
  ]);
  if (html) out.set('analyze html', html(model));
  for (const f of TEXT_FORMATS) {
    out.set(`sessions ${f}`, renderSessions(model, f));
    out.set(`transcript ${f}`, model.sessions.map((s) => renderTranscript(buildTranscript(s, bodies), f)).join('\n'));
  }
  return out;
}

const ADDR_IN_ARG = /<([^<>]*)>/;

interface Secrets {
  addresses: Set<string>;
  bare: Set<string>;
  subjects: Set<string>;
  messageIds: Set<string>;
}

/** What the un-redacted model says about people and messages (its structured fields). */
function secrets(m: ReportModel): Secrets {
  const s: Secrets = { addresses: new Set(), bare: new Set(), subjects: new Set(), messageIds: new Set() };
  const add = (a: string | null | undefined) => {
    const t = a?.trim();
    if (!t) return;
    if (/^[^@\s]+@[A-Za-z0-9.-]+$/.test(t)) s.addresses.add(t);
    else if (!t.includes('@') && /^[\w.+-]+$/.test(t)) s.bare.add(t);
  };
  for (const x of m.sessions) {
    add(x.auth?.user);
    for (const t of x.transactions) {
      add(t.mailFrom);
      t.rcpts.forEach((r) => add(r.address));
      if (t.headers?.subject) s.subjects.add(t.headers.subject);
      if (t.headers?.messageId) s.messageIds.add(t.headers.messageId.replace(/^\s*<|>\s*$/g, ''));
      for (const a of t.headers?.from?.match(/[^\s<>"',;:()]+@[A-Za-z0-9.-]+[A-Za-z0-9]/g) ?? []) add(a);
    }
    for (const c of x.commands) {
      if (c.verb === 'MAIL' || c.verb === 'RCPT') add(ADDR_IN_ARG.exec(c.arg)?.[1]);
      if (c.verb === 'VRFY' || c.verb === 'EXPN') add(c.arg.replace(/^<(.*)>$/, '$1'));
    }
  }
  return s;
}

const esc = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const count = (hay: string, needle: string) => hay.split(needle).length - 1;
/** A local part standing as one, followed by '@' (not the tail of a longer local part). */
const localRe = (local: string) => new RegExp(`(?<![\\w.!#$%&'*+/=?^\`{|}~-])${esc(local)}@`, 'i');
const bareRe = (tok: string) => new RegExp(`(?<![\\w.@-])${esc(tok)}(?![\\w@-]|\\.\\w)`, 'i');

/**
 * A copy of the un-redacted model with every subject replaced by '[]' (what the
 * formats' own prose says); the redacted outputs get their subject masks replaced
 * by '[]' too before counting.
 */
function withoutSubjects(m: ReportModel): ReportModel {
  const c = structuredClone(m);
  for (const s of c.sessions) for (const t of s.transactions) if (t.headers?.subject) t.headers.subject = '[]';
  return c;
}

const corpus: { file: string; model: ReportModel; bodies: BodyFact[] }[] = [];
for (const file of allCaptures()) {
  try {
    const { model, bodies } = await inspect([file]);
    if (model.sessions.length > 0) corpus.push({ file, model, bodies });
  } catch {
    // unreadable on purpose (damaged-header conformance files): nothing to redact
  }
}

describe('redaction over every capture with SMTP sessions', () => {
  it('walks enough captures to mean something', () => {
    expect(corpus.length).toBeGreaterThan(60);
    const all = corpus.map((c) => secrets(c.model));
    expect(all.reduce((n, s) => n + s.addresses.size, 0)).toBeGreaterThan(100);
    expect(all.reduce((n, s) => n + s.subjects.size, 0)).toBeGreaterThan(50);
    expect(all.reduce((n, s) => n + s.messageIds.size, 0)).toBeGreaterThan(10);
    expect(all.reduce((n, s) => n + s.bare.size, 0)).toBeGreaterThan(3);
  });

  it.each(corpus.map((c) => [rel(c.file), c] as const))('%s: nothing personal in any format, domains kept', (_name, c) => {
    const sec = secrets(c.model);
    const red = redactReport(c.model, { key: KEY });
    const plain = outputs(c.model, c.bodies);
    const baseline = outputs(withoutSubjects(c.model), c.bodies);
    for (const [fmt, text] of outputs(red, c.bodies)) {
      for (const a of sec.addresses) {
        const at = a.lastIndexOf('@');
        expect(text, `${fmt}: ${a}`).not.toMatch(localRe(a.slice(0, at)));
        const domain = `@${a.slice(at + 1)}`;
        if (plain.get(fmt)!.toLowerCase().includes(domain.toLowerCase())) expect(text.toLowerCase(), `${fmt}: ${domain}`).toContain(domain.toLowerCase());
      }
      for (const b of sec.bare) expect(text, `${fmt}: bare ${b}`).not.toMatch(bareRe(b));
      for (const id of sec.messageIds) expect(text, `${fmt}: message id ${id}`).not.toContain(id);
      for (const s of sec.subjects) {
        // A subject like "first" may also be a word of our prose: no more often than without it.
        expect(count(text.replace(/\[subject [0-9a-f]{6,}\]/g, '[]'), s), `${fmt}: subject ${s}`).toBeLessThanOrEqual(count(baseline.get(fmt)!, s));
      }
    }
  });

  it.each(corpus.map((c) => [rel(c.file), c] as const))('%s: same address same mask, different addresses different masks', (_name, c) => {
    const red = redactReport(c.model);
    const maskOf = new Map<string, string>();
    const pair = (orig: string | null | undefined, masked: string | null | undefined) => {
      if (!orig || orig.trim() === '') return;
      expect(masked).toBeTruthy();
      const key = orig.toLowerCase();
      const known = maskOf.get(key);
      if (known !== undefined) expect(masked, orig).toBe(known);
      else maskOf.set(key, masked!);
      if (orig.includes('@')) {
        expect(masked!.slice(masked!.lastIndexOf('@'))).toBe(orig.slice(orig.lastIndexOf('@')));
        expect(masked!.slice(0, masked!.lastIndexOf('@'))).toMatch(/^[0-9a-f]{6,}$/);
      }
    };
    c.model.sessions.forEach((s, i) => {
      const r = red.sessions[i]!;
      pair(s.auth?.user, r.auth?.user);
      s.transactions.forEach((t, j) => {
        const rt = r.transactions[j]!;
        pair(t.mailFrom, rt.mailFrom);
        t.rcpts.forEach((x, k) => pair(x.address, rt.rcpts[k]!.address));
      });
      s.commands.forEach((cmd, j) => {
        if (cmd.verb === 'MAIL' || cmd.verb === 'RCPT') pair(ADDR_IN_ARG.exec(cmd.arg)?.[1], ADDR_IN_ARG.exec(r.commands[j]!.arg)?.[1]);
      });
    });
    const masks = [...maskOf.values()];
    expect(new Set(masks).size, 'different addresses, different masks').toBe(masks.length);
  });
});

describe('Redactor', () => {
  const r = () => new Redactor({ key: KEY });

  it('masks addresses servers echo in replies, keeping the rest of the line', () => {
    const x = r();
    const bob = x.address('bob@x.example');
    expect(bob).toMatch(/^[0-9a-f]{6}@x\.example$/);
    expect(x.text('250 2.1.5 <bob@x.example> ok')).toBe(`250 2.1.5 <${bob}> ok`);
    expect(x.text('550 5.1.1 <bob@x.example>: Recipient address rejected')).toBe(`550 5.1.1 <${bob}>: Recipient address rejected`);
    expect(x.text('The server does not know recipient Bob@X.example: 550')).toBe(`The server does not know recipient ${bob.replace('x.example', 'X.example')}: 550`);
    // Exchange: "alice@contoso.example....Sender OK"; the tail is not a domain label.
    const alice = x.address('alice@contoso.example');
    expect(x.text('250 2.1.0 alice@contoso.example....Sender OK')).toBe(`250 2.1.0 ${alice}....Sender OK`);
    expect(x.text('MAIL FROM:<first.last+tag@sub.example.org> SIZE=12')).toBe(`MAIL FROM:<${x.address('first.last+tag@sub.example.org')}> SIZE=12`);
    expect(x.text('RCPT TO:<"john doe"@example.com>')).toBe(`RCPT TO:<${x.address('"john doe"@example.com')}>`);
    expect(x.text('RCPT TO:<bob@[192.0.2.1]>')).toMatch(/^RCPT TO:<[0-9a-f]{6}@\[192\.0\.2\.1\]>$/);
    expect(x.text('MAIL FROM:<>')).toBe('MAIL FROM:<>');
  });

  it('gives different addresses different masks, and a random key per report', () => {
    const x = r();
    expect(x.address('bob@x.example')).not.toBe(x.address('bob@y.example'));
    expect(x.address('bob@x.example')).not.toBe(x.address('alice@x.example'));
    expect(x.address('BOB@x.example')).toBe(x.address('bob@x.example'));
    // Not a plain hash: two reports (random keys) mask the same address differently.
    const one = redactReport(modelWith('bob@x.example')).sessions[0]!.transactions[0]!.mailFrom;
    const two = redactReport(modelWith('bob@x.example')).sessions[0]!.transactions[0]!.mailFrom;
    expect(one).not.toBe(two);
  });

  it('resolves mask collisions by lengthening the mask', () => {
    const x = r();
    const seen = new Map<string, string>();
    for (let i = 0; i < 20000; i++) seen.set(x.mask('addr', `u${i}@x`), `u${i}`);
    expect(seen.size).toBe(20000);
    expect([...seen.keys()].some((m) => m.length > 6)).toBe(true);
  });

  it('masks bare local parts, VRFY arguments, AUTH users as tokens only', () => {
    const m = modelWith('postmaster', [
      { verb: 'VRFY', arg: 'jsmith', lines: ['252 2.0.0 jsmith'] },
      { verb: 'RCPT', arg: 'TO:<postmaster>', lines: ['550 5.1.1 <postmaster>: Recipient address rejected'] },
    ]);
    m.sessions[0]!.auth = { mechanism: 'LOGIN', user: 'frank', result: 'failure' };
    m.sessions[0]!.helo = 'jsmith-laptop.example';
    m.findings.push({ ...m.findings[0]!, summary: 'AUTH LOGIN for user frank failed; VRFY jsmith answered 252' });
    const red = redactReport(m, { key: KEY });
    const json = JSON.stringify(red);
    expect(json).not.toMatch(/"jsmith"|jsmith\b(?!-laptop)|\bfrank\b|postmaster/);
    expect(red.sessions[0]!.helo).toBe('jsmith-laptop.example'); // a host name, not the token
    expect(red.findings[1]!.summary).toMatch(/^AUTH LOGIN for user [0-9a-f]{6} failed; VRFY [0-9a-f]{6} answered 252$/);
    expect(red.sessions[0]!.commands[2]!.arg).toBe(`TO:<${red.sessions[0]!.transactions[0]!.mailFrom}>`);
  });

  it('masks subjects, message ids and display names; quoted header lines too', () => {
    const m = modelWith('alice@example.org');
    m.sessions[0]!.transactions[0]!.headers = {
      messageId: '<abc.123@mail.example.org>',
      subject: 'Quarterly numbers Q3',
      from: 'Alice Liddell <alice@example.org>',
      date: 'Mon, 1 Jan 2024 00:00:00 +0000',
    };
    m.findings[0]!.evidence.push(
      { frame: 9, time: 't', dir: 'c2s', line: 'Subject: Quarterly numbers Q3' },
      { frame: 9, time: 't', dir: 's2c', line: '250 2.6.0 <abc.123@mail.example.org> Queued mail for delivery' },
    );
    m.findings[0]!.summary = 'message "Quarterly numbers Q3" was rejected';
    const red = redactReport(m, { key: KEY });
    const h = red.sessions[0]!.transactions[0]!.headers!;
    expect(h.subject).toMatch(/^\[subject [0-9a-f]{6,}\]$/);
    expect(h.messageId).toMatch(/^<[0-9a-f]{6,}@mail\.example\.org>$/);
    expect(h.from).toBe(red.sessions[0]!.transactions[0]!.mailFrom);
    expect(h.date).toBe('Mon, 1 Jan 2024 00:00:00 +0000');
    const ev = red.findings[0]!.evidence;
    expect(ev.at(-2)!.line).toBe(`Subject: ${h.subject}`);
    expect(ev.at(-1)!.line).toBe(`250 2.6.0 ${h.messageId} Queued mail for delivery`);
    expect(red.findings[0]!.summary).toBe(`message "${h.subject}" was rejected`);
    const json = JSON.stringify(red);
    expect(json).not.toMatch(/Quarterly|Liddell|abc\.123|alice/);
  });

  it('leaves the model it was given untouched and keeps what is not personal', () => {
    const m = modelWith('alice@example.org');
    const before = structuredClone(m);
    const red = redactReport(m, { key: KEY });
    expect(m).toEqual(before);
    expect(red.inputs).toEqual(m.inputs);
    expect(red.summary).toEqual(m.summary);
    expect(red.sessions[0]!.client).toEqual(m.sessions[0]!.client);
    expect(red.sessions[0]!.greeting).toBe(m.sessions[0]!.greeting);
    expect(red.findings[0]!.wireshark).toBe(m.findings[0]!.wireshark);
  });
});

describe('--redact on the command line', () => {
  it('analyze, sessions and transcript print no local part in any format', async () => {
    const cap = fixture('real/smtp-server-auth-login.pcap');
    for (const argv of [
      ...TEXT_FORMATS.map((f) => ['analyze', cap, '--redact', '--format', f]),
      ...TEXT_FORMATS.map((f) => ['sessions', cap, '--redact', '--format', f]),
      ...TEXT_FORMATS.map((f) => ['transcript', cap, '--session', '1', '--redact', '--format', f]),
    ]) {
      const plain = await runMain(argv.filter((a) => a !== '--redact'));
      const red = await runMain(argv);
      expect(red.code, argv.join(' ')).toBe(0);
      expect(red.stderr).toBe('');
      const users = /\balice\b|\bbob@/i;
      if (argv[0] !== 'sessions' || argv.at(-1) !== 'table') expect(plain.stdout, argv.join(' ')).toMatch(users);
      expect(red.stdout, argv.join(' ')).not.toMatch(users);
    }
  });
});

/** A one-session model, made by hand, for the unit cases. */
function modelWith(mailFrom: string, extra: { verb: string; arg: string; lines: string[] }[] = []): ReportModel {
  const t = '2024-01-01T00:00:00.000000Z';
  const ep = { ip: '192.0.2.1', port: 25 };
  const cmd = (verb: string, arg: string, lines: string[], frame: number) => ({
    frame,
    time: t,
    verb,
    arg,
    reply: { frame: frame + 1, code: Number(lines[0]!.slice(0, 3)), enhanced: null, lines, latencyMs: 1 },
  });
  return {
    schemaVersion: 1,
    tool: { name: 'smtpscope', version: '0.0.0' },
    inputs: [],
    summary: { sessions: 1, messages: 1, findings: {}, bySeverity: { notice: 0, warning: 0, error: 0 }, flows: 0, packets: 0, damaged: 0 },
    sessions: [
      {
        id: 1,
        tcpStream: 0,
        client: ep,
        server: ep,
        start: t,
        end: t,
        greeting: 'mx.example ESMTP',
        helo: 'client.example',
        extensions: [],
        tls: null,
        auth: null,
        transactions: [{ mailFrom, rcpts: [], dataBytes: 0, headers: null, result: null }],
        commands: [cmd('MAIL', `FROM:<${mailFrom}>`, ['250 2.1.0 Ok'], 1), ...extra.map((e, i) => cmd(e.verb, e.arg, e.lines, 3 + 2 * i))],
        closedBy: 'quit',
        midstream: false,
        findings: ['f1'],
      },
    ],
    findings: [
      {
        id: 'f1',
        rule: 'sender-rejected',
        severity: 'error',
        session: 1,
        client: '192.0.2.1',
        summary: `sender ${mailFrom} refused`,
        frames: [1, 2],
        wireshark: 'tcp.stream eq 0 && frame.number in {1 2}',
        evidence: [{ frame: 1, time: t, dir: 'c2s', line: `MAIL FROM:<${mailFrom}>` }],
        advice: 'Check the sender.',
      },
    ],
    flows: [],
  };
}
