import { defineRule } from '../define-rule.js';
import { commandEvidence, replyEvidence } from '../evidence.js';
import type { Command } from '../../smtp/index.js';
import type { ReplyToEvent } from '../types.js';

const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const IPV4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export type HeloProblem = 'empty' | 'unbracketed-address' | 'bad-address-literal' | 'not-fqdn' | 'bad-characters';

/**
 * RFC 5321 §4.1.1.1: `ehlo = "EHLO" SP ( Domain / address-literal ) CRLF`; §2.3.5:
 * the domain "MUST be ... a fully-qualified domain name" (a primary host name, so
 * at least two labels); §4.1.3: an address literal is bracketed, `[192.0.2.1]` or
 * `[IPv6:...]`. Returns what is wrong, or null.
 */
export function heloProblem(arg: string): HeloProblem | null {
  const a = arg.trim();
  if (a === '') return 'empty';
  if (a.startsWith('[')) {
    const m = /^\[(.*)\]$/.exec(a);
    if (!m) return 'bad-address-literal';
    const inner = m[1]!;
    if (IPV4.test(inner)) return null;
    if (/^IPv6:[0-9A-Fa-f:.]+$/i.test(inner) && inner.includes(':', 5)) return null;
    return 'bad-address-literal';
  }
  if (IPV4.test(a) || /^[0-9A-Fa-f]*:[0-9A-Fa-f:.]+$/.test(a)) return 'unbracketed-address';
  const name = a.split(/\s+/)[0]!.replace(/\.$/, '');
  const labels = name.split('.');
  if (!labels.every((l) => LABEL.test(l))) return 'bad-characters';
  if (labels.length < 2 || /^\d+$/.test(labels[labels.length - 1]!)) return 'not-fqdn';
  return null;
}

const WHY: Record<HeloProblem, string> = {
  empty: 'is empty',
  'unbracketed-address': 'is an IP address without brackets',
  'bad-address-literal': 'is a malformed address literal',
  'not-fqdn': 'is not a fully qualified domain name',
  'bad-characters': 'contains characters not allowed in a domain name',
};

/** Once per session, at the first offending HELO/EHLO, with its reply as evidence. */
export default defineRule({
  meta: {
    id: 'helo-invalid',
    severity: 'notice',
    category: 'greeting',
    title: 'HELO/EHLO name is not a valid host name',
    summary: 'The client\'s {{verb}} argument "{{arg}}" {{why}}',
    advice:
      'Many receivers reject or score a HELO name that is not a fully qualified, resolvable host name (Postfix reject_invalid_helo_hostname / reject_non_fqdn_helo_hostname, spam filters). Set the sending host\'s name: on Exchange the send connector\'s FQDN (Set-SendConnector -Fqdn), on Postfix smtp_helo_name or myhostname; an IP address must be written in brackets, [192.0.2.1].',
    references: ['RFC 5321 §4.1.1.1', 'RFC 5321 §2.3.5', 'RFC 5321 §4.1.3'],
    scope: 'session',
    thresholds: {},
  },
  create(ctx) {
    let flagged: { cmd: Command; problem: HeloProblem } | null = null;
    let done = false;
    function report(cmd: Command, problem: HeloProblem, reply: Parameters<typeof replyEvidence>[0] | null): void {
      done = true;
      ctx.report({
        data: { verb: cmd.verb, arg: cmd.arg, why: WHY[problem], problem, code: reply ? reply.code : null },
        evidence: reply ? [commandEvidence(cmd), replyEvidence(reply)] : [commandEvidence(cmd)],
      });
    }
    /** HELO or EHLO: the first one with a bad argument waits for its reply. */
    const hello = (ev: { cmd: Command }): void => {
      if (done || flagged) return;
      const problem = heloProblem(ev.cmd.arg);
      if (problem) flagged = { cmd: ev.cmd, problem };
    };
    const helloReply = (ev: ReplyToEvent): void => {
      if (!flagged || ev.to !== flagged.cmd) return;
      report(flagged.cmd, flagged.problem, ev.reply);
      flagged = null;
    };
    return {
      'command[verb=HELO]': hello,
      'command[verb=EHLO]': hello,
      'reply[to.verb=HELO]': helloReply,
      'reply[to.verb=EHLO]': helloReply,
      'session-end'() {
        if (flagged) report(flagged.cmd, flagged.problem, null);
        flagged = null;
      },
    };
  },
});
