/** Registry slice: "Transport and capture" and "Message content". One import per module. */
import type { Rule } from '../types.js';
import bareLf from '../catalog/bare-lf.js';
import captureMidstream from '../catalog/capture-midstream.js';
import captureTruncated from '../catalog/capture-truncated.js';
import connectionRefused from '../catalog/connection-refused.js';
import connectionUnanswered from '../catalog/connection-unanswered.js';
import eightBitWithout8bitmime from '../catalog/8bit-without-8bitmime.js';
import lineTooLong from '../catalog/line-too-long.js';
import noQuit from '../catalog/no-quit.js';
import retransmissions from '../catalog/retransmissions.js';
import sessionAborted from '../catalog/session-aborted.js';
import smtpSmuggling from '../catalog/smtp-smuggling.js';
import tcpGap from '../catalog/tcp-gap.js';

export const TRANSPORT_CONTENT_RULES = [
  bareLf,
  captureMidstream,
  captureTruncated,
  connectionRefused,
  connectionUnanswered,
  eightBitWithout8bitmime,
  lineTooLong,
  noQuit,
  retransmissions,
  sessionAborted,
  smtpSmuggling,
  tcpGap,
] as unknown as readonly Rule[];
