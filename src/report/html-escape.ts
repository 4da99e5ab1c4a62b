/**
 * Text from a capture is hostile input: the sender chooses every byte of a command
 * line, a reply, a HELO name. Everything the HTML report shows goes through `esc`,
 * in element content and in attribute values alike (HTML Living Standard §13.1.2.6
 * and §13.1.2.3: escaping `&`, `<`, `>`, `"` and `'` is enough for both, also inside
 * inline SVG, which the HTML parser reads as foreign content).
 *
 * Besides markup, two kinds of characters could mislead a reader without breaking
 * the page, so they are shown, not obeyed:
 * - C0 controls and DEL (a NUL is a parse error, a CR or backspace can hide text):
 *   shown as Unicode control pictures (U+2400 block), e.g. U+0008 as "␈".
 * - bidirectional overrides and isolates (Unicode TR #9; the "Trojan Source" trick,
 *   CVE-2021-42574): shown as ⟨U+202E⟩ so a reversed address reads as what it is.
 * Lone surrogates become U+FFFD so the file is well-formed UTF-8.
 */

const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

// Tab and LF are kept: multi-line replies are joined with LF and shown in <pre>/<title>.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/g;
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** The text with controls, bidi marks and lone surrogates made visible (no markup escaping). */
export function visible(text: string): string {
  return text
    .replace(LONE_SURROGATE, '\ufffd')
    .replace(CONTROL, (c) => String.fromCharCode(c === '\u007f' ? 0x2421 : 0x2400 + c.charCodeAt(0)))
    .replace(BIDI, (c) => `⟨U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}⟩`);
}

/** Safe for element content and for quoted attribute values. */
export function esc(text: string | number): string {
  return visible(String(text)).replace(/[&<>"']/g, (c) => ENTITY[c]!);
}

/**
 * At most `max` characters (code points, so a surrogate pair is never split), the
 * cut marked with "…". Callers put the full text in a <title> next to it.
 */
export function truncate(text: string, max: number): { text: string; cut: boolean } {
  const chars = Array.from(text);
  if (chars.length <= max) return { text, cut: false };
  return { text: chars.slice(0, Math.max(0, max - 1)).join('') + '…', cut: true };
}
