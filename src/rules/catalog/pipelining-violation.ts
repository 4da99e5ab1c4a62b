import { defineRule } from '../define-rule.js';
import { commandEvidence } from '../evidence.js';
import type { Command } from '../../smtp/index.js';
import { FirstOccurrence, PipeliningFacts, withPipeliningFacts } from '../facts/pipelining.js';

/**
 * RFC 2920 §3.1 (P-2): with PIPELINING, RSET, MAIL, SEND, SOML, SAML and RCPT "can all
 * appear anywhere in a pipelined command group"; EHLO, DATA, VRFY, EXPN, TURN, QUIT and
 * NOOP "can only appear as the last command in a group", and so can commands of other
 * extensions "unless otherwise specified" (STARTTLS, RFC 3207 §4.2; AUTH; XEXCH50;
 * X-ANONYMOUSTLS; BDAT is otherwise specified by RFC 3030). smtp/ states the fact per
 * command (`afterGroupEnd`: the outstanding group-ending command it followed before that
 * command's reply). Message content sent before the 354 to DATA is the same violation
 * (P-3 allows content only as the FIRST "command" of a group, after the 354).
 *
 * Only where PIPELINING is known to be advertised (pipelining-not-advertised covers the
 * rest); commands before the greeting are early-talker's, after QUIT command-after-quit's;
 * nothing after TLS starts (facts/pipelining.ts keeps that knowledge). Once per session: the first case as evidence, the count in data.
 */
export default defineRule({
  meta: {
    id: 'pipelining-violation',
    severity: 'warning',
    category: 'command-order',
    title: 'A command that must end a pipelined group was followed by more commands',
    summary: '{{command}} was sent after {{groupEnd}} before {{groupEnd}} was answered, although {{groupEnd}} must end a pipelined command group ({{count}} such case(s) in the session)',
    advice:
      'With PIPELINING the client may send several commands at once, but EHLO, DATA, STARTTLS, AUTH, QUIT, NOOP, VRFY and EXPN must be the last of a group: the client has to wait for their reply (for DATA, the 354) before sending more. Servers may discard or misread what follows (Postfix logs "improper command pipelining"); update or reconfigure the sending software, and suspect a spam bot if the client is unknown.',
    references: ['RFC 2920 §3.1', 'RFC 3207 §4.2', 'RFC 3030 §4.2'],
    scope: 'session',
    thresholds: {},
  },
  create(ctx) {
    const facts = new PipeliningFacts();
    /** Commands sent whose reply has not arrived, oldest first (FIFO like the server's, RFC 2920 §3.2). */
    let outstanding: Command[] = [];
    const lastByVerb = new Map<string, Command>();
    const found = new FirstOccurrence();

    return withPipeliningFacts(facts, {
      gap(ev) {
        // smtp/ drops its reply queue at a server-side gap; so do we.
        if (ev.dir === 's2c') outstanding = [];
      },
      command(ev) {
        const cmd = ev.cmd;
        if (facts.opaque || cmd.verb === '<connect>') return;
        // Message content before the 354 is judged at data-start/data-end (first body octet's frame).
        if (facts.judging && facts.advertised === true && cmd.afterGroupEnd !== null) {
          const v = cmd.afterGroupEnd;
          const groupEnd = outstanding.find((c) => c.verb === v) ?? lastByVerb.get(v);
          if (groupEnd) found.add(groupEnd, null, commandEvidence(cmd), cmd.verb);
        }
        facts.command(cmd);
        outstanding.push(cmd);
        lastByVerb.set(cmd.verb, cmd);
      },
      'data-start'(ev) {
        facts.dataStart(ev, true);
      },
      'data-end'(ev) {
        const early = facts.dataEnd(ev);
        if (early) found.add(early.cmd, early.reply, early.offending, 'message content');
      },
      reply(ev) {
        const to = ev.to;
        if (!to || facts.opaque) return;
        const i = outstanding.indexOf(to);
        if (i >= 0) outstanding.splice(0, i + 1);
        found.reply(to, ev.reply);
        facts.reply(to, ev.reply);
      },
      'session-end'() {
        const first = found.first;
        if (!first) return;
        ctx.report({ data: { command: first.verb, groupEnd: first.cmd.verb, count: found.count }, evidence: found.evidence() });
      },
    });
  },
});
