/**
 * One DER certificate → the few facts a mail-flow report needs. Parsing is
 * Node's (`crypto.X509Certificate`, OpenSSL underneath): a hand-written ASN.1
 * reader would be a second, less tested copy of it. Runs once per certificate
 * in a clear-text handshake, never on the data path.
 */
import { X509Certificate } from 'node:crypto';

export interface CertInfo {
  /** Distinguished name on one line, RDNs in certificate order: 'C=US, O=Example, CN=mx.example.com'. */
  subject: string;
  issuer: string;
  /** notBefore / notAfter as ISO 8601 UTC (RFC 5280 §4.1.2.5). */
  validFrom: string;
  validTo: string;
  /** subjectAltName dNSName entries (RFC 5280 §4.2.1.6), then the subject CN if not among them. */
  names: string[];
}

export type CertResult = { value: CertInfo } | { error: string };

/** `der` is read, not kept: X509Certificate copies what it needs. */
export function certInfoFromDer(der: Buffer): CertResult {
  let x: X509Certificate;
  try {
    x = new X509Certificate(der);
  } catch (e) {
    // OpenSSL's reason ("wrong tag", "too long") is the useful part of the observation.
    return { error: `certificate does not parse: ${(e as Error).message}` };
  }
  const names = sanDnsNames(x.subjectAltName ?? '');
  const cn = commonName(x.subject);
  if (cn !== null && !names.includes(cn)) names.push(cn);
  return {
    value: {
      subject: oneLine(x.subject),
      issuer: oneLine(x.issuer),
      validFrom: isoDate(x.validFrom),
      validTo: isoDate(x.validTo),
      names,
    },
  };
}

/** Node prints a DN as one 'K=V' per line. */
function oneLine(dn: string): string {
  return dn.split('\n').filter((l) => l !== '').join(', ');
}

function commonName(dn: string): string | null {
  for (const line of dn.split('\n')) {
    if (line.startsWith('CN=')) return line.slice(3);
  }
  return null;
}

/**
 * Node renders subjectAltName as 'DNS:a, DNS:b, IP Address:1.2.3.4'; since
 * Node 17 a value with a comma or quote is a JSON string ('DNS:"a,b"').
 */
const SAN_DNS = /(?:^|, )DNS:("(?:[^"\\]|\\.)*"|[^,]*)/g;

function sanDnsNames(san: string): string[] {
  const out: string[] = [];
  for (const m of san.matchAll(SAN_DNS)) {
    const raw = m[1] ?? '';
    if (raw.startsWith('"')) {
      try {
        out.push(JSON.parse(raw) as string);
        continue;
      } catch {
        // Not JSON after all: keep the text as printed.
      }
    }
    out.push(raw);
  }
  return out;
}

/** OpenSSL's 'Jan  1 00:00:00 2024 GMT' → ISO; kept as printed if the date engine disagrees. */
function isoDate(s: string): string {
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? s : new Date(ms).toISOString();
}
