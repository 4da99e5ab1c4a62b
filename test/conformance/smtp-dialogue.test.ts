/**
 * Issue 3's differential test: per SMTP session, the commands (verb, argument) and the
 * replies (codes; text lines) we read equal tshark's smtp.req.command / smtp.req.parameter /
 * smtp.response.code / smtp.rsp.parameter for the same tcp.stream — except where tshark is
 * known to be wrong, listed in TSHARK_WRONG with the reason. The list is checked both ways:
 * a listed stream that agrees fails the test too, so the list stays true.
 */
import { describe, expect, it } from 'vitest';
import { runPipeline } from '../../src/pipeline.js';
import { DEFAULT_PORTS } from '../../src/ports.js';
import { dialogueOf, type SmtpSession } from '../../src/smtp/index.js';
import { allCaptures, rel } from '../helpers/corpus.js';
import { HAVE_TSHARK, tshark } from '../helpers/tshark.js';

interface Dialogue {
  commands: string[]; // "VERB arg"
  codes: number[];
  lines: string[];
}

type One<T> = T | T[] | undefined;
const many = <T>(x: One<T>): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

/** AUTH initial responses are credentials: we print their size, never them (RFC 4954 §4). */
function maskAuth(cmd: string): string {
  const m = /^AUTH (\S+) (\S+)$/i.exec(cmd);
  return m && m[2] !== '=' ? `AUTH ${m[1]} <credentials: ${m[2]!.length} bytes>` : cmd;
}

/**
 * tshark's view, per tcp.stream, in frame order, from its JSON (which keeps each command
 * line's verb and parameter together, unlike -T fields when one frame holds several).
 */
export function theirs(file: string, ports: Iterable<number>): Map<number, Dialogue> {
  // tshark decodes SMTP on 25 and 587 by default; other server ports need "decode as".
  const decodeAs = [...ports].flatMap((p) => ['-d', `tcp.port==${p},smtp`]);
  const out = tshark(['-r', file, ...decodeAs, '-Y', 'smtp', '-T', 'json', '-J', 'tcp smtp', '--no-duplicate-keys']);
  type Layers = { tcp: { 'tcp.stream': string }; smtp?: Record<string, unknown> };
  const packets = JSON.parse(out || '[]') as { _source: { layers: Layers } }[];
  const m = new Map<number, Dialogue>();
  for (const p of packets) {
    const { tcp, smtp } = p._source.layers;
    if (!smtp) continue;
    const stream = Number(tcp['tcp.stream']);
    const d = m.get(stream) ?? { commands: [], codes: [], lines: [] };
    m.set(stream, d);
    for (const c of many(smtp['smtp.command_line_tree'] as One<Record<string, string>>)) {
      if (c['smtp.req.command'] === undefined) continue;
      const cmd = `${c['smtp.req.command'].toUpperCase()} ${c['smtp.req.parameter'] ?? ''}`.trim();
      // tshark 4.0 takes the first four octets of STARTTLS as the verb and the rest after
      // one skipped octet as the parameter ("STAR" "TLS"): undo that known quirk here.
      d.commands.push(maskAuth(/^STAR TLS$/i.test(cmd) ? 'STARTTLS' : cmd));
    }
    for (const r of many(smtp['smtp.response_tree'] as One<Record<string, One<string>>>)) {
      for (const code of many(r['smtp.response.code'])) d.codes.push(Number(code));
      d.lines.push(...many(r['smtp.rsp.parameter']).filter((l) => l !== ''));
    }
  }
  return m;
}

/** Ours, in the same shape: AUTH answers are not commands (tshark agrees when it follows AUTH). */
export function ours(s: SmtpSession): Dialogue {
  const { commands, replies } = dialogueOf(s);
  return {
    commands: commands.filter(([v]) => v !== '<auth-response>').map(([v, a]) => `${v} ${a}`.trim()),

    codes: replies.map(([c]) => c),
    lines: replies.flatMap(([, t]) => t.split('\n')).filter((l) => l !== ''),
  };
}

/** Why tshark 4.0's SMTP dissector is not the truth on some streams (each checked by hand). */
const WHY = {
  xexch50: 'tshark splits the verb XEXCH50 into command "XEXC" and parameter "50 1124 2"',
  anonTls: 'tshark does not know X-ANONYMOUSTLS and shows the line as a DATA fragment, losing the command',
  bdat: 'tshark does not implement BDAT (RFC 3030): it reads the chunk octets as lines and loses the commands after them',
  refusedData:
    'the server refused DATA, so the client\'s next lines are commands (the server answers each); tshark assumes a body follows and loses them',
  afterBody: 'commands pipelined in the segment that ends the message body (RFC 2920 §3.1) are lost by tshark',
  outOfOrder: 'segments arrive out of order; tshark\'s SMTP dissector reads them in capture order, we in sequence order (as its own follow,tcp does)',
  authAnswer: 'after 334 the client\'s next line is an AUTH answer (RFC 4954 §4), which we mask; tshark reads it as a command',
  overlap:
    'overlapping retransmissions carry other bytes; we keep the first copy, as tshark follow,tcp does, while its SMTP dissector reads the later copies',
  unterminatedGreeting:
    'the greeting has no CRLF, so in the byte stream it runs into the next segment\'s "250-" line (as Zeek reads it); tshark reads each segment as lines',
  binaryCommand: 'a binary command line: tshark shows no command for it and escapes control bytes in the reply text',
  plainOn465:
    'port 465 is implicit TLS (RFC 8314 §3.3): we follow TLS from the first byte and report the plain-text server; tshark reads the lines',
  splitReply: 'a multi-line EHLO reply split over two segments: tshark counts a reply code per segment',
  missedReplies: 'tshark shows no SMTP for two reply segments that its own follow,tcp output contains',
} as const;

/** capture → stream → why tshark's reading is not the truth there. */
const TSHARK_WRONG: Record<string, Record<number, string>> = {
  'fixtures/captures/mission/x-anonymoustls-500.pcap': { 0: WHY.anonTls },
  'fixtures/captures/mission/xexch50-blob-dropped-silent.pcap': { 0: WHY.xexch50 },
  'fixtures/captures/mission/xexch50-blob-dropped.pcap': { 0: WHY.xexch50 },
  'fixtures/captures/real/postfix-bdat-crlfdotcrlf.pcap': { 0: WHY.bdat },
  'shared/conformance/suricata-verify/bug-1045-smtpsuricataflowbitsFN.pcap': { 0: WHY.afterBody },
  'shared/conformance/suricata-verify/bug-7126.pcap': { 0: WHY.bdat },
  'shared/conformance/suricata-verify/detect-email-received.pcap': { 0: WHY.unterminatedGreeting },
  'shared/conformance/suricata-verify/firewall-133-smtp-out-of-order.pcap': { 0: WHY.outOfOrder },
  'shared/conformance/suricata-verify/issue-4220-01-ids-1flowB.pcap': { 0: WHY.missedReplies },
  'shared/conformance/suricata-verify/smtp-bdat-bad-tail-next-mail.pcap': { 0: WHY.bdat },
  'shared/conformance/suricata-verify/smtp-bdat-bad-tail-reply-queue.pcap': { 0: WHY.bdat },
  'shared/conformance/suricata-verify/smtp-bdat-last-next-mail.pcap': { 0: WHY.bdat },
  'shared/conformance/suricata-verify/smtp-bdat-multichunk-inspection.pcap': { 0: WHY.bdat },
  'shared/conformance/suricata-verify/smtp-bdat-multichunk-next-mail.pcap': { 0: WHY.bdat },
  'shared/conformance/suricata-verify/smtp-bdat-pipelined-next-mail.pcap': { 0: WHY.bdat },
  'shared/conformance/suricata-verify/smtp-bug-5989.pcap': { 0: WHY.overlap },
  'shared/conformance/suricata-verify/smtp-bug-6053.pcap': { 0: WHY.unterminatedGreeting },
  'shared/conformance/suricata-verify/smtp-data-rejected.pcap': { 0: WHY.refusedData },
  'shared/conformance/suricata-verify/smtp-ehlo-reset-after-rejected-data.pcap': { 0: WHY.refusedData },
  'shared/conformance/suricata-verify/smtp-errors.pcap': { 0: WHY.binaryCommand, 3: WHY.plainOn465 },
  'shared/conformance/suricata-verify/smtp-extract-url-schemes.pcap': { 0: WHY.splitReply },
  'shared/conformance/suricata-verify/smtp-long-command.pcap': { 0: WHY.authAnswer },
  'shared/conformance/suricata-verify/smtp-pipelined-rset-data-replies.pcap': { 0: WHY.refusedData },
  'shared/conformance/suricata-verify/smtp-pipelining.pcap': { 0: WHY.afterBody },
  'shared/conformance/suricata-verify/smtp-tls-protodetect.pcap': { 0: WHY.plainOn465 },
  'shared/conformance/suricata-verify/smtp-to-comma.pcap': { 0: WHY.refusedData },
  'shared/conformance/zeek/bdat-chunk-size-overflow.pcap': { 0: WHY.bdat },
  'shared/conformance/zeek/bdat-chunk-size-overflow2.pcap': { 0: WHY.bdat },
  'shared/conformance/zeek/bdat-cmd-invalid.pcapng': { 0: WHY.bdat, 1: WHY.bdat },
  'shared/conformance/zeek/bdat-gap.pcap': { 0: WHY.bdat },
  'shared/conformance/zeek/bdat-negative-chunk-size.pcap': { 0: WHY.bdat },
  'shared/conformance/zeek/bdat-nonascii.pcap': { 0: WHY.bdat },
  'shared/conformance/zeek/bdat-pipeline-8bitmime.pcap': { 0: WHY.bdat },
  'shared/conformance/zeek/mail-transactions-invalid.pcap': { 0: WHY.refusedData },
};

describe.skipIf(!HAVE_TSHARK)('SMTP dialogue equals tshark where tshark is right', () => {
  for (const file of allCaptures()) {
    const name = rel(file);
    it(name, async () => {
      const result = await runPipeline([file], { ports: DEFAULT_PORTS, registry: [] }).catch((e: Error) => e);
      if (result instanceof Error) return; // unreadable inputs are the capture tests' business
      const t = theirs(file, new Set(result.sessions.map((s) => s.server.port)));
      const known = TSHARK_WRONG[name] ?? {};
      const mismatched: number[] = [];
      for (const s of result.sessions) {
        const mine = ours(s);
        const other = t.get(s.tcpStream) ?? { commands: [], codes: [], lines: [] };
        const same = JSON.stringify(mine) === JSON.stringify(other);
        if (!same) {
          mismatched.push(s.tcpStream);
          if (!known[s.tcpStream]) {
            expect({ stream: s.tcpStream, ...mine }).toEqual({ stream: s.tcpStream, ...other });
          }
        }
      }
      // Every listed exception must still be an actual disagreement.
      for (const stream of Object.keys(known).map(Number)) expect(mismatched).toContain(stream);
    });
  }
});
