/**
 * TLS record layer after STARTTLS / X-ANONYMOUSTLS (RFC 3207 §4) or on an
 * implicit-TLS port (RFC 8314 §3.3). One push parser per direction over the
 * record layer (RFC 8446 §5.1, RFC 5246 §6.2.1); records may split anywhere and
 * several may share a chunk. Handshake messages are reassembled across records
 * (RFC 8446 §5.1: "Handshake messages MAY be coalesced ... or fragmented across
 * several records") and the clear-text ones are reported; after the handshake
 * every record is skipped by its length, with no per-byte work.
 *
 * The purpose is NOT to validate TLS but to say how far the handshake got and
 * why it stopped (Zeek's SMTP analyzer says the same of its state guesses).
 */
import type { Dir } from '../tcp/events.js';
import type { Time } from '../util/time.js';
import { ZERO_TIME } from '../util/time.js';
import { certInfoFromDer, type CertInfo } from './tls-certs.js';
import { parseCertificateList, parseClientHello, parseServerHello, parseSsl2ClientHello } from './tls-handshake.js';
import { alertDescriptionName, alertLevelName } from './tls-names.js';

export type { CertInfo } from './tls-certs.js';

/** Observations that are neither a handshake step nor not-TLS (style habit 7). */
export const TLS_ANOMALIES = [
  /** A handshake message longer than TLS_LIMITS.maxHandshakeMessage: skipped by its length, not parsed. */
  'handshake-too-large',
  /** A ClientHello, ServerHello or Certificate whose fields overrun the message. */
  'malformed-handshake',
  /** A DER certificate that OpenSSL cannot parse (it is left out of the certificate event). */
  'bad-certificate',
] as const;
export type TlsAnomaly = (typeof TLS_ANOMALIES)[number];

export type TlsEvent =
  | { type: 'client-hello'; dir: Dir; frame: number; time: Time; legacyVersion: string; versions: string[]; sni: string | null; ciphers: number }
  | {
      type: 'server-hello'; dir: Dir; frame: number; time: Time; version: string; cipher: string;
      /** Added: present (true) when this ServerHello is a HelloRetryRequest (RFC 8446 §4.1.4). */
      helloRetryRequest?: true;
    }
  | { type: 'certificate'; dir: Dir; frame: number; time: Time; certs: CertInfo[] }
  | { type: 'alert'; dir: Dir; frame: number; time: Time; level: string; description: string; encrypted: boolean }
  | { type: 'change-cipher-spec'; dir: Dir; frame: number; time: Time }
  | { type: 'application-data'; dir: Dir; frame: number; time: Time } // first one per direction only
  | { type: 'not-tls'; dir: Dir; frame: number; time: Time; preview: string } // printable preview, max 40 chars
  /** Added: see TLS_ANOMALIES. */
  | { type: 'anomaly'; dir: Dir; frame: number; time: Time; anomaly: TlsAnomaly; detail: string };

/** Named limits of this stage (style habit 6); src/limits.ts holds the pipeline-wide ones. */
export const TLS_LIMITS = {
  /** RFC 5246 §6.2.3: TLSCiphertext.length MUST NOT exceed 2^14 + 2048. A longer header is not TLS. */
  maxRecordBody: 16384 + 2048,
  /** Largest handshake message buffered for parsing; a Certificate chain is the big one. Beyond: 'handshake-too-large'. */
  maxHandshakeMessage: 64 * 1024,
  /** Characters of a not-tls preview (the event stops at the first LF or here). */
  previewChars: 40,
} as const;

export interface TlsParser {
  /**
   * The next bytes of `dir`, bytes[start, end) (default: all of them). BORROWED, valid
   * until push returns; what must wait is copied.
   */
  push(dir: Dir, bytes: Buffer, frame: number, time: Time, start?: number, end?: number): void;
  /**
   * Bytes are missing in `dir`. That direction STOPS being parsed: with no record
   * boundary to resync on, anything read after a gap would be a guess (style
   * habit 3). Before the handshake completes this leaves `established` false, which
   * is the honest answer; after it, only the first application-data and a closing
   * alert could be missed. A pending not-tls preview is emitted first.
   */
  gap(dir: Dir): void;
  /** Added: the direction ended (FIN, RST, capture end). Emits a pending not-tls preview shorter than a line. */
  end(dir: Dir): void;
  /**
   * Both sides got past the handshake: each sent ChangeCipherSpec (TLS ≤ 1.2, RFC
   * 5246 §7.1) or, for TLS 1.3, the server sent ServerHello and application data
   * and the client sent CCS or application data. TLS 1.3 hides a failure after
   * ServerHello (the alert is encrypted, RFC 8446 §6), so this can be true there
   * for a handshake the client then rejected.
   */
  readonly established: boolean;
}

/** ContentType (RFC 8446 §5.1, RFC 6520 §2 for heartbeat). */
const CT_CHANGE_CIPHER_SPEC = 20;
const CT_ALERT = 21;
const CT_HANDSHAKE = 22;
const CT_APPLICATION_DATA = 23;
const CT_HEARTBEAT = 24;

/** HandshakeType values we parse (RFC 8446 §4). */
const HS_CLIENT_HELLO = 1;
const HS_SERVER_HELLO = 2;
const HS_CERTIFICATE = 11;

const TLS13 = 0x0304;

type Emit = (ev: TlsEvent) => void;

/** What happens to a record's body as it streams past. */
type RecordAction = 'skip' | 'handshake' | 'alert' | 'change-cipher-spec' | 'first-application-data' | 'sslv2-hello';

type Mode = 'header' | 'body' | 'preview' | 'stopped';

/** Facts one direction needs from the other. */
interface Shared {
  emit: Emit;
  /** The server selected TLS 1.3 (ServerHello or HelloRetryRequest supported_versions). */
  tls13: boolean;
  /** A ServerHello that is not a HelloRetryRequest was seen. */
  serverHello: boolean;
}

class HalfParser {
  mode: Mode = 'header';
  ccsSeen = false;
  appDataSeen = false;
  private records = 0;

  // Record header, copied only when it is split across pushes.
  private readonly hdr = Buffer.alloc(5);
  private hdrLen = 0;
  private hdrFrame = 0;
  private hdrTime: Time = ZERO_TIME;

  // Current record.
  private action: RecordAction = 'skip';
  private recLen = 0;
  private recLeft = 0;
  /** A clear alert's two bytes (RFC 8446 §6: level, description). */
  private readonly alertBytes = Buffer.alloc(2);
  /** The SSLv2 CLIENT-HELLO, owned copy (≤ 0x7fff bytes by its 15-bit length). */
  private sslv2: Buffer | null = null;
  private sslv2Len = 0;

  // Handshake message reassembly across records (RFC 8446 §4: 1-byte type, 24-bit length).
  private readonly hsHdr = Buffer.alloc(4);
  private hsHdrLen = 0;
  private hsType = 0;
  private hsLeft = 0;
  /** Owned copy of a message that spans pushes or records; null while skipping or when parsed in place. */
  private hsBody: Buffer | null = null;
  private hsBodyLen = 0;

  // not-tls preview.
  private readonly preview = Buffer.alloc(TLS_LIMITS.previewChars);
  private previewLen = 0;
  private previewFrame = 0;
  private previewTime: Time = ZERO_TIME;

  constructor(
    private readonly dir: Dir,
    private readonly shared: Shared,
  ) {}

  push(buf: Buffer, frame: number, time: Time, start: number, end: number): void {
    let i = start;
    while (i < end) {
      switch (this.mode) {
        case 'header':
          i = this.header(buf, i, end, frame, time);
          break;
        case 'body':
          i = this.body(buf, i, end, frame, time);
          break;
        case 'preview':
          i = this.collectPreview(buf, i, end);
          break;
        case 'stopped':
          return;
      }
    }
  }

  gap(): void {
    this.flushPreview();
    this.stop();
  }

  end(): void {
    this.flushPreview();
  }

  private stop(): void {
    this.mode = 'stopped';
    this.hsBody = null;
    this.sslv2 = null;
  }

  // --- record header -------------------------------------------------------

  private header(buf: Buffer, i: number, end: number, frame: number, time: Time): number {
    if (this.hdrLen === 0 && end - i >= 5) {
      // Fast path: the whole header is in this chunk, read it in place.
      if (this.startRecord(buf, i, frame, time)) return i + 5;
      this.startPreview(frame, time);
      return i; // the preview starts at the offending header
    }
    if (this.hdrLen === 0) {
      this.hdrFrame = frame;
      this.hdrTime = time;
    }
    // Slow path (header split across pushes): at most 5 bytes, each checked as it
    // arrives so that a short plain-text line is recognised without waiting for more.
    while (this.hdrLen < 5 && i < end) {
      this.hdr[this.hdrLen++] = buf[i++]!;
      if (!this.prefixPlausible()) {
        const n = this.hdrLen;
        this.hdrLen = 0;
        this.startPreview(this.hdrFrame, this.hdrTime);
        this.addPreview(this.hdr, 0, n);
        return i;
      }
    }
    if (this.hdrLen < 5) return i;
    this.hdrLen = 0;
    if (!this.startRecord(this.hdr, 0, frame, time)) {
      this.startPreview(this.hdrFrame, this.hdrTime);
      this.addPreview(this.hdr, 0, 5);
    }
    return i;
  }

  /** SSLv2-compatible CLIENT-HELLO is only possible as the client's first record (RFC 5246 Appendix E.2). */
  private sslv2Possible(b0: number): boolean {
    return this.dir === 'c2s' && this.records === 0 && (b0 & 0x80) !== 0;
  }

  /** The same tests as startRecord, on the first hdrLen bytes (every test here is one startRecord makes). */
  private prefixPlausible(): boolean {
    const h = this.hdr;
    const n = this.hdrLen;
    const b0 = h[0]!;
    if (this.sslv2Possible(b0)) {
      // [len(2)] [msg_type = 1] [version: 0x0002 or 0x03xx]
      return (n < 3 || h[2] === 1) && (n < 4 || h[3] === 0 || h[3] === 3);
    }
    if (b0 < CT_CHANGE_CIPHER_SPEC || b0 > CT_HEARTBEAT) return false;
    if (n >= 2 && h[1] !== 3) return false;
    if (n >= 3 && h[2]! > 4) return false;
    return true;
  }

  /** Validates the 5 header bytes at b[o..o+5) and starts the record; false = not a TLS record. */
  private startRecord(b: Buffer, o: number, frame: number, time: Time): boolean {
    const b0 = b[o]!;
    if (this.sslv2Possible(b0)) {
      // 2-byte SSLv2 header: 15-bit length, then the message (draft-hickman-netscape-ssl-00 §1.2).
      const len = ((b0 & 0x7f) << 8) | b[o + 1]!;
      const ver = b[o + 3]!;
      if (b[o + 2] !== 1 || (ver !== 0 && ver !== 3) || len < 9) return false;
      this.records++;
      this.action = 'sslv2-hello';
      this.sslv2 = Buffer.allocUnsafe(len);
      b.copy(this.sslv2, 0, o + 2, o + 5);
      this.sslv2Len = 3;
      this.recLen = len;
      this.recLeft = len - 3;
      this.mode = 'body';
      return true;
    }
    // RFC 8446 §5.1: ContentType, legacy_record_version, uint16 length. Versions
    // 0x0300–0x0304 are accepted (0x0304 is never sent on the wire but tolerated).
    if (b0 < CT_CHANGE_CIPHER_SPEC || b0 > CT_HEARTBEAT || b[o + 1] !== 3 || b[o + 2]! > 4) return false;
    const len = b.readUInt16BE(o + 3);
    if (len > TLS_LIMITS.maxRecordBody) return false;
    this.records++;
    this.action = this.classify(b0);
    this.recLen = len;
    this.recLeft = len;
    if (len === 0) {
      // Legal only for application data (RFC 5246 §6.2.1); finishes at once either way.
      this.mode = 'header';
      this.finishRecord(frame, time);
    } else {
      this.mode = 'body';
    }
    return true;
  }

  private classify(type: number): RecordAction {
    switch (type) {
      case CT_CHANGE_CIPHER_SPEC:
        return 'change-cipher-spec';
      case CT_ALERT:
        return 'alert';
      case CT_HANDSHAKE:
        // TLS ≤ 1.2: after this side's ChangeCipherSpec its handshake records
        // (Finished, renegotiation) are encrypted (RFC 5246 §7.1). TLS 1.3 sends
        // encrypted handshake as application_data (RFC 8446 §5.2), so a type-22
        // record is clear even after the compatibility CCS (RFC 8446 Appendix D.4:
        // a client may send CCS before its second ClientHello after a HelloRetryRequest).
        return this.ccsSeen && !this.shared.tls13 ? 'skip' : 'handshake';
      case CT_APPLICATION_DATA:
        return this.appDataSeen ? 'skip' : 'first-application-data';
      default:
        return 'skip'; // heartbeat (RFC 6520): nothing to report
    }
  }

  // --- record body -----------------------------------------------------------

  private body(buf: Buffer, i: number, end: number, frame: number, time: Time): number {
    const n = Math.min(this.recLeft, end - i);
    switch (this.action) {
      case 'handshake':
        this.handshakeBytes(buf, i, i + n, frame, time);
        break;
      case 'alert':
        if (this.recLen === 2) buf.copy(this.alertBytes, 2 - this.recLeft, i, i + n);
        break;
      case 'sslv2-hello':
        if (this.sslv2 !== null) buf.copy(this.sslv2, this.sslv2Len, i, i + n);
        this.sslv2Len += n;
        break;
      default:
        // Skipped by length: application data and encrypted records cost nothing per byte.
        break;
    }
    this.recLeft -= n;
    if (this.recLeft === 0) {
      this.mode = 'header';
      this.finishRecord(frame, time);
    }
    return i + n;
  }

  /** Record-level events carry the frame in which the record ends (as Wireshark reports a reassembled PDU). */
  private finishRecord(frame: number, time: Time): void {
    const dir = this.dir;
    switch (this.action) {
      case 'change-cipher-spec':
        this.ccsSeen = true;
        this.shared.emit({ type: 'change-cipher-spec', dir, frame, time });
        break;
      case 'alert': {
        // A clear alert is exactly 2 bytes. After this side's CCS (TLS ≤ 1.2) or
        // with any other length the record is protected (RFC 5246 §6.2.3); in
        // TLS 1.3 a protected alert is disguised as application data, so a type-21
        // record there is always clear (RFC 8446 §5.2).
        const encrypted = (this.ccsSeen && !this.shared.tls13) || this.recLen !== 2;
        this.shared.emit({
          type: 'alert',
          dir,
          frame,
          time,
          level: encrypted ? 'encrypted' : alertLevelName(this.alertBytes[0]!),
          description: encrypted ? 'encrypted' : alertDescriptionName(this.alertBytes[1]!),
          encrypted,
        });
        break;
      }
      case 'first-application-data':
        this.appDataSeen = true;
        this.shared.emit({ type: 'application-data', dir, frame, time });
        break;
      case 'sslv2-hello': {
        const msg = this.sslv2;
        this.sslv2 = null;
        if (msg === null) break;
        const r = parseSsl2ClientHello(msg, 0, msg.length);
        if ('error' in r) this.anomaly('malformed-handshake', r.error, frame, time);
        else this.shared.emit({ type: 'client-hello', dir, frame, time, ...r.value });
        break;
      }
      default:
        break;
    }
  }

  // --- handshake messages ------------------------------------------------------

  private handshakeBytes(buf: Buffer, start: number, end: number, frame: number, time: Time): void {
    let i = start;
    while (i < end) {
      if (this.hsHdrLen < 4) {
        while (this.hsHdrLen < 4 && i < end) this.hsHdr[this.hsHdrLen++] = buf[i++]!;
        if (this.hsHdrLen < 4) return;
        this.hsType = this.hsHdr[0]!;
        this.hsLeft = this.hsHdr.readUIntBE(1, 3);
        let keep = this.hsType === HS_CLIENT_HELLO || this.hsType === HS_SERVER_HELLO || this.hsType === HS_CERTIFICATE;
        if (keep && this.hsLeft > TLS_LIMITS.maxHandshakeMessage) {
          this.anomaly(
            'handshake-too-large',
            `handshake message type ${this.hsType} of ${this.hsLeft} bytes exceeds ${TLS_LIMITS.maxHandshakeMessage}; skipped`,
            frame,
            time,
          );
          keep = false;
        }
        if (keep) {
          if (end - i >= this.hsLeft) {
            // Whole message inside this view: parse in place, no copy.
            const msgEnd = i + this.hsLeft;
            this.hsHdrLen = 0;
            this.hsLeft = 0;
            this.message(this.hsType, buf, i, msgEnd, frame, time);
            i = msgEnd;
            continue;
          }
          this.hsBody = Buffer.allocUnsafe(this.hsLeft);
          this.hsBodyLen = 0;
        }
        if (this.hsLeft === 0) {
          this.hsHdrLen = 0;
          continue;
        }
      }
      const n = Math.min(this.hsLeft, end - i);
      if (this.hsBody !== null) {
        buf.copy(this.hsBody, this.hsBodyLen, i, i + n);
        this.hsBodyLen += n;
      }
      i += n;
      this.hsLeft -= n;
      if (this.hsLeft === 0) {
        this.hsHdrLen = 0;
        const body = this.hsBody;
        this.hsBody = null;
        if (body !== null) this.message(this.hsType, body, 0, body.length, frame, time);
      }
    }
  }

  /** One complete handshake message body (a view or an owned copy). */
  private message(type: number, b: Buffer, s: number, e: number, frame: number, time: Time): void {
    const dir = this.dir;
    if (type === HS_CLIENT_HELLO) {
      const r = parseClientHello(b, s, e);
      if ('error' in r) this.anomaly('malformed-handshake', r.error, frame, time);
      else this.shared.emit({ type: 'client-hello', dir, frame, time, ...r.value });
    } else if (type === HS_SERVER_HELLO) {
      const r = parseServerHello(b, s, e);
      if ('error' in r) {
        this.anomaly('malformed-handshake', r.error, frame, time);
        return;
      }
      const sh = r.value;
      this.shared.tls13 = sh.versionCode === TLS13;
      if (!sh.helloRetryRequest) this.shared.serverHello = true;
      this.shared.emit(
        sh.helloRetryRequest
          ? { type: 'server-hello', dir, frame, time, version: sh.version, cipher: sh.cipher, helloRetryRequest: true }
          : { type: 'server-hello', dir, frame, time, version: sh.version, cipher: sh.cipher },
      );
    } else if (type === HS_CERTIFICATE) {
      const r = parseCertificateList(b, s, e, this.shared.tls13);
      if ('error' in r) {
        this.anomaly('malformed-handshake', r.error, frame, time);
        return;
      }
      const certs: CertInfo[] = [];
      for (const der of r.value) {
        const c = certInfoFromDer(der);
        if ('error' in c) this.anomaly('bad-certificate', c.error, frame, time);
        else certs.push(c.value);
      }
      this.shared.emit({ type: 'certificate', dir, frame, time, certs });
    }
  }

  private anomaly(anomaly: TlsAnomaly, detail: string, frame: number, time: Time): void {
    this.shared.emit({ type: 'anomaly', dir: this.dir, frame, time, anomaly, detail });
  }

  // --- not-tls ---------------------------------------------------------------------

  /**
   * Bytes that are not a TLS record: typically a client that never started the
   * handshake and goes on in plain text after the 220 to STARTTLS. The preview
   * runs to the first LF or TLS_LIMITS.previewChars, so it does not depend on how
   * the bytes were chunked; then the direction stops.
   */
  private startPreview(frame: number, time: Time): void {
    this.mode = 'preview';
    this.previewLen = 0;
    this.previewFrame = frame;
    this.previewTime = time;
  }

  private collectPreview(buf: Buffer, i: number, end: number): number {
    this.addPreview(buf, i, end);
    // Consumed: either the preview took it all, or it is complete and the
    // direction has stopped, so whatever follows is not read.
    return end;
  }

  private addPreview(buf: Buffer, i: number, end: number): void {
    const lim = Math.min(end, i + (TLS_LIMITS.previewChars - this.previewLen));
    const lf = buf.subarray(i, lim).indexOf(0x0a);
    const stop = lf === -1 ? lim : i + lf;
    buf.copy(this.preview, this.previewLen, i, stop);
    this.previewLen += stop - i;
    if (lf !== -1 || this.previewLen === TLS_LIMITS.previewChars) this.flushPreview();
  }

  private flushPreview(): void {
    if (this.mode !== 'preview') return;
    let n = this.previewLen;
    if (n > 0 && this.preview[n - 1] === 0x0d) n--; // the CR of a CRLF line
    let text = '';
    for (let k = 0; k < n; k++) {
      const c = this.preview[k]!;
      text += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.';
    }
    this.stop();
    this.shared.emit({ type: 'not-tls', dir: this.dir, frame: this.previewFrame, time: this.previewTime, preview: text });
  }
}

export function createTlsParser(onEvent: (ev: TlsEvent) => void): TlsParser {
  const shared: Shared = { emit: onEvent, tls13: false, serverHello: false };
  const c2s = new HalfParser('c2s', shared);
  const s2c = new HalfParser('s2c', shared);
  const half = (dir: Dir): HalfParser => (dir === 'c2s' ? c2s : s2c);
  return {
    push(dir, bytes, frame, time, start = 0, end = bytes.length) {
      half(dir).push(bytes, frame, time, start, end);
    },
    gap(dir) {
      half(dir).gap();
    },
    end(dir) {
      half(dir).end();
    },
    get established() {
      if (shared.tls13) return shared.serverHello && s2c.appDataSeen && (c2s.ccsSeen || c2s.appDataSeen);
      return c2s.ccsSeen && s2c.ccsSeen;
    },
  };
}
