import { defineRule } from '../define-rule.js';
import { commandEvidence, replyEvidence } from '../evidence.js';
import type { Evidence } from '../types.js';
import type { Command, Reply } from '../../smtp/index.js';
import type { Time } from '../../util/time.js';

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
 * nothing after TLS starts. Once per session: the first case as evidence, the count in data.
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
    let advertised: boolean | null = null;
    let opaque = false;
    let greeted = false;
    let quit = false;
    /** Commands sent whose reply has not arrived, oldest first (FIFO like the server's, RFC 2920 §3.2). */
    let outstanding: Command[] = [];
    const lastByVerb = new Map<string, Command>();
    let data: { cmd: Command; reply: Reply | null; early: { frame: number; time: Time } | null } | null = null;
    let first: { groupEnd: Command; groupEndReply: Reply | null; offending: Evidence; verb: string } | null = null;
    let count = 0;

    function occurrence(groupEnd: Command, groupEndReply: Reply | null, offending: Evidence, verb: string): void {
      count++;
      if (!first) first = { groupEnd, groupEndReply, offending, verb };
    }

    return {
      'session-start'(ev) {
        greeted = ev.midstream;
      },
      greeting() {
        greeted = true;
      },
      anomaly(ev) {
        // smtp/ found no greeting (the server's first reply answered a command): commands are judged from there.
        if (ev.kind === 'missing-greeting') greeted = true;
      },
      gap(ev) {
        advertised = null;
        // smtp/ drops its reply queue at a server-side gap; so do we.
        if (ev.dir === 's2c') outstanding = [];
      },
      tls(ev) {
        if (ev.phase === 'start') opaque = true;
      },
      extensions(ev) {
        advertised = ev.ehlo.pipelining;
      },
      command(ev) {
        const cmd = ev.cmd;
        if (opaque || cmd.verb === '<connect>') return;
        if (greeted && !quit && advertised === true) {
          // Message content before the 354 is judged at data-start/data-end (first body octet's frame).
          if (cmd.afterGroupEnd !== null) {
            const v = cmd.afterGroupEnd;
            const groupEnd = outstanding.find((c) => c.verb === v) ?? lastByVerb.get(v);
            if (groupEnd) occurrence(groupEnd, null, commandEvidence(cmd), cmd.verb);
          }
        }
        if (cmd.verb === 'QUIT') quit = true;
        if (cmd.verb === 'DATA') data = { cmd, reply: null, early: null };
        outstanding.push(cmd);
        lastByVerb.set(cmd.verb, cmd);
      },
      'data-start'(ev) {
        if (!data || ev.cmd !== data.cmd || !data.reply || ev.firstBodyFrame === null || ev.firstBodyTime === null) return;
        // The client sent body octets before the 354 arrived (smtp/ held them for the reply).
        if (ev.firstBodyFrame < data.reply.frame && !opaque && greeted && !quit && advertised === true) data.early = { frame: ev.firstBodyFrame, time: ev.firstBodyTime };
      },
      'data-end'(ev) {
        const early = data?.early;
        if (!data || !early) return;
        data.early = null;
        // The whole message before the 354, or a body begun before it and finished after it.
        const whole = ev.complete && data.reply !== null && ev.frame < data.reply.frame;
        const line = whole ? '(message content and the final ".")' : '(message content begun before the 354, finished after it)';
        const at = whole ? { frame: ev.frame, time: ev.time } : early;
        occurrence(data.cmd, data.reply, { frame: at.frame, time: at.time, dir: 'c2s', line }, 'message content');
      },
      reply(ev) {
        const to = ev.to;
        if (!to || opaque) return;
        const i = outstanding.indexOf(to);
        if (i >= 0) outstanding.splice(0, i + 1);
        if (data && to === data.cmd) data.reply = ev.reply;
        if (first && to === first.groupEnd && !first.groupEndReply) first.groupEndReply = ev.reply;
        const ok = ev.reply.code >= 200 && ev.reply.code < 300;
        if ((to.verb === 'HELO' && ok) || (to.verb === 'EHLO' && !ok)) advertised = false;
      },
      'session-end'() {
        if (!first) return;
        const evidence = [commandEvidence(first.groupEnd), first.offending];
        if (first.groupEndReply) evidence.push(replyEvidence(first.groupEndReply));
        ctx.report({ data: { command: first.verb, groupEnd: first.groupEnd.verb, count }, evidence });
      },
    };
  },
});
