// Extracts the TLS part of real STARTTLS captures, with tshark's view of the
// same TLS as the oracle, into conformance-<name>.json (see README.md).
// Usage: node test/smtp/tls-fixtures/make-conformance.mjs [/work/shared/conformance]
// Uses tshark only, not smtpscope's capture readers.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = process.argv[2] ?? '/work/shared/conformance';
const CAPTURES = [
  ['zeek-starttls', 'zeek/starttls.pcap'],
  ['suricata-smtp-startssl', 'suricata-verify/smtp-startssl.pcap'],
  ['wireshark-smtp-ssl', 'wireshark-notes/smtp-ssl.pcapng'],
];
const ORACLE_FIELDS = [
  'frame.number', 'tcp.srcport', 'tls.record.content_type', 'tls.record.opaque_type', 'tls.handshake.type',
  'tls.handshake.extensions_server_name', 'tls.handshake.version', 'tls.handshake.extensions.supported_version',
  'tls.alert_message.level', 'tls.alert_message.desc', 'tls.handshake.ciphersuite', 'x509ce.dNSName',
];

function tshark(args) {
  return execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
}

for (const [name, rel] of CAPTURES) {
  const file = path.join(root, rel);
  // One row per frame with payload, in capture order (these captures have no
  // retransmissions or reordering: checked with tcp.analysis.* filters).
  const rows = tshark(['-r', file, '-Y', 'tcp.stream == 0 && tcp.len > 0', '-T', 'fields',
    '-e', 'frame.number', '-e', 'tcp.srcport', '-e', 'tcp.dstport', '-e', 'tcp.payload'])
    .trim().split('\n').map((l) => l.split('\t'))
    .map(([frame, sport, dport, hex]) => ({ frame: Number(frame), sport: Number(sport), dport: Number(dport), hex }));
  const serverPort = 25;
  const dirOf = (r) => (r.sport === serverPort ? 's2c' : 'c2s');
  const text = (r) => Buffer.from(r.hex, 'hex').toString('latin1');
  // RFC 3207 §4: TLS starts after the client's STARTTLS line (c2s) and after the server's 220 reply to it (s2c).
  const st = rows.findIndex((r) => dirOf(r) === 'c2s' && /^STARTTLS\r\n$/i.test(text(r)));
  const ok = rows.findIndex((r, k) => k > st && dirOf(r) === 's2c' && /^220[ -]/.test(text(r)));
  if (st < 0 || ok < 0) throw new Error(`${rel}: no STARTTLS / 220 pair`);
  const frames = rows
    .filter((r, k) => (dirOf(r) === 'c2s' ? k > st : k > ok))
    .map((r) => ({ frame: r.frame, dir: dirOf(r), hex: r.hex }));
  const oracleArgs = ['-r', file, '-Y', 'tls', '-T', 'fields', '-E', 'separator=|', ...ORACLE_FIELDS.flatMap((f) => ['-e', f])];
  const oracle = tshark(oracleArgs).trim().split('\n').map((l) => {
    const cols = l.split('|');
    return Object.fromEntries(ORACLE_FIELDS.map((f, k) => [f, cols[k] ?? '']));
  });
  const out = { source: rel, made: `tshark ${oracleArgs.join(' ')}`.replace(file, rel), serverPort, frames, oracle };
  fs.writeFileSync(path.join(here, `conformance-${name}.json`), JSON.stringify(out, null, 1) + '\n');
  console.log(name, frames.length, 'frames,', oracle.length, 'oracle rows');
}
