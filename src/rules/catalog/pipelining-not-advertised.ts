import { defineRule } from '../define-rule.js';
import { commandEvidence } from '../evidence.js';
import type { Command } from '../../smtp/index.js';
import { FirstOccurrence, PipeliningFacts, withPipeliningFacts } from '../facts/pipelining.js';

/**
 * RFC 2920 §3 (P-1): a client may send a command before the reply to the previous one
 * only if the server's EHLO reply listed PIPELINING; otherwise RFC 5321 §4.3 lock-step
 * applies (one command, one reply, then the next). smtp/ states the fact per command
 * (`pipelined`: sent while replies to earlier real commands were outstanding). Message
 * content sent before the 354 to DATA counts too (the `.` line arrives before the 354).
 *
 * Judged only where the extensions are known NOT to include PIPELINING (none before the
 * first EHLO reply, HELO or a refused EHLO, RFC 5321 §4.1.1.1), after the greeting, before
 * QUIT and before TLS: facts/pipelining.ts keeps that knowledge (shared with
 * pipelining-violation). Once per session: the first case as evidence, the count in data.
 */
export default defineRule({
  meta: {
    id: 'pipelining-not-advertised',
    severity: 'warning',
    category: 'command-order',
    title: 'Client pipelined commands although the server did not offer PIPELINING',
    summary: '{{command}} was sent before the reply to {{previous}} arrived, but the server did not advertise PIPELINING ({{count}} such command(s) in the session)',
    advice:
      'Without PIPELINING in the EHLO reply the client must wait for each reply before the next command; a server may lose or reject commands that arrive early (Postfix logs "improper command pipelining"). Check whether a firewall\'s SMTP inspection removed PIPELINING from the EHLO reply, or whether the client (often a script or spam bot) ignores the extension list.',
    references: ['RFC 2920 §3', 'RFC 5321 §4.1.1.1', 'RFC 5321 §4.3'],
    scope: 'session',
    thresholds: {},
  },
  create(ctx) {
    const facts = new PipeliningFacts();
    let last: Command | null = null;
    const found = new FirstOccurrence();

    return withPipeliningFacts(facts, {
      command(ev) {
        const cmd = ev.cmd;
        if (facts.opaque || cmd.verb === '<connect>') return;
        // Message content before the 354 is judged at data-start/data-end (first body octet's frame).
        if (facts.judging && facts.advertised === false && cmd.pipelined && last) {
          found.add(last, null, commandEvidence(cmd), cmd.verb);
        }
        facts.command(cmd);
        last = cmd;
      },
      'data-start'(ev) {
        facts.dataStart(ev, false);
      },
      'data-end'(ev) {
        const early = facts.dataEnd(ev);
        if (early) found.add(early.cmd, early.reply, early.offending, 'message content');
      },
      reply(ev) {
        const to = ev.to;
        if (!to || facts.opaque) return;
        found.reply(to, ev.reply);
        facts.reply(to, ev.reply);
      },
      'session-end'() {
        const first = found.first;
        if (!first) return;
        ctx.report({ data: { command: first.verb, previous: first.cmd.verb, count: found.count }, evidence: found.evidence() });
      },
    });
  },
});
