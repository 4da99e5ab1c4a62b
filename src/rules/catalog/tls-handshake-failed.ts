import { defineRule } from '../define-rule.js';
import { commandEvidence, replyEvidence } from '../evidence.js';
import type { Command } from '../../smtp/index.js';
import type { TlsEvent } from '../../smtp/tls-records.js';
import type { Evidence, ReplyToEvent } from '../types.js';

type Rec<K extends TlsEvent['type']> = Extract<TlsEvent, { type: K }>;

function peer(dir: 'c2s' | 's2c'): 'client' | 'server' {
  return dir === 'c2s' ? 'client' : 'server';
}

function recordEvidence(r: TlsEvent): Evidence {
  let line: string;
  switch (r.type) {
    case 'client-hello':
      line = `TLS ClientHello (${r.versions.length ? r.versions.join(', ') : r.legacyVersion}${r.sni ? `, SNI ${r.sni}` : ''})`;
      break;
    case 'server-hello':
      line = `TLS ServerHello (${r.version}, ${r.cipher})`;
      break;
    case 'alert':
      line = `TLS alert from the ${peer(r.dir)}: ${r.level} ${r.description}`;
      break;
    case 'not-tls':
      line = `not TLS from the ${peer(r.dir)}: "${r.preview}"`;
      break;
    default:
      line = `TLS ${r.type}`;
  }
  return { frame: r.frame, time: r.time, dir: r.dir, line };
}

/**
 * RFC 3207 §4.2: after `220` to STARTTLS (or X-ANONYMOUSTLS, or on an implicit-TLS
 * port, RFC 8314 §3.3) the next octets of both sides are the TLS handshake. It
 * failed when (first cause wins):
 *  - a side sends something that is not a TLS record (tls-records.ts 'not-tls');
 *  - a clear alert arrives before the handshake completed (RFC 5246 §7.2, RFC 8446
 *    §6: level and description are readable only then);
 *  - the connection closes (FIN/RST) before tls-records.ts saw the handshake
 *    complete (both ChangeCipherSpec; TLS 1.3: server application data and the
 *    client's CCS or application data).
 * A session that completed the handshake and ended inside TLS is not a failure,
 * nor is an encrypted alert after it (close_notify). After a gap in TLS, or when
 * the capture ended mid-handshake, the rule makes no claim (habit 3).
 */
export default defineRule({
  meta: {
    id: 'tls-handshake-failed',
    severity: 'error',
    category: 'tls',
    title: 'TLS handshake failed',
    summary: 'The TLS handshake {{when}} failed: {{reason}}',
    advice:
      'Client and server could not agree on TLS. A protocol_version or handshake_failure alert means no common protocol version or cipher suite (an old device offering only TLS 1.0, or a server that disabled it: Exchange/Windows SCHANNEL settings, Postfix smtpd_tls_protocols and smtpd_tls_mandatory_ciphers); bad_certificate, unknown_ca or certificate_unknown from the client means it rejected the server\'s certificate. Plain text after the 220, or a close right after it, points at a client that does not really support STARTTLS or at a middlebox that interferes.',
    references: ['RFC 3207 §4.2', 'RFC 5246 §7.2', 'RFC 8446 §6'],
    supersedes: ['session-aborted', 'no-quit'],
    scope: 'session',
    thresholds: {},
  },
  create(ctx) {
    let verb: string | null = null;
    let cmd: Command | null = null;
    let startEv: Evidence[] = [];
    let lastTlsCmd: { cmd: Command; reply: Evidence | null } | null = null;
    let established = false;
    let unknown = false;
    let done = false;
    let clientHello: Rec<'client-hello'> | null = null;
    let serverHello: Rec<'server-hello'> | null = null;

    function fail(reason: string, data: Record<string, string | null>, extra: Evidence[]): void {
      done = true;
      const evidence = [...startEv];
      if (clientHello) evidence.push(recordEvidence(clientHello));
      if (serverHello) evidence.push(recordEvidence(serverHello));
      evidence.push(...extra);
      ctx.report({
        data: {
          verb,
          when: verb === 'implicit' ? 'of the implicit-TLS connection (the client opened with TLS)' : `after ${verb}`,
          reason,
          offered: clientHello ? (clientHello.versions.length ? clientHello.versions.join(', ') : clientHello.legacyVersion) : null,
          selected: serverHello ? serverHello.version : null,
          ...data,
        },
        evidence,
      });
    }

    const tlsReply = (ev: ReplyToEvent): void => {
      if (lastTlsCmd && ev.to === lastTlsCmd.cmd) lastTlsCmd.reply = replyEvidence(ev.reply);
    };
    return {
      'command[verb=STARTTLS]'(ev) {
        lastTlsCmd = { cmd: ev.cmd, reply: null };
      },
      'command[verb=X-ANONYMOUSTLS]'(ev) {
        lastTlsCmd = { cmd: ev.cmd, reply: null };
      },
      'reply[to.verb=STARTTLS]': tlsReply,
      'reply[to.verb=X-ANONYMOUSTLS]': tlsReply,
      tls(ev) {
        if (done) return;
        if (ev.phase === 'start') {
          verb = ev.verb;
          if (ev.verb !== 'implicit' && lastTlsCmd) {
            cmd = lastTlsCmd.cmd;
            startEv = [commandEvidence(cmd), ...(lastTlsCmd.reply ? [lastTlsCmd.reply] : [])];
          }
          return;
        }
        if (ev.phase === 'established') {
          established = true;
          return;
        }
        if (established) return;
        const r = ev.record;
        switch (r.type) {
          case 'client-hello':
            clientHello ??= r;
            break;
          case 'server-hello':
            if (!r.helloRetryRequest) serverHello ??= r;
            break;
          case 'alert':
            if (r.encrypted) break; // after a side's CCS: unreadable, the close decides
            fail(`the ${peer(r.dir)} sent a ${r.level} ${r.description} alert`, { alertLevel: r.level, alertDescription: r.description, alertFrom: peer(r.dir) }, [recordEvidence(r)]);
            break;
          case 'not-tls':
            fail(`the ${peer(r.dir)} sent plain text instead of a TLS record ("${r.preview}")`, { alertLevel: null, alertDescription: null, alertFrom: null }, [recordEvidence(r)]);
            break;
          default:
            break;
        }
      },
      gap(ev) {
        if (ev.inside === 'tls') unknown = true;
      },
      'session-end'(ev) {
        if (done || verb === null || established || unknown) return;
        if (ev.reason !== 'fin' && ev.reason !== 'rst') return; // the capture stopped, not the connection
        const how = ev.reason === 'rst' ? 'reset' : 'closed';
        const stage = serverHello ? 'after the ServerHello' : clientHello ? 'after the ClientHello, before any ServerHello' : 'before any ClientHello';
        fail(`the connection was ${how} ${stage}`, { alertLevel: null, alertDescription: null, alertFrom: null }, [
          { frame: ev.frame, time: ev.time, dir: null, line: `connection ${how} (${ev.reason.toUpperCase()}) before the TLS handshake completed` },
        ]);
      },
    };
  },
});
