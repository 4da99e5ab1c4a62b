// Regenerates the recorded TLS byte streams in this folder (see README.md).
// Usage: node test/smtp/tls-fixtures/make-fixtures.mjs
// A Node tls server and tls client talk through a TCP proxy on 127.0.0.1 that
// records every chunk it relays, in arrival order, as one "frame".
import net from 'node:net';
import tls from 'node:tls';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const key = fs.readFileSync(path.join(here, 'server-key.pem'));
const cert = fs.readFileSync(path.join(here, 'server-cert.pem'));

/** Frame file: repeated [dir u8: 0 = c2s, 1 = s2c][length u32 BE][bytes]. */
function encode(chunks) {
  const parts = [];
  for (const { dir, bytes } of chunks) {
    const h = Buffer.alloc(5);
    h[0] = dir === 'c2s' ? 0 : 1;
    h.writeUInt32BE(bytes.length, 1);
    parts.push(h, bytes);
  }
  return Buffer.concat(parts);
}

function record(name, serverOpts, clientOpts, { clientSays = 'EHLO client.example.test\r\n', serverSays = '250 ok\r\n' } = {}) {
  return new Promise((resolve) => {
    const chunks = [];
    const server = tls.createServer({ key, cert, ...serverOpts }, (s) => {
      s.on('data', () => s.write(serverSays, () => s.end()));
      s.on('error', () => {});
    });
    server.on('tlsClientError', () => {});
    server.listen(0, '127.0.0.1', () => {
      const proxy = net.createServer((down) => {
        const up = net.connect(server.address().port, '127.0.0.1');
        down.on('data', (b) => { chunks.push({ dir: 'c2s', bytes: Buffer.from(b) }); up.write(b); });
        up.on('data', (b) => { chunks.push({ dir: 's2c', bytes: Buffer.from(b) }); down.write(b); });
        let closed = 0;
        const done = () => {
          if (++closed < 2) return;
          proxy.close();
          server.close();
          fs.writeFileSync(path.join(here, `${name}.frames`), encode(chunks));
          console.log(name, chunks.length, 'frames', chunks.reduce((n, c) => n + c.bytes.length, 0), 'bytes');
          resolve();
        };
        down.on('end', () => up.end()); up.on('end', () => down.end());
        down.on('close', done); up.on('close', done);
        down.on('error', () => {}); up.on('error', () => {});
      });
      proxy.listen(0, '127.0.0.1', () => {
        const c = tls.connect({ host: '127.0.0.1', port: proxy.address().port, rejectUnauthorized: false, ...clientOpts }, () => {
          c.write(clientSays);
        });
        c.on('data', () => c.end());
        c.on('error', () => {});
      });
    });
  });
}

await record('tls12', { maxVersion: 'TLSv1.2' }, { servername: 'mail.example.test' });
await record('tls13', {}, { servername: 'mx.example.test' });
await record('version-mismatch', { maxVersion: 'TLSv1.2' }, { servername: 'mail.example.test', minVersion: 'TLSv1.3' });
await record('hrr', { ecdhCurve: 'P-384' }, { servername: 'mx.example.test', ecdhCurve: 'X25519:P-384' });
await record(
  'client-cert-required',
  { maxVersion: 'TLSv1.2', requestCert: true, rejectUnauthorized: true },
  { servername: 'mail.example.test' },
);
