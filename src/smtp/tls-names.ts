/**
 * Names for TLS code points, each declared once as an `as const` table from
 * which the lookups are derived (style habit 1). Unknown values are shown as
 * hex (versions, cipher suites) or `unknown(N)` (alerts) rather than guessed.
 */

/** ProtocolVersion values (RFC 8446 §4.2.1, RFC 5246 Appendix E, RFC 6101). */
const VERSIONS = [
  [0x0002, 'SSL 2.0'], // SSLv2 CLIENT-HELLO version field (draft-hickman-netscape-ssl)
  [0x0200, 'SSL 2.0'],
  [0x0300, 'SSL 3.0'],
  [0x0301, 'TLS 1.0'],
  [0x0302, 'TLS 1.1'],
  [0x0303, 'TLS 1.2'],
  [0x0304, 'TLS 1.3'],
] as const satisfies readonly (readonly [number, string])[];

/**
 * Cipher suites a server commonly selects (IANA TLS Cipher Suites registry).
 * SCSVs are listed so a malformed ServerHello that selects one is legible.
 */
const CIPHER_SUITES = [
  // TLS 1.3 (RFC 8446 §B.4)
  [0x1301, 'TLS_AES_128_GCM_SHA256'],
  [0x1302, 'TLS_AES_256_GCM_SHA384'],
  [0x1303, 'TLS_CHACHA20_POLY1305_SHA256'],
  [0x1304, 'TLS_AES_128_CCM_SHA256'],
  [0x1305, 'TLS_AES_128_CCM_8_SHA256'],
  // ECDHE AEAD (RFC 5289, RFC 7905)
  [0xc02b, 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'],
  [0xc02c, 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'],
  [0xc02f, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'],
  [0xc030, 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384'],
  [0xcca8, 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256'],
  [0xcca9, 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256'],
  [0xccaa, 'TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256'],
  // ECDHE CBC (RFC 4492, RFC 5289)
  [0xc009, 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA'],
  [0xc00a, 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA'],
  [0xc013, 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA'],
  [0xc014, 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA'],
  [0xc023, 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256'],
  [0xc024, 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384'],
  [0xc027, 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256'],
  [0xc028, 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384'],
  [0xc011, 'TLS_ECDHE_RSA_WITH_RC4_128_SHA'],
  [0xc012, 'TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA'],
  // DHE (RFC 5246, RFC 5288)
  [0x0033, 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA'],
  [0x0039, 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA'],
  [0x0067, 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA256'],
  [0x006b, 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA256'],
  [0x009e, 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256'],
  [0x009f, 'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384'],
  [0x0016, 'TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA'],
  // static RSA (RFC 5246, RFC 5288)
  [0x0004, 'TLS_RSA_WITH_RC4_128_MD5'],
  [0x0005, 'TLS_RSA_WITH_RC4_128_SHA'],
  [0x000a, 'TLS_RSA_WITH_3DES_EDE_CBC_SHA'],
  [0x002f, 'TLS_RSA_WITH_AES_128_CBC_SHA'],
  [0x0035, 'TLS_RSA_WITH_AES_256_CBC_SHA'],
  [0x003c, 'TLS_RSA_WITH_AES_128_CBC_SHA256'],
  [0x003d, 'TLS_RSA_WITH_AES_256_CBC_SHA256'],
  [0x009c, 'TLS_RSA_WITH_AES_128_GCM_SHA256'],
  [0x009d, 'TLS_RSA_WITH_AES_256_GCM_SHA384'],
  // signalling values (RFC 5746 §3.3, RFC 7507 §6)
  [0x00ff, 'TLS_EMPTY_RENEGOTIATION_INFO_SCSV'],
  [0x5600, 'TLS_FALLBACK_SCSV'],
] as const satisfies readonly (readonly [number, string])[];

/** AlertLevel (RFC 5246 §7.2). */
const ALERT_LEVELS = [
  [1, 'warning'],
  [2, 'fatal'],
] as const satisfies readonly (readonly [number, string])[];

/** AlertDescription: RFC 8446 §6 plus the values RFC 5246 §7.2 and SSL 3.0 (RFC 6101 §5.4.2) still define. */
const ALERT_DESCRIPTIONS = [
  [0, 'close_notify'],
  [10, 'unexpected_message'],
  [20, 'bad_record_mac'],
  [21, 'decryption_failed'],
  [22, 'record_overflow'],
  [30, 'decompression_failure'],
  [40, 'handshake_failure'],
  [41, 'no_certificate'],
  [42, 'bad_certificate'],
  [43, 'unsupported_certificate'],
  [44, 'certificate_revoked'],
  [45, 'certificate_expired'],
  [46, 'certificate_unknown'],
  [47, 'illegal_parameter'],
  [48, 'unknown_ca'],
  [49, 'access_denied'],
  [50, 'decode_error'],
  [51, 'decrypt_error'],
  [60, 'export_restriction'],
  [70, 'protocol_version'],
  [71, 'insufficient_security'],
  [80, 'internal_error'],
  [86, 'inappropriate_fallback'],
  [90, 'user_canceled'],
  [100, 'no_renegotiation'],
  [109, 'missing_extension'],
  [110, 'unsupported_extension'],
  [111, 'certificate_unobtainable'],
  [112, 'unrecognized_name'],
  [113, 'bad_certificate_status_response'],
  [114, 'bad_certificate_hash_value'],
  [115, 'unknown_psk_identity'],
  [116, 'certificate_required'],
  [120, 'no_application_protocol'],
] as const satisfies readonly (readonly [number, string])[];

export type TlsVersionName = (typeof VERSIONS)[number][1];
export type CipherSuiteName = (typeof CIPHER_SUITES)[number][1];
export type AlertDescriptionName = (typeof ALERT_DESCRIPTIONS)[number][1];

const versionMap = new Map<number, string>(VERSIONS);
const cipherMap = new Map<number, string>(CIPHER_SUITES);
const levelMap = new Map<number, string>(ALERT_LEVELS);
const alertMap = new Map<number, string>(ALERT_DESCRIPTIONS);

/** 0x1a2b → '0x1a2b' (the form tshark prints). */
export function hex16(v: number): string {
  return '0x' + v.toString(16).padStart(4, '0');
}

/** 'TLS 1.2' for 0x0303; unknown values (GREASE per RFC 8701, drafts) as hex. */
export function versionName(v: number): string {
  return versionMap.get(v) ?? hex16(v);
}

/** IANA name for common suites, otherwise '0xXXXX'. */
export function cipherSuiteName(v: number): string {
  return cipherMap.get(v) ?? hex16(v);
}

export function alertLevelName(v: number): string {
  return levelMap.get(v) ?? `unknown(${v})`;
}

export function alertDescriptionName(v: number): string {
  return alertMap.get(v) ?? `unknown(${v})`;
}
