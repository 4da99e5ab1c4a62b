/** Evidence lines built the same way for every rule. */
import type { Command, Reply, SmtpSession } from '../smtp/index.js';
import type { Evidence } from './types.js';

export function commandEvidence(cmd: Command): Evidence {
  const line = cmd.pseudo ? cmd.verb : cmd.arg ? `${cmd.verb} ${cmd.arg}` : cmd.verb;
  return { frame: cmd.frame, time: cmd.time, dir: 'c2s', line };
}

/** A reply as one evidence entry; multi-line replies keep their lines joined by '\n'. */
export function replyEvidence(reply: Reply): Evidence {
  return { frame: reply.frame, time: reply.time, dir: 's2c', line: reply.lines.join('\n') };
}

/** "503 5.5.1 Error: Bad sequence of commands" from a reply's first line. */
export function replyLine(reply: Reply): string {
  return reply.lines[0] ?? String(reply.code);
}

/** The text of a reply's first line (code stripped): no array of every line, as split() would make. */
export function firstTextLine(reply: Reply): string {
  const nl = reply.text.indexOf('\n');
  return nl < 0 ? reply.text : reply.text.slice(0, nl);
}

/** The first line's text after the code and the enhanced code: "Error: Bad sequence of commands". */
export function replyText(reply: Reply): string {
  const first = firstTextLine(reply);
  return reply.enhanced && first.startsWith(reply.enhanced) ? first.slice(reply.enhanced.length).trim() : first;
}

export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? '' : address.slice(at + 1).replace(/>.*$/, '').toLowerCase();
}

export function clientIp(session: SmtpSession): string {
  return session.client.ip;
}
