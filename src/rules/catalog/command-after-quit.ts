import { defineRule } from '../define-rule.js';
import { commandEvidence, replyEvidence } from '../evidence.js';
import type { Evidence } from '../types.js';
import type { Command, Reply } from '../../smtp/index.js';

/**
 * RFC 5321 §4.1.1.10 (R-ORD-5): QUIT asks the server to send 221 and close; "the last
 * command MUST be QUIT", so the client sends nothing after it (with PIPELINING, QUIT
 * must also end its group, RFC 2920 §3.1). Anything the client sends after QUIT fires:
 * a command line or a partial line left when the connection ended. A QUIT that was
 * refused (a non-2yz reply arrived before the next command) did not end the session,
 * so what follows it is not judged. No claim before a reset point (mid-stream start,
 * gap) and nothing after TLS starts (opaque). Once per session, first case as evidence.
 */
const RESETS = new Set(['RSET', 'EHLO', 'HELO', '<end-of-data>']);

/** A client line as a report shows it: printable, and short (an early talker may send binary). */
function shown(line: string): string {
  const clean = line.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 60 ? `${clean.slice(0, 57)}...` : clean;
}

export default defineRule({
  meta: {
    id: 'command-after-quit',
    severity: 'warning',
    category: 'command-order',
    title: 'Client sent data after QUIT',
    summary: 'The client sent {{line}} after QUIT ({{count}} line(s) after QUIT)',
    advice:
      'QUIT must be the client\'s last command; the server answers 221 and closes, so whatever follows is lost (messages the client believes it sent after QUIT were never accepted). Check the sending software\'s connection reuse (it may reuse a connection it already closed with QUIT), or a program that injects commands into the stream.',
    references: ['RFC 5321 §4.1.1.10', 'RFC 2920 §3.1'],
    supersedes: ['pipelining-violation', 'pipelining-not-advertised'],
    scope: 'session',
    thresholds: {},
  },
  create(ctx) {
    let anchored = false;
    let opaque = false;
    let quit: { cmd: Command; reply: Reply | null } | null = null;
    let after: Evidence | null = null;
    let count = 0;
    return {
      'session-start'(ev) {
        anchored = !ev.midstream;
      },
      gap() {
        anchored = false;
        quit = null;
      },
      tls(ev) {
        if (ev.phase === 'start') opaque = true;
      },
      command(ev) {
        if (opaque) return;
        const cmd = ev.cmd;
        if (quit) {
          if (quit.reply && (quit.reply.code < 200 || quit.reply.code >= 300)) {
            quit = null; // QUIT refused: the session goes on
          } else {
            count++;
            if (!after) {
              const e = commandEvidence(cmd);
              after = { ...e, line: shown(e.line) };
            }
            return;
          }
        }
        if (RESETS.has(cmd.verb)) anchored = true;
        if (cmd.verb === 'QUIT' && anchored) quit = { cmd, reply: null };
      },
      'reply[to.verb=QUIT]'(ev) {
        if (quit && ev.to === quit.cmd) quit.reply = ev.reply;
      },
      anomaly(ev) {
        // A partial line when the stream ended: bytes after QUIT that never became a command.
        if (opaque || !quit || ev.dir !== 'c2s' || ev.kind !== 'incomplete-line') return;
        count++;
        after ??= { frame: ev.frame, time: ev.time, dir: 'c2s', line: `(${ev.length ?? 'some'} bytes of an unfinished line)` };
      },
      'session-end'() {
        if (!quit || !after) return;
        const evidence = [commandEvidence(quit.cmd)];
        if (quit.reply) evidence.push(replyEvidence(quit.reply));
        evidence.push(after);
        ctx.report({ data: { line: after.line, count, quitReply: quit.reply ? quit.reply.code : null }, evidence });
      },
    };
  },
});
