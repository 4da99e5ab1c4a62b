/**
 * The SMTP verb table, declared once (style habit 1), and the pure argument
 * parsers (habit 8). Everything else (group-ending lookup, permitted codes,
 * the Verb union) is derived from VERBS; never keep a second list in step.
 */

/** Codes any command may get (RFC 5321 §4.3.2: "500, 501, and 421 ... any command"). */
const ANY = [500, 501, 421] as const;

/**
 * verb: upper-case wire verb, or a pseudo-command in <angle brackets> (DESIGN habit 2).
 * endsGroup: RFC 2920 §3.1: RSET, MAIL, SEND, SOML, SAML and RCPT "can all appear
 *   anywhere in a pipelined command group"; EHLO, DATA, VRFY, EXPN, TURN, QUIT and
 *   NOOP only last; "Additional commands added by other SMTP extensions may only
 *   appear as the last command in a group unless otherwise specified" (STARTTLS per
 *   RFC 3207 §4.2, AUTH, XEXCH50, X-ANONYMOUSTLS). BDAT is otherwise specified by
 *   RFC 3030 §4.2 (may be pipelined). P-3: message content may start a group, so
 *   <end-of-data> does not end one.
 * codes: the reply codes RFC 5321 §4.3.2 (and the extension RFCs) permit, besides ANY.
 */
export const VERBS = [
  { verb: '<connect>', endsGroup: false, codes: [220, 554, 421] }, // §4.3.2 "CONNECTION ESTABLISHMENT"
  { verb: 'HELO', endsGroup: true, codes: [250, 504, 550, 502] },
  { verb: 'EHLO', endsGroup: true, codes: [250, 504, 550, 502] },
  { verb: 'MAIL', endsGroup: false, codes: [250, 552, 451, 452, 550, 553, 503, 455, 555, 530, 554] }, // 530: RFC 4954 §6
  { verb: 'RCPT', endsGroup: false, codes: [250, 251, 550, 551, 552, 553, 450, 451, 452, 503, 455, 555, 530, 554] },
  { verb: 'DATA', endsGroup: true, codes: [354, 503, 554, 530] },
  { verb: '<end-of-data>', endsGroup: false, codes: [250, 552, 554, 451, 452, 450, 550] }, // §4.3.2 DATA "S: 250; E: 552, 554, 451, 452"
  { verb: 'BDAT', endsGroup: false, codes: [250, 503, 552, 554, 451, 452, 450, 550, 530] }, // RFC 3030 §3
  { verb: 'RSET', endsGroup: false, codes: [250] },
  { verb: 'VRFY', endsGroup: true, codes: [250, 251, 252, 550, 551, 553, 502, 504] },
  { verb: 'EXPN', endsGroup: true, codes: [250, 252, 550, 502, 504] },
  { verb: 'HELP', endsGroup: true, codes: [211, 214, 502, 504] },
  { verb: 'NOOP', endsGroup: true, codes: [250] },
  { verb: 'QUIT', endsGroup: true, codes: [221] },
  { verb: 'TURN', endsGroup: true, codes: [250, 502, 503] }, // RFC 821 §4.1.1
  { verb: 'SEND', endsGroup: false, codes: [250, 552, 451, 452, 550, 553, 503, 502] }, // RFC 821 (obsolete)
  { verb: 'SOML', endsGroup: false, codes: [250, 552, 451, 452, 550, 553, 503, 502] },
  { verb: 'SAML', endsGroup: false, codes: [250, 552, 451, 452, 550, 553, 503, 502] },
  { verb: 'ETRN', endsGroup: true, codes: [250, 251, 252, 253, 458, 459, 500, 501] }, // RFC 1985 §5
  { verb: 'STARTTLS', endsGroup: true, codes: [220, 454, 501, 502, 503, 554] }, // RFC 3207 §4
  { verb: 'AUTH', endsGroup: true, codes: [235, 334, 432, 454, 500, 501, 502, 503, 504, 530, 534, 535, 538] }, // RFC 4954 §6
  { verb: '<auth-response>', endsGroup: true, codes: [235, 334, 432, 454, 500, 501, 535, 534, 538] }, // RFC 4954 §4
  // Exchange transport verbs (not RFCs; TechNet dd535395, KB 818222).
  { verb: 'X-ANONYMOUSTLS', endsGroup: true, codes: [220, 454, 500, 502, 503, 504] },
  { verb: 'XEXCH50', endsGroup: true, codes: [354, 500, 502, 503, 504, 530] },
  { verb: '<end-of-blob>', endsGroup: false, codes: [250, 451, 452, 554] },
  { verb: 'X-EXPS', endsGroup: true, codes: [235, 334, 454, 500, 501, 502, 503, 504, 535] },
  { verb: 'X-LINK2STATE', endsGroup: true, codes: [250, 354, 500, 502, 503, 504] },
  { verb: 'XSHADOW', endsGroup: true, codes: [250, 500, 502, 503, 504] },
  { verb: 'XSHADOWREQUEST', endsGroup: true, codes: [250, 500, 502, 503, 504] },
  { verb: 'XPROXY', endsGroup: true, codes: [250, 500, 502, 503, 504] },
  { verb: 'XPROXYFROM', endsGroup: true, codes: [250, 500, 502, 503, 504] },
  { verb: 'XPROXYTO', endsGroup: true, codes: [250, 500, 502, 503, 504] },
  { verb: 'XSESSIONPARAMS', endsGroup: true, codes: [250, 500, 502, 503, 504] },
  { verb: 'XCLIENT', endsGroup: true, codes: [220, 421, 501, 502, 503, 550] }, // Postfix XCLIENT_README
  { verb: 'XFORWARD', endsGroup: false, codes: [250, 421, 501, 502, 503] }, // Postfix XFORWARD_README
] as const;

export type KnownVerb = (typeof VERBS)[number]['verb'];
export type PseudoVerb = Extract<KnownVerb, `<${string}>`>;

type VerbInfo = (typeof VERBS)[number];
const BY_VERB: ReadonlyMap<string, VerbInfo> = new Map(VERBS.map((v) => [v.verb, v]));

export function verbInfo(verb: string): VerbInfo | undefined {
  return BY_VERB.get(verb);
}

export function isKnownVerb(verb: string): verb is KnownVerb {
  return BY_VERB.has(verb) && !verb.startsWith('<');
}

/** RFC 2920 §3.1. Unknown verbs: "may only appear as the last command in a group". */
export function endsGroup(verb: string): boolean {
  return BY_VERB.get(verb)?.endsGroup ?? true;
}

/**
 * RFC 5321 §4.3.2 (R-SEQ), plus 500/501/421 for any command (R-REPLY-2).
 * Unknown verbs: every code is plausible, so every code is permitted.
 */
export function isPermittedReply(verb: string, code: number): boolean {
  const info = BY_VERB.get(verb);
  if (!info) return true;
  if ((ANY as readonly number[]).includes(code)) return true;
  return (info.codes as readonly number[]).includes(code);
}

// ---------------------------------------------------------------------------
// Pure helpers: each returns { value } | { error } and never throws.

export type Parsed<T> = { value: T } | { error: string };

/** Verb and argument of a command line. Verb upper-cased; argument kept as sent (RFC 5321 §2.4: verbs case-insensitive). */
export function splitCommand(line: string): { verb: string; arg: string } {
  const sp = line.indexOf(' ');
  if (sp === -1) return { verb: line.toUpperCase(), arg: '' };
  return { verb: line.slice(0, sp).toUpperCase(), arg: line.slice(sp + 1) };
}

/** Largest size we accept as a number (2^53 - 1); beyond it a count is an error, not a rounding. */
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

function parseCount(s: string): Parsed<number> {
  if (!/^[0-9]+$/.test(s)) return { error: s.startsWith('-') ? 'negative' : 'not a number' };
  const n = Number(s);
  if (!Number.isSafeInteger(n) || n > MAX_SAFE) return { error: 'overflow' };
  return { value: n };
}

export interface BdatArgs {
  size: number;
  chunk: 'intermediate' | 'last';
}

/** RFC 3030 §3: `bdat-cmd ::= "BDAT" SP chunk-size [ SP end-marker ] CR LF`, `chunk-size ::= 1*DIGIT`, `end-marker ::= "LAST"` (case-insensitive, §2.4 of 5321). */
export function parseBdat(arg: string): Parsed<BdatArgs> {
  const parts = arg.split(' ');
  if (parts.length === 0 || parts[0] === '') return { error: 'missing chunk size' };
  if (parts.length > 2) return { error: 'trailing junk' };
  const n = parseCount(parts[0]!);
  if ('error' in n) return { error: `chunk size: ${n.error}` };
  if (parts.length === 2) {
    if (parts[1]!.toUpperCase() !== 'LAST') return { error: 'trailing junk' };
    return { value: { size: n.value, chunk: 'last' } };
  }
  return { value: { size: n.value, chunk: 'intermediate' } };
}

export interface Xexch50Args {
  size: number;
  authLevel: number;
}

/** KB 818222: `XEXCH50 <blob-length> <auth-level>`. */
export function parseXexch50(arg: string): Parsed<Xexch50Args> {
  const parts = arg.split(' ');
  if (parts.length !== 2) return { error: parts.length < 2 ? 'missing argument' : 'trailing junk' };
  const n = parseCount(parts[0]!);
  if ('error' in n) return { error: `blob length: ${n.error}` };
  const k = parseCount(parts[1]!);
  if ('error' in k) return { error: `auth level: ${k.error}` };
  return { value: { size: n.value, authLevel: k.value } };
}

export interface PathArgs {
  /** The address between < and >, as sent ('' for the null path <>). */
  address: string;
  /** ESMTP parameters, keyword upper-cased, value as sent (null for a bare keyword). */
  params: Record<string, string | null>;
  /** RFC 1870 SIZE=, when present and numeric. */
  size: number | null;
  /** RFC 6152 BODY=7BIT|8BITMIME|BINARYMIME, upper-cased. */
  body: string | null;
}

/**
 * RFC 5321 §4.1.1.2/§4.1.1.3: `MAIL FROM:<path> [SP params]`, `RCPT TO:<path> [SP params]`.
 * Tolerates a space after the colon (common, and accepted by most servers) and
 * a path without angle brackets (RFC 821 clients), noting neither: rules judge.
 */
function parsePath(arg: string, keyword: 'FROM:' | 'TO:'): Parsed<PathArgs> {
  if (arg.slice(0, keyword.length).toUpperCase() !== keyword) return { error: `expected ${keyword}` };
  let rest = arg.slice(keyword.length).trimStart();
  let address: string;
  if (rest.startsWith('<')) {
    const close = rest.indexOf('>');
    if (close === -1) return { error: 'unterminated path' };
    address = rest.slice(1, close);
    rest = rest.slice(close + 1);
  } else {
    const sp = rest.indexOf(' ');
    address = sp === -1 ? rest : rest.slice(0, sp);
    rest = sp === -1 ? '' : rest.slice(sp);
    if (address === '') return { error: 'missing path' };
  }
  const params: Record<string, string | null> = {};
  let size: number | null = null;
  let body: string | null = null;
  for (const p of rest.split(' ')) {
    if (p === '') continue;
    const eq = p.indexOf('=');
    const key = (eq === -1 ? p : p.slice(0, eq)).toUpperCase();
    const val = eq === -1 ? null : p.slice(eq + 1);
    params[key] = val;
    if (key === 'SIZE' && val !== null) {
      const n = parseCount(val);
      if ('error' in n) return { error: `SIZE=: ${n.error}` };
      size = n.value;
    }
    if (key === 'BODY' && val !== null) body = val.toUpperCase();
  }
  return { value: { address, params, size, body } };
}

export function parseMailFrom(arg: string): Parsed<PathArgs> {
  return parsePath(arg, 'FROM:');
}

export function parseRcptTo(arg: string): Parsed<PathArgs> {
  return parsePath(arg, 'TO:');
}

export interface EhloKeyword {
  /** Keyword upper-cased (RFC 5321 §4.1.1.1: ehlo-keyword, case-insensitive). */
  keyword: string;
  /** Parameters as sent. */
  params: string[];
  /** The line as sent (after the reply code). */
  raw: string;
}

/** RFC 5321 §4.1.1.1 `ehlo-line = ehlo-keyword *( SP / "=" ehlo-param )` ("AUTH=LOGIN" is an old Microsoft form). */
export function parseEhloKeyword(text: string): Parsed<EhloKeyword> {
  const t = text.trim();
  if (t === '') return { error: 'empty' };
  const parts = t.split(/[ =]+/);
  const keyword = parts[0]!.toUpperCase();
  if (!/^[A-Z0-9][A-Z0-9-]*$/.test(keyword)) return { error: 'bad keyword' };
  return { value: { keyword, params: parts.slice(1), raw: t } };
}

export interface EhloInfo {
  keywords: EhloKeyword[];
  pipelining: boolean;
  starttls: boolean;
  anonymousTls: boolean;
  chunking: boolean;
  eightBitMime: boolean;
  smtpUtf8: boolean;
  xexch50: boolean;
  /** RFC 1870 §4: SIZE without a value or with 0: no fixed maximum (null). */
  size: number | null;
  authMechanisms: string[];
}

export function summarizeEhlo(keywords: readonly EhloKeyword[]): EhloInfo {
  const has = (k: string) => keywords.some((x) => x.keyword === k);
  let size: number | null = null;
  const sizeKw = keywords.find((x) => x.keyword === 'SIZE');
  if (sizeKw && sizeKw.params[0] !== undefined) {
    const n = parseCount(sizeKw.params[0]);
    if ('value' in n && n.value > 0) size = n.value;
  }
  const mechs = new Set<string>();
  for (const k of keywords) if (k.keyword === 'AUTH') for (const m of k.params) mechs.add(m.toUpperCase());
  return {
    keywords: [...keywords],
    pipelining: has('PIPELINING'),
    starttls: has('STARTTLS'),
    anonymousTls: has('X-ANONYMOUSTLS'),
    chunking: has('CHUNKING'),
    eightBitMime: has('8BITMIME'),
    smtpUtf8: has('SMTPUTF8'),
    xexch50: has('XEXCH50'),
    size,
    authMechanisms: [...mechs],
  };
}

/**
 * RFC 3463 §2: `status-code = class "." subject "." detail`, class 2/4/5,
 * subject and detail 1-3 digits (RFC 3463 says subject 1*3digit, detail 1*3digit).
 * Looks at the start of a reply's text (RFC 2034 §4: after the code and SP).
 */
export function parseEnhancedCode(text: string): Parsed<string> {
  const m = /^([245])\.(\d{1,3})\.(\d{1,3})(?=$|[ \t])/.exec(text);
  if (!m) return { error: 'no enhanced status code' };
  return { value: m[0] };
}
