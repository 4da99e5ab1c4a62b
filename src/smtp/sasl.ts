/**
 * SASL exchanges of RFC 4954 AUTH. Follows the 334 loop, keeps the mechanism,
 * the user name (PLAIN authcid per RFC 4616 §2, LOGIN's user answer, CRAM-MD5's
 * user per RFC 2195 §2, XOAUTH2's user=) and the outcome.
 *
 * PASSWORDS ARE NEVER STORED: answers and initial responses are decoded in a
 * local, the user name taken, and the rest dropped. What the session and its
 * events carry is `maskCredentials(n)`: '<credentials: n bytes>'.
 */
export function maskCredentials(octets: number): string {
  return `<credentials: ${octets} bytes>`;
}

/** RFC 4648 §4 base64 (RFC 4954 §4: "=" alone is an empty initial response). */
export function isBase64(s: string): boolean {
  return s === '=' || (s.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(s));
}

export interface AuthCommand {
  mechanism: string;
  /** The initial response, as sent (transient: never stored), or null. */
  initial: string | null;
}

/** RFC 4954 §4: `AUTH mechanism [SP initial-response]`. */
export function parseAuthArg(arg: string): { value: AuthCommand } | { error: string } {
  const parts = arg.trim().split(/ +/);
  const mech = parts[0] ?? '';
  if (mech === '') return { error: 'missing mechanism' };
  if (parts.length > 2) return { error: 'trailing junk' };
  return { value: { mechanism: mech.toUpperCase(), initial: parts[1] ?? null } };
}

/** The command argument as it may be stored: the mechanism and a masked initial response. */
export function maskedAuthArg(arg: string): string {
  const p = parseAuthArg(arg);
  if ('error' in p) return arg.trim() === '' ? '' : maskCredentials(Buffer.byteLength(arg));
  if (p.value.initial === null) return p.value.mechanism;
  if (p.value.initial === '=') return `${p.value.mechanism} =`;
  return `${p.value.mechanism} ${maskCredentials(Buffer.byteLength(p.value.initial))}`;
}

function b64(s: string): string {
  return Buffer.from(s === '=' ? '' : s, 'base64').toString('utf8');
}

/** The user name inside one decoded client message of `mechanism`, if that message carries one. */
function userFrom(mechanism: string, decoded: string): string | null {
  switch (mechanism) {
    case 'PLAIN': {
      // RFC 4616 §2: message = [authzid] UTF8NUL authcid UTF8NUL passwd
      const parts = decoded.split('\0');
      if (parts.length < 3) return null;
      return parts[1] || parts[0] || null;
    }
    case 'CRAM-MD5': {
      // RFC 2195 §2: "user SP digest"
      const sp = decoded.lastIndexOf(' ');
      return sp > 0 ? decoded.slice(0, sp) : null;
    }
    case 'XOAUTH2':
    case 'OAUTHBEARER': {
      const m = /(?:^|[\x01,])user=([^\x01,]*)/.exec(decoded) ?? /(?:^|,)a=([^,\x01]*)/.exec(decoded);
      return m ? m[1]! : null;
    }
    default:
      return null;
  }
}

export type AuthResult = 'success' | 'failure' | 'cancelled' | 'unknown';

/** One AUTH exchange. */
export class SaslExchange {
  user: string | null = null;
  rounds = 0;
  cancelled = false;
  /** Set from the last 334 challenge: what the next LOGIN answer holds. */
  private next: 'user' | 'secret' | 'other' = 'other';
  private answers = 0;
  badBase64 = false;

  constructor(
    readonly mechanism: string,
    initial: string | null,
  ) {
    if (initial !== null) this.take(initial, mechanism === 'LOGIN' ? 'user' : 'other');
  }

  /** A 334 challenge (RFC 4954 §4: `334 SP [base64]`). */
  challenge(text: string): void {
    this.rounds++;
    if (this.mechanism !== 'LOGIN') return;
    // The LOGIN draft (draft-murchison-sasl-login) prompts "Username:" then "Password:".
    const prompt = isBase64(text.trim()) ? b64(text.trim()).toLowerCase() : '';
    if (prompt.includes('user')) this.next = 'user';
    else if (prompt.includes('pass')) this.next = 'secret';
    else this.next = this.user === null && this.answers === 0 ? 'user' : 'secret';
  }

  /** A client answer line. Returns what may be stored in its place. */
  answer(line: string): string {
    const t = line.trim();
    if (t === '*') {
      // RFC 4954 §4: "*" cancels; the server answers 501.
      this.cancelled = true;
      return '*';
    }
    this.take(t, this.mechanism === 'LOGIN' ? this.next : 'other');
    this.answers++;
    return maskCredentials(Buffer.byteLength(line));
  }

  result(code: number): AuthResult {
    if (this.cancelled) return 'cancelled';
    if (code >= 200 && code < 300) return 'success';
    if (code >= 400 && code < 600) return 'failure';
    return 'unknown';
  }

  private take(b64text: string, what: 'user' | 'secret' | 'other'): void {
    if (!isBase64(b64text)) {
      this.badBase64 = true;
      return;
    }
    if (what === 'secret') return; // never decoded
    if (this.mechanism === 'LOGIN') {
      if (what === 'user' || this.user === null) this.user ??= b64(b64text);
      return;
    }
    this.user ??= userFrom(this.mechanism, b64(b64text));
  }
}
