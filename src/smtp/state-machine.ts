/**
 * The RFC 5321 session state, driven by replies (the server's view: a command
 * changes nothing until it is answered). A (state, verb, reply) → next-state
 * TABLE, first matching row wins, one comment per row citing the RFC; anything
 * that matches no row leaves the state unchanged (RFC 5321 §4.1.4: after 503 the
 * server "MUST stay in the same state"; R-ORD-3).
 *
 * 'unknown' is the state of a capture that began mid-session or of a session
 * after a gap: no sequence claim is made until a reply pins the state down.
 */

export const SMTP_STATES = [
  'init', // connected, greeting not yet seen (§3.1)
  'refused', // greeting was 554 / 421: only QUIT is useful (§3.1, §4.3.2)
  'greeted', // 220 seen, no HELO/EHLO yet (§4.1.4)
  'ready', // after HELO/EHLO (or RSET, end of a transaction): no transaction open
  'mail', // MAIL accepted (§3.3)
  'rcpt', // at least one RCPT accepted (§3.3)
  'data', // 354 after DATA: message content flowing (§4.1.1.4)
  'bdat', // BDAT chunks accepted, LAST not yet (RFC 3030 §2)
  'xexch50', // 354 after XEXCH50: BLOB flowing (KB 818222)
  'auth', // 334 challenge outstanding (RFC 4954 §4)
  'tls', // 220 to STARTTLS / X-ANONYMOUSTLS, or implicit TLS: opaque from here (RFC 3207 §4.2)
  'quit', // 221 to QUIT, or 421: the server closes (§4.1.1.10, §3.8)
  'unknown', // mid-stream start or after a gap
] as const;
export type SmtpState = (typeof SMTP_STATES)[number];

/** Reply match: a class digit ('2' = 2yz ...), an exact code, or '*' (any). */
type ReplyMatch = '2' | '3' | '4' | '5' | '*' | number;
type StateMatch = SmtpState | '*' | readonly SmtpState[];

interface Row {
  from: StateMatch;
  /** Verb key: the verb, 'BDAT LAST' for the last chunk, or '*'. */
  verb: string;
  reply: ReplyMatch;
  to: SmtpState | 'same';
}

const TXN: readonly SmtpState[] = ['mail', 'rcpt', 'bdat'];
const SESSION: readonly SmtpState[] = ['greeted', 'ready', 'mail', 'rcpt', 'bdat', 'unknown'];

export const TRANSITIONS: readonly Row[] = [
  // §3.8, §4.2.2: 421 "Service not available, closing transmission channel" to any command.
  { from: '*', verb: '*', reply: 421, to: 'quit' },
  // §3.1, §4.3.2 CONNECTION ESTABLISHMENT: S 220 → the session may begin.
  { from: 'init', verb: '<connect>', reply: 220, to: 'greeted' },
  // §3.1: a 554 (or other non-220) greeting: "the client ... MUST wait for the QUIT reply"; only QUIT helps.
  { from: 'init', verb: '<connect>', reply: '*', to: 'refused' },
  // §4.1.1.10: QUIT → 221, then the server closes.
  { from: '*', verb: 'QUIT', reply: '2', to: 'quit' },
  // RFC 3207 §4.2 / TechNet dd535395: 220 to STARTTLS or X-ANONYMOUSTLS → TLS handshake follows.
  { from: '*', verb: 'STARTTLS', reply: 220, to: 'tls' },
  { from: '*', verb: 'X-ANONYMOUSTLS', reply: 220, to: 'tls' },
  // §4.1.4: EHLO/HELO accepted "clears all buffers and state tables", i.e. equivalent to RSET.
  { from: '*', verb: 'EHLO', reply: '2', to: 'ready' },
  { from: '*', verb: 'HELO', reply: '2', to: 'ready' },
  // §4.1.1.5: RSET 250 aborts the transaction; before HELO/EHLO there is none to abort.
  { from: 'greeted', verb: 'RSET', reply: '2', to: 'greeted' },
  { from: SESSION, verb: 'RSET', reply: '2', to: 'ready' },
  // §3.3: MAIL 250 opens a transaction (only where none is open; a nested MAIL's 250 is a rule's fact).
  { from: ['ready', 'greeted', 'unknown'], verb: 'MAIL', reply: '2', to: 'mail' },
  // §3.3: RCPT 250/251 adds a recipient; state rcpt means "DATA may follow".
  { from: ['mail', 'rcpt', 'unknown'], verb: 'RCPT', reply: '2', to: 'rcpt' },
  // §4.1.1.4, §4.3.2: DATA → 354 intermediate, message content follows (even when the
  // server wrongly accepts DATA without recipients: the bytes are content all the same).
  { from: '*', verb: 'DATA', reply: 354, to: 'data' },
  // §4.1.1.4: the reply to <CRLF>.<CRLF> ends the transaction whatever its code (§4.1.4 last paragraph).
  { from: '*', verb: '<end-of-data>', reply: '*', to: 'ready' },
  // RFC 3030 §2: a non-LAST chunk accepted keeps the transaction in chunking.
  { from: ['rcpt', 'mail', 'bdat', 'unknown'], verb: 'BDAT', reply: '2', to: 'bdat' },
  // RFC 3030 §2, B-3: the reply to BDAT LAST is the verdict on the message; the transaction is over.
  { from: '*', verb: 'BDAT LAST', reply: '*', to: 'ready' },
  // RFC 3030 §3 (B-5): after a 4yz/5yz to a chunk the message is lost; RSET is needed. State stays.
  // RFC 4954 §4: 334 starts (or continues) the SASL exchange.
  { from: '*', verb: 'AUTH', reply: 334, to: 'auth' },
  { from: '*', verb: 'X-EXPS', reply: 334, to: 'auth' }, // Exchange's AUTH twin (not an RFC)
  { from: '*', verb: '<auth-response>', reply: 334, to: 'auth' },
  // RFC 4954 §4, §6: the exchange ends with 235 or an error; the session is back where AUTH was given.
  { from: 'auth', verb: '<auth-response>', reply: '*', to: 'ready' },
  // KB 818222: 354 to XEXCH50 → the BLOB follows (between RCPT and DATA).
  { from: '*', verb: 'XEXCH50', reply: 354, to: 'xexch50' },
  // KB 818222: the BLOB acknowledged (or refused) returns to the envelope: RCPTs were accepted before it.
  { from: 'xexch50', verb: '<end-of-blob>', reply: '*', to: 'rcpt' },
  { from: 'unknown', verb: '<end-of-blob>', reply: '*', to: 'unknown' },
];

function stateMatches(m: StateMatch, s: SmtpState): boolean {
  if (m === '*') return true;
  if (typeof m === 'string') return m === s;
  return m.includes(s);
}

function replyMatches(m: ReplyMatch, code: number): boolean {
  if (m === '*') return true;
  if (typeof m === 'number') return m === code;
  return String(Math.floor(code / 100)) === m;
}

/** Next state after `code` answered `verbKey` in `state`. */
export function nextState(state: SmtpState, verbKey: string, code: number): SmtpState {
  // Opaque and closing states are left only by the stage itself (gap, resync).
  if (state === 'tls') return 'tls';
  for (const row of TRANSITIONS) {
    if (row.verb !== '*' && row.verb !== verbKey) continue;
    if (!stateMatches(row.from, state)) continue;
    if (!replyMatches(row.reply, code)) continue;
    return row.to === 'same' ? state : row.to;
  }
  return state;
}

/** States in which a mail transaction is open (RFC 5321 §3.3). */
export function inTransaction(s: SmtpState): boolean {
  return TXN.includes(s) || s === 'data' || s === 'xexch50';
}
