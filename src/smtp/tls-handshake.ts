/**
 * Pure parsers for the clear-text handshake messages we report on. Each takes
 * one complete message body as (buf, start, end), a BORROWED view, and returns
 * `{ value } | { error }` (style habit 8); nothing here throws on bad input.
 * Returned Buffers are views into `buf`, valid as long as `buf` is.
 */
import { cipherSuiteName, versionName } from './tls-names.js';

export interface ClientHelloInfo {
  legacyVersion: string;
  /** supported_versions extension (RFC 8446 §4.2.1) in the client's order; [] when absent. */
  versions: string[];
  /** First host_name of the server_name extension (RFC 6066 §3). */
  sni: string | null;
  /** Number of cipher suites offered (SCSVs and GREASE values included). */
  ciphers: number;
}

export interface ServerHelloInfo {
  /** supported_versions' selected_version when present (RFC 8446 §4.2.1), else legacy_version. */
  version: string;
  versionCode: number;
  cipher: string;
  /** RFC 8446 §4.1.3: a ServerHello whose Random is SHA-256("HelloRetryRequest"). */
  helloRetryRequest: boolean;
}

export type Parsed<T> = { value: T } | { error: string };

/** Extension numbers (IANA TLS ExtensionType registry). */
const EXT_SERVER_NAME = 0;
const EXT_SUPPORTED_VERSIONS = 43;

/** RFC 8446 §4.1.3: the special Random value that marks a HelloRetryRequest. */
const HRR_RANDOM = Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex');

/** Bounds-checked big-endian reader: an overrun sets `ok = false` and reads 0, checked once per field group. */
class Reader {
  ok = true;
  constructor(
    readonly buf: Buffer,
    public pos: number,
    readonly end: number,
  ) {}
  has(n: number): boolean {
    return this.pos + n <= this.end;
  }
  u8(): number {
    if (!this.has(1)) return this.fail();
    return this.buf[this.pos++]!;
  }
  u16(): number {
    if (!this.has(2)) return this.fail();
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  u24(): number {
    if (!this.has(3)) return this.fail();
    const v = this.buf.readUIntBE(this.pos, 3);
    this.pos += 3;
    return v;
  }
  skip(n: number): void {
    if (!this.has(n)) this.fail();
    else this.pos += n;
  }
  private fail(): number {
    this.ok = false;
    this.pos = this.end;
    return 0;
  }
}

/** RFC 8446 §4.1.2 / RFC 5246 §7.4.1.2. */
export function parseClientHello(buf: Buffer, start: number, end: number): Parsed<ClientHelloInfo> {
  const r = new Reader(buf, start, end);
  const legacy = r.u16();
  r.skip(32); // random
  r.skip(r.u8()); // legacy_session_id
  const cipherBytes = r.u16();
  r.skip(cipherBytes);
  r.skip(r.u8()); // legacy_compression_methods
  if (!r.ok) return { error: 'ClientHello truncated before the extensions' };
  if (cipherBytes % 2 !== 0) return { error: `ClientHello cipher_suites length ${cipherBytes} is odd` };
  const info: ClientHelloInfo = { legacyVersion: versionName(legacy), versions: [], sni: null, ciphers: cipherBytes / 2 };
  // RFC 5246 §7.4.1.2: extensions may be absent altogether (SSL 3.0-style hello).
  if (r.pos === end) return { value: info };
  const extEnd = r.pos + 2 + r.u16();
  if (!r.ok || extEnd > end) return { error: 'ClientHello extensions overrun the message' };
  while (r.pos < extEnd) {
    const type = r.u16();
    const len = r.u16();
    const body = r.pos;
    if (!r.ok || body + len > extEnd) return { error: `ClientHello extension ${type} overruns the extensions block` };
    if (type === EXT_SERVER_NAME) {
      const sni = serverName(buf, body, body + len);
      if ('error' in sni) return sni;
      info.sni = sni.value;
    } else if (type === EXT_SUPPORTED_VERSIONS) {
      const v = new Reader(buf, body, body + len);
      const listEnd = body + 1 + v.u8();
      if (!v.ok || listEnd > body + len || (listEnd - body - 1) % 2 !== 0) {
        return { error: 'ClientHello supported_versions is malformed' };
      }
      while (v.pos < listEnd) info.versions.push(versionName(v.u16()));
    }
    r.pos = body + len;
  }
  return { value: info };
}

/** RFC 6066 §3: ServerNameList of (name_type, HostName); the first host_name (type 0) wins. */
function serverName(buf: Buffer, start: number, end: number): Parsed<string | null> {
  if (start === end) return { value: null }; // the server's empty echo; never in a ClientHello, tolerated
  const r = new Reader(buf, start, end);
  const listEnd = start + 2 + r.u16();
  if (!r.ok || listEnd > end) return { error: 'server_name list overruns the extension' };
  while (r.pos < listEnd) {
    const type = r.u8();
    const len = r.u16();
    if (!r.ok || r.pos + len > listEnd) return { error: 'server_name entry overruns the list' };
    // HostName is ASCII (RFC 6066 §3); latin1 keeps any stray byte visible instead of U+FFFD.
    if (type === 0) return { value: buf.toString('latin1', r.pos, r.pos + len) };
    r.pos += len;
  }
  return { value: null };
}

/** RFC 8446 §4.1.3 / RFC 5246 §7.4.1.3 (a HelloRetryRequest has the same layout). */
export function parseServerHello(buf: Buffer, start: number, end: number): Parsed<ServerHelloInfo> {
  const r = new Reader(buf, start, end);
  const legacy = r.u16();
  const randomAt = r.pos;
  r.skip(32);
  r.skip(r.u8()); // legacy_session_id_echo
  const cipher = r.u16();
  r.u8(); // legacy_compression_method
  if (!r.ok) return { error: 'ServerHello truncated' };
  const hrr = buf.compare(HRR_RANDOM, 0, 32, randomAt, randomAt + 32) === 0;
  let version = legacy;
  if (r.pos < end) {
    const extEnd = r.pos + 2 + r.u16();
    if (!r.ok || extEnd > end) return { error: 'ServerHello extensions overrun the message' };
    while (r.pos < extEnd) {
      const type = r.u16();
      const len = r.u16();
      const body = r.pos;
      if (!r.ok || body + len > extEnd) return { error: `ServerHello extension ${type} overruns the extensions block` };
      if (type === EXT_SUPPORTED_VERSIONS) {
        if (len !== 2) return { error: `ServerHello supported_versions has length ${len}, not 2` };
        version = buf.readUInt16BE(body);
      }
      r.pos = body + len;
    }
  }
  return {
    value: { version: versionName(version), versionCode: version, cipher: cipherSuiteName(cipher), helloRetryRequest: hrr },
  };
}

/**
 * Certificate message → DER views. TLS ≤ 1.2 (RFC 5246 §7.4.2): certificate_list
 * of 24-bit-length ASN.1Cert. TLS 1.3 (RFC 8446 §4.4.2) adds a request context
 * before the list and extensions after each entry; only used if a 1.3 Certificate
 * is ever seen in clear, which a conforming peer never sends.
 */
export function parseCertificateList(buf: Buffer, start: number, end: number, tls13: boolean): Parsed<Buffer[]> {
  const r = new Reader(buf, start, end);
  if (tls13) r.skip(r.u8()); // certificate_request_context
  const listEnd = r.pos + 3 + r.u24();
  if (!r.ok || listEnd > end) return { error: 'certificate_list overruns the Certificate message' };
  const out: Buffer[] = [];
  while (r.pos < listEnd) {
    const len = r.u24();
    if (!r.ok || r.pos + len > listEnd) return { error: 'certificate entry overruns certificate_list' };
    out.push(buf.subarray(r.pos, r.pos + len));
    r.pos += len;
    if (tls13) r.skip(r.u16()); // per-entry extensions
    if (!r.ok) return { error: 'certificate entry extensions overrun certificate_list' };
  }
  return { value: out };
}

/**
 * SSLv2-compatible CLIENT-HELLO (RFC 5246 Appendix E.2, draft-hickman-netscape-ssl-00
 * §4.1); `start` is at msg_type, after the 2-byte record header. Reported with
 * legacyVersion 'SSL 2.0' (the record format) and `versions` [] since there are
 * no extensions; cipher specs are 3 bytes each.
 */
export function parseSsl2ClientHello(buf: Buffer, start: number, end: number): Parsed<ClientHelloInfo> {
  const r = new Reader(buf, start, end);
  const type = r.u8();
  r.u16(); // highest version the client supports (0x0002 SSLv2, 0x0300+ for a v3-capable client)
  const specBytes = r.u16();
  const sidBytes = r.u16();
  const challengeBytes = r.u16();
  if (!r.ok || type !== 1) return { error: 'SSLv2 CLIENT-HELLO header truncated or wrong message type' };
  if (specBytes % 3 !== 0) return { error: `SSLv2 cipher_spec_length ${specBytes} is not a multiple of 3` };
  if (r.pos + specBytes + sidBytes + challengeBytes > end) return { error: 'SSLv2 CLIENT-HELLO fields overrun the record' };
  return { value: { legacyVersion: 'SSL 2.0', versions: [], sni: null, ciphers: specBytes / 3 } };
}
