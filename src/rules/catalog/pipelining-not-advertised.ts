import { defineRule } from '../define-rule.js';
import { commandEvidence, replyEvidence } from '../evidence.js';
import type { Evidence } from '../types.js';
import type { Command, Reply } from '../../smtp/index.js';
import type { Time } from '../../util/time.js';

/**
 * RFC 2920 §3 (P-1): a client may send a command before the reply to the previous one
 * only if the server's EHLO reply listed PIPELINING; otherwise RFC 5321 §4.3 lock-step
 * applies (one command, one reply, then the next). smtp/ states the fact per command
 * (`pipelined`: sent while replies to earlier real commands were outstanding). Message
 * content sent before the 354 to DATA counts too (the `.` line arrives before the 354).
 *
 * Knowledge of the extensions: none advertised before the first EHLO reply of a
 * session whose start was seen; HELO (or a refused EHLO) means no extensions (RFC 5321
 * §4.1.1.1). Unknown in a mid-stream capture, and after a gap, until the next HELO/EHLO
 * reply. Commands before the greeting are early-talker's, commands after QUIT are
 * command-after-quit's; nothing after TLS starts (opaque). Once per session: the first
 * case as evidence, the count in data.
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
    /** PIPELINING advertised by the latest HELO/EHLO reply; null: unknown. */
    let advertised: boolean | null = null;
    let opaque = false;
    let greeted = false;
    let quit = false;
    let last: Command | null = null;
    let data: { cmd: Command; reply: Reply | null; early: { frame: number; time: Time } | null } | null = null;
    let first: { prev: Command; prevReply: Reply | null; offending: Evidence; verb: string } | null = null;
    let count = 0;

    function occurrence(prev: Command, prevReply: Reply | null, offending: Evidence, verb: string): void {
      count++;
      if (!first) first = { prev, prevReply, offending, verb };
    }

    return {
      'session-start'(ev) {
        advertised = ev.midstream ? null : false;
        greeted = ev.midstream;
      },
      greeting() {
        greeted = true;
      },
      anomaly(ev) {
        // smtp/ found no greeting (the server's first reply answered a command): commands are judged from there.
        if (ev.kind === 'missing-greeting') greeted = true;
      },
      gap() {
        advertised = null;
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
        if (greeted && !quit && advertised === false) {
          // Message content before the 354 is judged at data-start/data-end (first body octet's frame).
          if (cmd.pipelined && last) {
            occurrence(last, null, commandEvidence(cmd), cmd.verb);
          }
        }
        if (cmd.verb === 'QUIT') quit = true;
        if (cmd.verb === 'DATA') data = { cmd, reply: null, early: null };
        last = cmd;
      },
      'data-start'(ev) {
        if (!data || ev.cmd !== data.cmd || !data.reply || ev.firstBodyFrame === null || ev.firstBodyTime === null) return;
        // The client sent body octets before the 354 arrived (smtp/ held them for the reply).
        if (ev.firstBodyFrame < data.reply.frame && !opaque && greeted && !quit && advertised === false) data.early = { frame: ev.firstBodyFrame, time: ev.firstBodyTime };
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
        if (data && to === data.cmd) data.reply = ev.reply;
        if (first && to === first.prev && !first.prevReply) first.prevReply = ev.reply;
        const ok = ev.reply.code >= 200 && ev.reply.code < 300;
        // RFC 5321 §4.1.1.1: HELO gives no extension list; a refused EHLO gives none either.
        if ((to.verb === 'HELO' && ok) || (to.verb === 'EHLO' && !ok)) advertised = false;
      },
      'session-end'() {
        if (!first) return;
        const evidence = [commandEvidence(first.prev), first.offending];
        if (first.prevReply) evidence.push(replyEvidence(first.prevReply));
        ctx.report({ data: { command: first.verb, previous: first.prev.verb, count }, evidence });
      },
    };
  },
});
