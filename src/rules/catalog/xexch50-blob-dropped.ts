import { defineRule } from '../define-rule.js';
import { commandEvidence, replyEvidence, replyLine } from '../evidence.js';
import type { Evidence } from '../types.js';
import type { Command, Reply, SessionEvent } from '../../smtp/index.js';
import { diffMs } from '../../util/time.js';

type BlobEvent = Extract<SessionEvent, { type: 'xexch50-blob' }>;
type EndEvent = Extract<SessionEvent, { type: 'session-end' }>;

/** One `XEXCH50 <n> <k>` answered 354, and what followed it. */
interface Episode {
  cmd: Command;
  accepted: Reply;
  /** smtp/'s account of the BLOB: octets counted, whether the server answered. */
  blob: BlobEvent | null;
  /** The server's answer to the BLOB (reply to the '<end-of-blob>' pseudo-command). */
  ack: { reply: Reply; latencyMs: number | null } | null;
  /** The first server reply after the 354 that answers nothing (a 421 timeout, or the answer to a BLOB the capture lost part of). */
  other: Reply | null;
}

/**
 * KB 818222: Exchange 2000/2003 sends `XEXCH50 <blob-length> <auth-level>`; after 354 exactly
 * blob-length binary octets follow and the server answers 250. A firewall that filters SMTP
 * commands (ISA "SmtpEvt 20031 An unknown SMTP command", PIX fixup) drops the BLOB, so the
 * server never gets all n octets and times out (421 4.4.2) while the sender's queue grows.
 *
 * Judged at the end of the session, from smtp/'s `xexch50-blob` fact:
 * - fewer than n octets, and the server did not carry on with a 2xx (a 2xx means only the
 *   capture missed the bytes: that is tcp-gap's finding, not this one);
 * - all n octets, but no answer before the session ended, or a 2xx only after slow-reply-ms.
 * A 4xx/5xx answer to a complete BLOB is the server's verdict on its content, not a drop.
 */
export default defineRule({
  meta: {
    id: 'xexch50-blob-dropped',
    severity: 'error',
    category: 'xexch50',
    title: 'XEXCH50 BLOB dropped on the way to the server',
    summary: 'The server accepted {{command}} with 354, then {{received}} of {{expected}} BLOB bytes arrived and {{outcome}}',
    advice:
      'A firewall or SMTP proxy that filters SMTP commands drops the binary BLOB that follows XEXCH50 (KB 818222), so the message stays in the Exchange queue until it expires. Suppress XEXCH50 towards external domains (registry value SMTPSVC\\XEXCH50\\SuppressExternal = 1), make the SMTP connector send HELO instead of EHLO, or exempt this traffic from the firewall\'s SMTP inspection.',
    references: ['KB 818222', 'RFC 5321 §4.5.3.2'],
    // One problem, one finding: the drop shows up as an aborted session, a 421 timeout (a 4xx,
    // and a reply paired with no command), a long wait, the missing bytes, and, captured on the
    // sender's side, the retransmissions of the BLOB segments.
    supersedes: ['session-aborted', 'slow-reply', 'temporary-failure', 'unexpected-reply', 'tcp-gap', 'retransmissions', 'too-many-errors'],
    scope: 'session',
    thresholds: { 'slow-reply-ms': 30_000 },
  },
  create(ctx) {
    const slowMs = ctx.thresholds['slow-reply-ms'];
    const episodes: Episode[] = [];
    let open: Episode | null = null;

    function judge(ep: Episode, end: EndEvent): void {
      const blob = ep.blob;
      if (!blob) return; // smtp/ always reports the BLOB once it ends; without it there is nothing to judge
      let outcome: string;
      const evidence: Evidence[] = [commandEvidence(ep.cmd), replyEvidence(ep.accepted)];
      let answer: Reply | null = null;
      if (!blob.complete) {
        // The first reply after the cut decides: a 2xx means the server did get the bytes.
        if (ep.ack && ep.ack.reply.code < 400) return;
        if (!ep.ack && ep.other && ep.other.code < 400) return;
        answer = ep.ack?.reply ?? ep.other;
        outcome = answer ? gaveUp(answer, ep.accepted) : ended(end);
      } else if (ep.ack) {
        if (ep.ack.reply.code >= 400) return;
        if (ep.ack.latencyMs === null || ep.ack.latencyMs <= slowMs) return;
        answer = ep.ack.reply;
        outcome = `the server acknowledged them only after ${seconds(ep.ack.latencyMs)} s`;
      } else {
        answer = ep.other;
        outcome = answer ? gaveUp(answer, ep.accepted) : ended(end);
      }
      if (answer) evidence.push(replyEvidence(answer));
      // Where the BLOB stopped (a gap, the close): shared with the transport rules' evidence.
      evidence.push({ frame: blob.frame, time: blob.time, dir: 'c2s', line: `XEXCH50 BLOB: ${blob.received} of ${blob.expected} bytes (${blob.cause === 'reply' ? 'answered' : `stream ${blob.cause === 'gap' ? 'gap' : 'ended'}`})` });
      if (end.frame !== blob.frame && !answer) evidence.push({ frame: end.frame, time: end.time, dir: null, line: `session ended (${end.reason})` });
      ctx.report({
        data: {
          command: `XEXCH50 ${ep.cmd.arg}`,
          expected: blob.expected,
          received: blob.received,
          missing: blob.expected - blob.received,
          reply: answer ? answer.code : null,
          enhanced: answer ? answer.enhanced : null,
          outcome,
        },
        evidence,
      });
    }

    return {
      reply(ev) {
        const to = ev.to;
        if (to?.verb === 'XEXCH50') {
          if (ev.reply.code === 354) {
            open = { cmd: to, accepted: ev.reply, blob: null, ack: null, other: null };
            episodes.push(open);
          }
          return;
        }
        if (!open) return;
        if (to?.verb === '<end-of-blob>') {
          open.ack ??= { reply: ev.reply, latencyMs: ev.latencyMs };
        } else if (to === null || open.blob !== null) {
          // Unpaired (the 421 timeout), or the first reply once the BLOB was cut.
          open.other ??= ev.reply;
        }
      },
      'xexch50-blob'(ev) {
        if (open && open.cmd === ev.cmd) open.blob = ev;
      },
      command(ev) {
        // A new transaction or XEXCH50 closes the observation window of the last one.
        if (open && open.blob && (ev.cmd.verb === 'XEXCH50' || ev.cmd.verb === 'MAIL')) open = null;
      },
      'session-end'(ev) {
        for (const ep of episodes) judge(ep, ev);
        episodes.length = 0;
        open = null;
      },
    };
  },
});

function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}

function gaveUp(reply: Reply, accepted: Reply): string {
  return `the server gave up after ${seconds(diffMs(reply.time, accepted.time))} s: ${replyLine(reply)}`;
}

function ended(end: EndEvent): string {
  switch (end.reason) {
    case 'rst':
      return 'the connection was reset without an answer from the server';
    case 'capture-end':
      return 'the server had not answered when the capture ended';
    default:
      return 'the connection closed without an answer from the server';
  }
}
