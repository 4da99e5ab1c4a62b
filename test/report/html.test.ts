/**
 * The HTML report (src/report/html*.ts) as text: structure counted with regular
 * expressions over the markup we generate. The browser test next to this file
 * checks the same page as Chromium parses and renders it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { inspect, type Inspection, type ReportModel, type SessionReport } from '../../src/index.js';
import { htmlChunks, renderHtml } from '../../src/report/html.js';
import { esc, truncate, visible } from '../../src/report/html-escape.js';
import { LABEL_CHARS, LADDER_MAX_ARROWS } from '../../src/report/html-ladder.js';
import type { CommandReport, FindingReport } from '../../src/report/model.js';
import { buildDialogueCapture } from '../helpers/dialogue.js';
import { FIXTURES } from '../helpers/corpus.js';

const MULTI = ['mission/relay-denied.pcap', 'mission/503-rcpt-without-mail.pcap', 'smtp/tarpit.pcap'].map((p) => join(FIXTURES, 'captures', p));

/** The SVG of each session, in page order. */
function ladders(html: string): string[] {
  return [...html.matchAll(/<svg class="ladder"[\s\S]*?<\/svg>/g)].map((m) => m[0]);
}
/** data-frame/data-dir of each arrow group of one SVG. */
function arrows(svg: string): { frame: number; dir: string; group: string }[] {
  return [...svg.matchAll(/<g class="arrow [^"]*" data-frame="(\d+)" data-dir="(c2s|s2c)">([\s\S]*?)<\/g>/g)].map((m) => ({ frame: Number(m[1]), dir: m[2]!, group: m[3]! }));
}

function unescape(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

/**
 * External fetches an HTML page could make: none may appear. Tags are ours (every '<'
 * from the capture is escaped), so they are checked one by one; escaped capture text
 * such as "&lt;img src=x&gt;" is text, not a tag, and is not counted.
 */
function externalReferences(html: string): string[] {
  const bad: string[] = [];
  for (const [tag, name] of html.matchAll(/<([a-zA-Z][\w-]*)[^>]*>/g)) {
    if (/^(script|link|img|iframe|object|embed|image|use|base|video|audio|source|frame|form|input)$/i.test(name!)) bad.push(tag);
    // Attribute names only: quoted values hold escaped capture text.
    if (/\s(src|srcset|action|poster|background|xlink:href)\s*=/i.test(tag.replace(/="[^"]*"/g, '=""'))) bad.push(tag);
    for (const m of tag.matchAll(/\shref="([^"]*)"/g)) if (!m[1]!.startsWith('#')) bad.push(tag);
  }
  for (const [, css] of html.matchAll(/<style>([\s\S]*?)<\/style>/g)) if (/url\(|@import/i.test(css!)) bad.push('style: url() or @import');
  return bad;
}

function cmd(frame: number, verb: string, arg: string, reply: string[] | null, replyFrame = frame + 1): CommandReport {
  return {
    frame,
    time: `2024-01-15T10:00:00.${String(frame).padStart(6, '0')}Z`,
    verb,
    arg,
    reply: reply ? { frame: replyFrame, code: Number(reply[0]!.slice(0, 3)), enhanced: null, lines: reply, latencyMs: 0.5 } : null,
  };
}

function session(id: number, commands: CommandReport[], over: Partial<SessionReport> = {}): SessionReport {
  return {
    id,
    tcpStream: id - 1,
    client: { ip: '10.0.0.5', port: 49152 },
    server: { ip: '10.0.0.25', port: 25 },
    start: '2024-01-15T10:00:00.000000Z',
    end: '2024-01-15T10:00:01.000000Z',
    greeting: null,
    helo: null,
    extensions: [],
    tls: null,
    auth: null,
    transactions: [],
    commands,
    closedBy: 'quit',
    midstream: false,
    findings: [],
    ...over,
  };
}

function finding(id: string, sessionId: number, evidence: { frame: number; dir: 'c2s' | 's2c'; line: string }[], over: Partial<FindingReport> = {}): FindingReport {
  const frames = evidence.map((e) => e.frame);
  return {
    id,
    rule: id.replace(/#.*/, ''),
    severity: 'error',
    session: sessionId,
    client: '10.0.0.5',
    summary: `summary of ${id}`,
    frames: [Math.min(...frames), Math.max(...frames)],
    wireshark: `frame.number in {${frames.join(',')}}`,
    evidence: evidence.map((e) => ({ ...e, time: '2024-01-15T10:00:00.000000Z' })),
    advice: `advice for ${id}`,
    ...over,
  };
}

function model(sessions: SessionReport[], findings: FindingReport[] = []): ReportModel {
  return {
    schemaVersion: 1,
    tool: { name: 'smtpscope', version: '0.0.0' },
    inputs: [{ file: 'x.pcap', format: 'pcap', variant: 'pcap', linkTypes: [1], packets: 10, bytes: 1000, first: '2024-01-15T10:00:00.000000Z', last: '2024-01-15T10:00:01.000000Z', truncatedPackets: 0, damage: null, drops: null }],
    summary: {
      sessions: sessions.length,
      messages: 0,
      findings: {},
      bySeverity: { notice: 0, warning: 0, error: findings.length },
      flows: sessions.length,
      packets: 10,
      damaged: 0,
    },
    sessions,
    findings,
    flows: [],
  };
}

describe('escaping helpers', () => {
  it('escapes the five markup characters, in content and attributes', () => {
    expect(esc(`<a href="x" title='y'>&amp;</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
  });
  it('shows controls as control pictures and bidi overrides by name, keeps tab and LF', () => {
    expect(visible('a\u0000b\u001bc\u007fd\re\tf\ng')).toBe('a\u2400b\u241bc\u2421d\u240de\tf\ng');
    expect(visible('user@\u202Emoc.elgoog')).toBe('user@⟨U+202E⟩moc.elgoog');
    expect(visible('x\ud800y')).toBe('x\ufffdy');
  });
  it('truncates by code point with an ellipsis', () => {
    expect(truncate('abc', 3)).toEqual({ text: 'abc', cut: false });
    expect(truncate('abcd', 3)).toEqual({ text: 'ab…', cut: true });
    expect(truncate('😀😀😀😀', 3).text).toBe('😀😀…');
  });
});

describe('renderHtml on a capture with three sessions (three files read as one)', () => {
  let got: Inspection;
  let html: string;
  beforeAll(async () => {
    got = await inspect(MULTI);
    html = renderHtml(got.model, { bodies: got.bodies });
  });

  it('is one document with no external reference and a CSP that forbids fetching', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'`);
    expect(externalReferences(html)).toEqual([]);
    // The checker itself sees what it is for.
    for (const bad of ['<img src="a.png">', '<a href="https://x">', '<style>b{background:url(x)}</style>', '<svg><image xlink:href="x"/></svg>']) {
      expect(externalReferences(bad), bad).not.toEqual([]);
    }
  });

  it('comes in pieces (htmlChunks, what the CLI writes): each session section and each finding article one piece, whole only when joined', () => {
    const pieces = [...htmlChunks(got.model, { bodies: got.bodies })];
    expect(pieces.join('')).toBe(html);
    for (const s of got.model.sessions) {
      const own = pieces.filter((p) => p.includes(`<section class="session" id="session-${s.id}"`));
      expect(own, `session ${s.id}`).toHaveLength(1);
      expect(own[0]!.trimEnd().endsWith('</section>')).toBe(true);
    }
    expect(got.model.findings.length).toBeGreaterThan(0);
    expect(pieces.filter((p) => p.startsWith('<article')).length).toBe(got.model.findings.length);
  });

  it('draws one ladder per session, one arrow per command and per reply', () => {
    const svgs = ladders(html);
    expect(got.model.sessions).toHaveLength(3);
    expect(svgs).toHaveLength(3);
    got.model.sessions.forEach((s, i) => {
      const expected = s.commands.length + s.commands.filter((c) => c.reply).length;
      expect(arrows(svgs[i]!)).toHaveLength(expected);
      // Arrows follow the frames: time goes down.
      const frames = arrows(svgs[i]!).map((a) => a.frame);
      expect(frames).toEqual([...frames].sort((a, b) => a - b));
    });
  });

  it('marks each finding on the arrows of its evidence frames, with its rule id', () => {
    const svgs = ladders(html);
    expect(got.model.findings.length).toBeGreaterThanOrEqual(7);
    for (const f of got.model.findings) {
      const i = got.model.sessions.findIndex((s) => s.id === f.session);
      const marked = arrows(svgs[i]!).filter((a) => a.group.includes(`data-finding="${esc(f.id)}"`));
      expect(marked.length, f.id).toBeGreaterThan(0);
      for (const a of marked) {
        expect(f.evidence.map((e) => e.frame)).toContain(a.frame);
        expect(a.group).toMatch(new RegExp(`<a class="mark sev-${f.severity}" href="#finding-\\d+" data-rule="${f.rule}"`));
      }
    }
    // relay-denied is on RCPT (c2s) and on the 550 (s2c), nowhere else.
    const relay = arrows(svgs[0]!).filter((a) => a.group.includes('data-rule="relay-denied"'));
    expect(relay.map((a) => a.dir)).toEqual(['c2s', 's2c']);
    expect(unescape(relay[1]!.group)).toContain('550 5.7.1 Unable to relay');
  });

  it('puts the latency on reply arrows only, and flags the 5-second tarpit replies', () => {
    for (const svg of ladders(html)) {
      for (const a of arrows(svg)) expect(a.group.includes('class="latency'), `${a.frame}`).toBe(a.dir === 's2c');
    }
    const slow = [...ladders(html)[2]!.matchAll(/class="latency slow"[^>]*>([^<]*)</g)].map((m) => m[1]);
    expect(slow).toEqual(['5.00 s', '5.00 s']);
  });

  it('has the summary, every finding with its evidence, filter and advice, and every transcript', () => {
    expect(html).toContain('8 problems found in 3 SMTP sessions: 2 error, 3 warning, 3 notice.');
    for (const f of got.model.findings) {
      expect(html).toContain(esc(f.summary));
      expect(html).toContain(`<code class="filter">${esc(f.wireshark)}</code>`);
      expect(html).toContain(esc(f.advice));
      for (const e of f.evidence) expect(html).toContain(esc(e.line.split('\n')[0]!));
    }
    expect(html.match(/<table class="transcript">/g)).toHaveLength(3);
  });

  it('shows a multi-line reply as one arrow with the full text in its <title>', () => {
    const ehloReply = arrows(ladders(html)[0]!).find((a) => a.frame === 8)!;
    // The first line is cut to fit, the line count stays visible.
    expect(ehloReply.group).toMatch(/… \(\+8 lines\)<\/text>/);
    expect(unescape(ehloReply.group.match(/<title>([\s\S]*?)<\/title>/)![1]!)).toContain('250-PIPELINING\n250-DSN');
  });
});

describe('renderHtml details', () => {
  it('summarizes DATA as one arrow "[message N bytes, L lines]" (with body facts) or "[message N bytes]" (model only)', async () => {
    const got = await inspect([join(FIXTURES, 'captures', 'real', 'postfix-pipelined.pcap')]);
    const body = got.bodies[0]!;
    const withBodies = renderHtml(got.model, { bodies: got.bodies });
    expect(withBodies).toContain(`[message ${body.bytes} bytes, ${body.lines} lines]`);
    expect(renderHtml(got.model)).toContain(`[message ${got.model.sessions[0]!.transactions[0]!.dataBytes} bytes]`);
    // Pipelined (RFC 2920): MAIL, RCPT, RCPT, DATA share frame 9 and are four arrows.
    expect(arrows(ladders(withBodies)[0]!).filter((a) => a.frame === 9 && a.dir === 'c2s')).toHaveLength(4);
  });

  it('within a pipelined frame, marks only the arrow whose text is the evidence line', () => {
    const s = session(1, [cmd(1, 'MAIL', 'FROM:<a@b>', ['250 ok'], 2), cmd(1, 'RCPT', 'TO:<c@d>', ['550 no'], 2), cmd(1, 'RCPT', 'TO:<e@f>', ['250 ok'], 2)]);
    const f = finding('unknown-recipient#1', 1, [{ frame: 1, dir: 'c2s', line: 'RCPT TO:<c@d>' }, { frame: 2, dir: 's2c', line: '550 no' }]);
    const marked = arrows(ladders(renderHtml(model([s], [f])))[0]!).filter((a) => a.group.includes('data-rule="unknown-recipient"'));
    expect(marked.map((a) => unescape(a.group.match(/class="label"[^>]*>([^<]*)</)![1]!))).toEqual(['RCPT TO:<c@d>', '550 no']);
  });

  it('lists a finding whose evidence is on no arrow under the diagram', () => {
    const s = session(1, [cmd(1, 'QUIT', '', ['221 bye'])]);
    const f = finding('tls-alert#1', 1, [{ frame: 40, dir: 's2c', line: '[TLS alert]' }]);
    const html = renderHtml(model([s], [f]));
    expect(html).not.toMatch(/class="mark /);
    expect(html).toMatch(/not tied to an arrow: <a href="#finding-1" class="badge rule sev-error">tls-alert<\/a>/);
  });

  it('truncates a long line on its arrow and keeps the whole line in the <title>', () => {
    const long = 'RCPT TO:<' + 'x'.repeat(300) + '@example.net>';
    const html = renderHtml(model([session(1, [cmd(1, 'RCPT', long.slice(5), ['250 ok'])])]));
    const a = arrows(ladders(html)[0]!)[0]!;
    const label = unescape(a.group.match(/class="label"[^>]*>([^<]*)</)![1]!);
    expect(Array.from(label)).toHaveLength(LABEL_CHARS);
    expect(label.endsWith('…')).toBe(true);
    expect(unescape(a.group.match(/<title>([\s\S]*?)<\/title>/)![1]!)).toContain(long);
  });

  it('escapes hostile capture text everywhere: no element, no attribute break-out', () => {
    const evil = `<script>alert(1)</script></svg></title></style><img src=x onerror=alert(2)>"'&`;
    const s = session(1, [cmd(1, '<connect>', '', [`220 ${evil}`]), cmd(3, 'EHLO', evil, [`250 ${evil}`]), cmd(5, 'MAIL', `FROM:<${evil}>`, null)], {
      greeting: `220 ${evil}`,
      helo: evil,
      extensions: [evil],
      client: { ip: evil, port: 1 },
      transactions: [{ mailFrom: evil, rcpts: [{ address: evil, code: 250 }], dataBytes: 0, headers: { messageId: evil, subject: evil, from: evil, date: evil }, result: { code: 250, text: evil } }],
      tls: { started: true, verb: 'STARTTLS', version: evil, sni: evil, alert: evil },
      auth: { mechanism: evil, user: evil, result: evil },
    });
    const f = finding('relay-denied#1', 1, [{ frame: 3, dir: 'c2s', line: `EHLO ${evil}` }], { summary: evil, wireshark: evil, advice: evil, client: evil, id: `relay-denied#1${evil}` });
    const m = model([s], [f]);
    m.inputs[0]!.file = evil;
    const html = renderHtml(m);
    expect(html).not.toMatch(/<script|<img|<\/svg>[^\n]*<\/svg>/i);
    expect(html.match(/<svg/g)).toHaveLength(1);
    expect(html.match(/<\/svg>/g)).toHaveLength(1);
    expect(html.match(/<\/style>/g)).toHaveLength(1);
    expect(html.match(/<\/title>/g)!.length).toBe(html.match(/<title>/g)!.length);
    expect(externalReferences(html)).toEqual([]);
    expect(html).toContain(esc(evil));
    // Every attribute value is quoted and contains no raw quote: count quotes per tag.
    for (const tag of html.match(/<[a-z][^>]*>/g)!) expect((tag.match(/"/g) ?? []).length % 2, tag).toBe(0);
  });

  it(`stops the diagram at ${LADDER_MAX_ARROWS} arrows, says so, and keeps every line in the transcript`, () => {
    const many = Array.from({ length: 600 }, (_, i) => cmd(2 * i + 1, 'NOOP', '', ['250 ok']));
    const html = renderHtml(model([session(1, many)]));
    expect(arrows(ladders(html)[0]!)).toHaveLength(LADDER_MAX_ARROWS);
    expect(html).toContain(`200 more arrows not drawn`);
    expect(html.match(/<tr class="c2s"/g)).toHaveLength(600);
    expect(html.match(/<tr class="s2c"/g)).toHaveLength(600);
  });

  it('notes TLS, a mid-session start and the way the connection ended', () => {
    const s = session(1, [cmd(3, 'STARTTLS', '', ['220 go ahead'])], {
      midstream: true,
      closedBy: 'rst',
      tls: { started: true, verb: 'STARTTLS', version: 'TLS 1.3', sni: 'mx.example.net', alert: null },
    });
    const svg = ladders(renderHtml(model([s])))[0]!;
    const notes = [...svg.matchAll(/<g class="note (\w+)"><title>([^<]*)</g)].map((m) => [m[1], m[2]]);
    expect(notes).toEqual([
      ['midstream', 'The capture starts in the middle of this session: its beginning is missing'],
      ['tls', 'TLS started (TLS 1.3, SNI mx.example.net): the rest of the session is encrypted'],
      ['end', 'Connection reset by a TCP RST'],
    ]);
  });
});

describe('a hostile dialogue through the whole pipeline', () => {
  it('keeps the command line text and escapes it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'smtpscope-html-'));
    const file = join(dir, 'evil.pcap');
    writeFileSync(
      file,
      buildDialogueCapture(
        [
          '@client 10.0.0.5:49152',
          '@server 10.0.0.25:25',
          '@start 2024-01-15T10:00:00Z',
          'S: 220 mx.example.net ESMTP',
          'C: EHLO </svg><script>alert(1)</script>',
          'S: 250 mx.example.net',
          'C: QUIT',
          'S: 221 bye',
          '@close',
        ].join('\n'),
      ),
    );
    const got = await inspect([file]);
    const html = renderHtml(got.model, { bodies: got.bodies });
    expect(got.model.sessions[0]!.helo).toBe('</svg><script>alert(1)</script>');
    expect(html).not.toMatch(/<script/i);
    expect(html.match(/<\/svg>/g)).toHaveLength(1);
    expect(html).toContain('EHLO &lt;/svg&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});
