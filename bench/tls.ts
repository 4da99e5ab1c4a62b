/**
 * TLS bytes after STARTTLS (RFC 3207): a real-shaped ClientHello and ServerHello in
 * clear (RFC 8446 §4.1.2, §4.1.3), then opaque records (§5.1, §5.2) whose bodies are
 * slices of random noise, as TLS 1.3 ciphertext looks on the wire.
 */
import type { Rng } from './prng.js';

const CONTENT = { changeCipherSpec: 20, handshake: 22, applicationData: 23 } as const;
/** RFC 8446 §5.2: TLSCiphertext.length must not exceed 2^14 + 256. */
export const MAX_PLAIN = 16384;
/** AEAD tag (16) + inner content type (1). */
const OVERHEAD = 17;

function recordHeader(type: number, version: number, len: number): Buffer {
  const h = Buffer.allocUnsafe(5);
  h[0] = type;
  h.writeUInt16BE(version, 1);
  h.writeUInt16BE(len, 3);
  return h;
}

function handshake(type: number, body: Buffer): Buffer {
  const h = Buffer.allocUnsafe(4);
  h[0] = type;
  h.writeUIntBE(body.length, 1, 3);
  return Buffer.concat([h, body]);
}

function u16(n: number): Buffer {
  const b = Buffer.allocUnsafe(2);
  b.writeUInt16BE(n, 0);
  return b;
}

function ext(type: number, body: Buffer): Buffer {
  return Buffer.concat([u16(type), u16(body.length), body]);
}

/** ClientHello in a handshake record (legacy record version 0x0301, as browsers and MTAs send). */
export function clientHello(rng: Rng, sni: string): Buffer {
  const name = Buffer.from(sni, 'latin1');
  const sniExt = ext(0, Buffer.concat([u16(name.length + 3), Buffer.from([0]), u16(name.length), name]));
  const versions = ext(43, Buffer.from([4, 0x03, 0x04, 0x03, 0x03]));
  const groups = ext(10, Buffer.from([0, 4, 0x00, 0x1d, 0x00, 0x17]));
  const keyShare = ext(51, Buffer.concat([u16(36), u16(0x1d), u16(32), rng.fill(Buffer.allocUnsafe(32))]));
  const sigalgs = ext(13, Buffer.from([0, 6, 0x04, 0x03, 0x08, 0x04, 0x04, 0x01]));
  const exts = Buffer.concat([sniExt, versions, groups, keyShare, sigalgs]);
  const suites = [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0x009e];
  const body = Buffer.concat([
    u16(0x0303),
    rng.fill(Buffer.allocUnsafe(32)),
    Buffer.from([32]),
    rng.fill(Buffer.allocUnsafe(32)),
    u16(suites.length * 2),
    Buffer.concat(suites.map(u16)),
    Buffer.from([1, 0]),
    u16(exts.length),
    exts,
  ]);
  const hs = handshake(1, body);
  return Buffer.concat([recordHeader(CONTENT.handshake, 0x0301, hs.length), hs]);
}

/** ServerHello (TLS 1.3 chosen), ChangeCipherSpec (RFC 8446 §D.4), then the encrypted flight. */
export function serverFlight(rng: Rng, noise: Buffer, encryptedBytes: number): Buffer {
  const exts = Buffer.concat([
    ext(43, u16(0x0304)),
    ext(51, Buffer.concat([u16(0x1d), u16(32), rng.fill(Buffer.allocUnsafe(32))])),
  ]);
  const body = Buffer.concat([
    u16(0x0303),
    rng.fill(Buffer.allocUnsafe(32)),
    Buffer.from([32]),
    rng.fill(Buffer.allocUnsafe(32)),
    u16(0x1302),
    Buffer.from([0]),
    u16(exts.length),
    exts,
  ]);
  const hs = handshake(2, body);
  return Buffer.concat([
    recordHeader(CONTENT.handshake, 0x0303, hs.length),
    hs,
    changeCipherSpec(),
    appData(rng, noise, encryptedBytes),
  ]);
}

export function changeCipherSpec(): Buffer {
  return Buffer.concat([recordHeader(CONTENT.changeCipherSpec, 0x0303, 1), Buffer.from([1])]);
}

/**
 * Application-data records carrying `plainBytes` of plaintext, cut at MAX_PLAIN
 * (RFC 8446 §5.1), each body a slice of `noise`.
 */
export function appData(rng: Rng, noise: Buffer, plainBytes: number): Buffer {
  const parts: Buffer[] = [];
  let left = Math.max(1, plainBytes);
  while (left > 0) {
    const n = Math.min(left, MAX_PLAIN);
    left -= n;
    const len = n + OVERHEAD;
    const at = rng.int(0, noise.length - len);
    parts.push(recordHeader(CONTENT.applicationData, 0x0303, len), noise.subarray(at, at + len));
  }
  return parts.length === 2 ? Buffer.concat(parts, 5 + parts[1]!.length) : Buffer.concat(parts);
}
