/** Registry slice: rules of spec/rules.md "Command order". One import per module. */
import type { Rule } from '../types.js';
import badSequence from '../catalog/bad-sequence.js';
import commandAfterQuit from '../catalog/command-after-quit.js';
import dataWithoutRcpt from '../catalog/data-without-rcpt.js';
import earlyTalker from '../catalog/early-talker.js';
import mailWithoutHelo from '../catalog/mail-without-helo.js';
import nestedMail from '../catalog/nested-mail.js';
import pipeliningNotAdvertised from '../catalog/pipelining-not-advertised.js';
import pipeliningViolation from '../catalog/pipelining-violation.js';
import rcptWithoutMail from '../catalog/rcpt-without-mail.js';
import unexpectedReply from '../catalog/unexpected-reply.js';

export const COMMAND_ORDER_RULES = [
  badSequence,
  commandAfterQuit,
  dataWithoutRcpt,
  earlyTalker,
  mailWithoutHelo,
  nestedMail,
  pipeliningNotAdvertised,
  pipeliningViolation,
  rcptWithoutMail,
  unexpectedReply,
] as unknown as readonly Rule[];
