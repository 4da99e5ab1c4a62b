/**
 * A copy of `s` that holds no reference to a larger string. V8 makes a substring of 13
 * or more characters a "sliced string" that points into its parent, so a short value cut
 * from a big text keeps the whole text alive as long as the value lives: a Subject kept
 * for the report would hold the message's entire header block (up to
 * LIMITS.maxHeaderBytes, with DKIM and Received lines often 5-15 KB) for the rest of the
 * run. The UTF-16 round trip copies code units as they are (lone surrogates included), so
 * the value is unchanged.
 */
export function detach(s: string): string {
  return s.length < 13 ? s : Buffer.from(s, 'utf16le').toString('utf16le');
}

export function detachOrNull(s: string | null): string | null {
  return s === null ? null : detach(s);
}
