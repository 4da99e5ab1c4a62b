import type { Command, Reply, SessionEvent } from '../../smtp/index.js';

type Ev<K extends SessionEvent['type']> = Extract<SessionEvent, { type: K }>;

/**
 * The client-side view of the mail transaction, shared by the command-order rules
 * (rcpt-without-mail, data-without-rcpt, nested-mail, mail-without-helo). They judge what
 * the CLIENT sent since its last reset point, not the server's state. Each rule states
 * in its doc comment which reset points it counts; these are the pieces they share.
 */

/** Client commands after which no transaction is open: RSET (RFC 5321 §4.1.1.5), the end of a message (§4.1.1.4). */
const ENDS_TRANSACTION = new Set(['RSET', '<end-of-data>']);

/** RSET or the end of a message (`<end-of-data>`), not counting BDAT LAST. */
export function endsTransaction(cmd: Command): boolean {
  return ENDS_TRANSACTION.has(cmd.verb);
}

/** RFC 3030 §2: BDAT LAST ends the message, whatever its reply. */
export function isBdatLast(cmd: Command): boolean {
  return cmd.verb === 'BDAT' && /\sLAST\s*$/i.test(cmd.arg);
}

/** A reset point sent by the client: RSET, the end of a message, BDAT LAST. */
export function isResetPoint(cmd: Command): boolean {
  return endsTransaction(cmd) || isBdatLast(cmd);
}

/**
 * HELO/EHLO: they reset the transaction only when ACCEPTED (RFC 5321 §4.1.4: an accepted
 * EHLO is equivalent to RSET; a refused one, e.g. 501 to a bare `EHLO`, changes nothing
 * and the envelope stays: suricata-verify smtp-rejected-ehlo-preserves-envelope). A MAIL
 * sent after the HELO/EHLO (before its reply) belongs to the new state.
 */
export function isHello(cmd: Command): boolean {
  return cmd.verb === 'EHLO' || cmd.verb === 'HELO';
}

/** A 2yz reply (RFC 5321 §4.2.1: positive completion). */
export function isPositive(reply: Reply): boolean {
  return reply.code >= 200 && reply.code < 300;
}

/**
 * Whether a reset point was seen ("anchored"), so that the rule may claim anything: not
 * in a mid-stream capture, not after a gap (it may hide a reset point) until the next one.
 * `epoch` counts gaps, so a judgement waiting for a reply can tell a gap came between.
 * Nothing is judged after TLS starts (`opaque`: the dialogue is encrypted).
 */
export class TransactionAnchor {
  anchored = false;
  opaque = false;
  epoch = 0;

  sessionStart(ev: Ev<'session-start'>): void {
    this.anchored = !ev.midstream;
  }

  gap(): void {
    this.anchored = false;
    this.epoch++;
  }

  tls(ev: Ev<'tls'>): void {
    if (ev.phase === 'start') this.opaque = true;
  }

  /** A reset point the rule counts was sent (or an accepted HELO/EHLO answered). */
  reset(): void {
    this.anchored = true;
  }
}
