/**
 * `--redact` (spec/interface.md): masks mail addresses' local parts, subjects and
 * message ids, for sharing a report outside the team. Applied to the report model,
 * before any formatter sees it (../shared/DESIGN.md, report/), so every format,
 * present and future (html), prints the same redacted facts.
 *
 * Masks are a keyed hash (HMAC-SHA-256) with a random key per report: the same
 * address gets the same mask everywhere in one report (MAIL FROM, the reply that
 * echoes it, the finding that names it), different addresses get different masks
 * (collisions are detected and resolved), and nobody can reverse a mask by hashing
 * guessed addresses, because the key never leaves the process.
 *
 * What is masked, and where:
 * - `local@domain` anywhere in session and finding text (command arguments, reply
 *   lines, evidence, summaries, greetings): the local part becomes a mask, the
 *   domain stays (it is what a mail admin needs to see routing problems).
 * - Bare local parts the dialogue names without a domain (RCPT TO:<postmaster>,
 *   VRFY/EXPN arguments, AUTH user names): masked wherever they appear as a token.
 * - headers.subject and headers.messageId, header lines quoted in evidence
 *   (`Subject: ...`), and a subject quoted in any text when it is long enough not to
 *   be an ordinary word of our own prose ("first", "gap" are subjects in the fixtures).
 * - headers.from keeps only its (masked) addresses: a display name is a person's name.
 * Passwords never reach the model (smtp/sasl.ts masks them), redacted or not.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { ReportModel } from './model.js';

export interface RedactOptions {
  /** HMAC key (tests); default: 32 random bytes, new for every report. */
  key?: Buffer;
}

/** RFC 5322 §3.2.3 atext, the characters of a dot-atom local part. */
const ATEXT = "A-Za-z0-9!#$%&'*+/=?^_`{|}~-";
/**
 * An address in free text: a dot-atom or quoted-string local part (RFC 5321
 * §4.1.2 Local-part), '@', and a domain of dot-separated labels or an address
 * literal. Labels stop at a doubled dot, so Exchange's "alice@contoso.example....Sender OK"
 * keeps its tail. The look-behind keeps a local part from starting mid-atom.
 */
const ADDRESS = new RegExp(
  `(?<![.${ATEXT}])((?:[${ATEXT}]+(?:\\.[${ATEXT}]+)*)|"(?:[^"\\\\\\r\\n]|\\\\.)*")@((?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*)|\\[[^\\]\\s]*\\])`,
  'g',
);
/** Header lines a rule might quote as evidence (RFC 5322 §3.6.4, §3.6.5). */
const HEADER_LINE = /^(\s*(?:Subject|Message-ID|In-Reply-To|References)\s*:\s*)(.*)$/i;
/** Subjects shorter than this are masked in their own field only (see above). */
const MIN_QUOTED_SUBJECT = 8;
/** Top-level model entries that carry no mail content (numbers, files, tool). */
const CONTENT_FREE = new Set(['schemaVersion', 'tool', 'inputs', 'summary', 'flows']);

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export class Redactor {
  private readonly key: Buffer;
  /** identity (lower-cased) → mask, and mask → identity (collision check). */
  private readonly masks = new Map<string, string>();
  private readonly owners = new Map<string, string>();
  private bareTokens: RegExp | null = null;
  private literals: { text: string; kind: 'subject' | 'message-id' }[] = [];

  constructor(opts: RedactOptions = {}) {
    this.key = opts.key ?? randomBytes(32);
  }

  /** A stable mask for one identity within this report: 6 hex digits, more on collision. */
  mask(kind: string, identity: string): string {
    const id = `${kind}\u0000${identity.toLowerCase()}`;
    const known = this.masks.get(id);
    if (known !== undefined) return known;
    const digest = createHmac('sha256', this.key).update(id).digest('hex');
    let len = 6;
    let m = digest.slice(0, len);
    while (this.owners.has(m) && len < digest.length) m = digest.slice(0, ++len);
    this.masks.set(id, m);
    this.owners.set(m, id);
    return m;
  }

  /** `local@domain` → `mask@domain`; a bare local part → its mask; the null path stays empty. */
  address(a: string): string {
    if (a === '') return a;
    const at = a.lastIndexOf('@');
    if (at < 0) return this.mask('local', a);
    const domain = a.slice(at + 1);
    return `${this.mask('addr', `${a.slice(0, at)}@${domain}`)}@${domain}`;
  }

  subject(s: string): string {
    return `[subject ${this.mask('subject', s)}]`;
  }

  messageId(id: string): string {
    // Usually "<unique@host>": mask like an address so an echo in a reply matches.
    const m = /^\s*<?([^<>@\s]*)@([^<>\s]*)>?\s*$/.exec(id);
    if (m) return `<${this.address(`${m[1]}@${m[2]}`)}>`;
    return `<${this.mask('message-id', id)}>`;
  }

  /** Every address, known bare local part and quoted subject in a piece of free text. */
  text(s: string): string {
    if (s === '') return s;
    return s.includes('\n') ? s.split('\n').map((l) => this.line(l)).join('\n') : this.line(s);
  }

  /**
   * One line. Each secret is masked exactly once: a quoted header line as a whole;
   * otherwise subjects and message ids become placeholders first (their masks must
   * not be masked again as addresses), then addresses, then bare local parts.
   */
  private line(s: string): string {
    const h = HEADER_LINE.exec(s);
    if (h) return `${h[1]}${/^\s*subject/i.test(h[1]!) ? this.subject(h[2]!) : this.messageId(h[2]!)}`;
    const held: string[] = [];
    let out = s;
    for (const l of this.literals) {
      if (!out.includes(l.text)) continue;
      out = out.split(l.text).join(`\uE000${held.length}\uE001`);
      held.push(l.kind === 'subject' ? this.subject(l.text) : this.messageId(l.text));
    }
    if (out.includes('@')) out = out.replace(ADDRESS, (_all, local: string, domain: string) => this.address(`${local}@${domain}`));
    if (this.bareTokens) out = out.replace(this.bareTokens, (_all, pre: string, tok: string) => `${pre}${this.mask('local', tok)}`);
    return held.length ? out.replace(/\uE000(\d+)\uE001/g, (_all, i: string) => held[Number(i)]!) : out;
  }

  /**
   * Learns, from the model's structured fields, the secrets that free text may
   * repeat without an '@': bare local parts, subjects, message ids.
   */
  learn(model: ReportModel): void {
    const bare = new Set<string>();
    const literals = new Map<string, 'subject' | 'message-id'>();
    const addBare = (a: string | null | undefined) => {
      const t = a?.trim();
      if (t && !t.includes('@')) bare.add(t);
    };
    for (const s of model.sessions) {
      addBare(s.auth?.user);
      for (const t of s.transactions) {
        addBare(t.mailFrom);
        for (const r of t.rcpts) addBare(r.address);
        const h = t.headers;
        if (h?.subject && h.subject.trim().length >= MIN_QUOTED_SUBJECT) literals.set(h.subject, 'subject');
        if (h?.messageId && !h.messageId.includes('@')) literals.set(h.messageId, 'message-id');
      }
      for (const c of s.commands) {
        if (c.verb === 'MAIL' || c.verb === 'RCPT') addBare(/<([^<>]*)>/.exec(c.arg)?.[1]);
        // VRFY and EXPN take a user or list name, possibly a full name (RFC 5321 §3.5).
        else if (c.verb === 'VRFY' || c.verb === 'EXPN') addBare(c.arg.replace(/^<(.*)>$/, '$1'));
      }
    }
    // Longest first, so "Bob Smith" is masked before "Bob".
    this.literals = [...literals].map(([text, kind]) => ({ text, kind })).sort((a, b) => b.text.length - a.text.length);
    const tokens = [...bare].sort((a, b) => b.length - a.length).map(escapeRe);
    // A token stands alone: not inside a word, a host name or an address.
    this.bareTokens = tokens.length
      ? new RegExp(`(^|[\\s<:"'(\\[,;=])(${tokens.join('|')})(?=$|[\\s>"'),;:\\]])`, 'gim')
      : null;
  }

  /** A redacted deep copy of the model. */
  model(model: ReportModel): ReportModel {
    this.learn(model);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(model)) out[k] = CONTENT_FREE.has(k) ? v : this.walk(v, k, null);
    return out as unknown as ReportModel;
  }

  /** Every string below `value`, with fields of known meaning masked by that meaning. */
  private walk(value: unknown, key: string, parent: string | null): unknown {
    if (typeof value === 'string') return this.field(value, key, parent);
    if (Array.isArray(value)) return value.map((v) => this.walk(v, key, parent));
    if (value !== null && typeof value === 'object') {
      const o: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) o[k] = this.walk(v, k, key);
      return o;
    }
    return value;
  }

  private field(s: string, key: string, parent: string | null): string {
    if (parent === 'headers') {
      if (key === 'subject') return this.subject(s);
      if (key === 'messageId') return this.messageId(s);
      if (key === 'from') {
        // Only the addresses survive: a display name is a person's name.
        const addrs = [...s.matchAll(ADDRESS)].map((m) => this.address(`${m[1]}@${m[2]}`));
        return addrs.length ? addrs.join(', ') : `[from ${this.mask('from', s)}]`;
      }
    }
    if (key === 'mailFrom' || (parent === 'rcpts' && key === 'address') || (parent === 'auth' && key === 'user')) return this.address(s);
    return this.text(s);
  }
}

/** The model with local parts, subjects and message ids masked (a copy; `model` is untouched). */
export function redactReport(model: ReportModel, opts: RedactOptions = {}): ReportModel {
  return new Redactor(opts).model(model);
}
