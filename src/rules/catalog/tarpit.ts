import { defineRule } from '../define-rule.js';
import { commandEvidence, replyEvidence } from '../evidence.js';
import type { Evidence } from '../types.js';
import type { Command, Reply } from '../../smtp/index.js';
import { compareTime, diffMs, type Time } from '../../util/time.js';

/**
 * Replies whose delay says nothing about tarpitting: the greeting (its own banner delay),
 * and the verdict on a message or BLOB (content scanning takes time whatever the answer).
 */
const NOT_SAMPLED = new Set(['<connect>', '<end-of-data>', '<end-of-blob>']);

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Tarpitting: the server answers errors slowly on purpose to slow down directory harvesting
 * and spam (Exchange TarpitInterval, 5 s by default; Postfix smtpd_error_sleep_time;
 * CommuniGate's error delay). The signature is the CONTRAST: 5xx replies late, positive replies
 * fast. A server that is slow for everything is slow (slow-reply), not tarpitting, so the rule
 * needs positive replies whose median is under half the tarpit delay. Once per session.
 *
 * The delay is the server's own: from the later of the command and the previous reply
 * to this reply. A pipelined command (RFC 2920) waits behind the replies before it, so
 * the command-to-reply latency counts the earlier delays again (suricata-verify
 * smtp-errors: three pipelined replies 2 s apart are 2 s delays, not 2 s and 4 s).
 */
export default defineRule({
  meta: {
    id: 'tarpit',
    severity: 'notice',
    category: 'envelope',
    title: 'Server delays its error replies (tarpit)',
    summary: '{{delayed}} error reply(ies) came after {{delayMs}} ms or more (slowest {{slowestMs}} ms) while positive replies took {{fastMs}} ms (median): the server tarpits',
    advice:
      'The server deliberately delays its 5xx replies to slow down address harvesting and spam (Exchange TarpitInterval, 5 s by default; Postfix smtpd_error_sleep_time). It is harmless for legitimate mail but makes a client with many refused recipients slow; fix the refused commands, or for a trusted partner set Set-ReceiveConnector -TarpitInterval 00:00:00 on a dedicated connector.',
    references: ['RFC 5321 §4.5.3.2'],
    // A tarpit longer than slow-reply-ms is still one problem: the tarpit.
    supersedes: ['slow-reply'],
    scope: 'session',
    thresholds: { 'tarpit-ms': 4000 },
  },
  create(ctx) {
    const tarpitMs = ctx.thresholds['tarpit-ms'];
    const delayed: { cmd: Command; reply: Reply; ms: number }[] = [];
    const positive: number[] = [];
    let lastReply: Time | null = null;
    return {
      reply(ev) {
        const to = ev.to;
        const previous = lastReply;
        lastReply = ev.reply.time;
        if (!to || ev.latencyMs === null || NOT_SAMPLED.has(to.verb)) return;
        const start = previous && compareTime(previous, to.time) > 0 ? previous : to.time;
        const ms = Math.min(ev.latencyMs, diffMs(ev.reply.firstTime, start));
        const code = ev.reply.code;
        if (code >= 500 && code <= 599) {
          if (ms >= tarpitMs) delayed.push({ cmd: to, reply: ev.reply, ms });
        } else if (code >= 200 && code <= 399 && !to.pseudo) {
          positive.push(ms);
        }
      },
      'session-end'() {
        if (delayed.length === 0 || positive.length === 0) return;
        const fast = median(positive);
        if (fast >= tarpitMs / 2) return;
        const evidence: Evidence[] = [];
        for (const d of delayed.slice(0, 5)) evidence.push(commandEvidence(d.cmd), replyEvidence(d.reply));
        ctx.report({
          data: {
            delayed: delayed.length,
            delayMs: Math.round(Math.min(...delayed.map((d) => d.ms))),
            slowestMs: Math.round(Math.max(...delayed.map((d) => d.ms))),
            fastMs: Math.round(fast),
            code: delayed[0]!.reply.code,
            enhanced: delayed[0]!.reply.enhanced,
          },
          evidence,
        });
      },
    };
  },
});
