/**
 * What the run keeps of an ended SMTP session for the report is the session itself
 * (sessions[] with its commands, spec/interface.md), so a long capture holds every
 * session it saw. Most of a session's text repeats across sessions: the server's
 * EHLO reply (its lines, the parsed keywords, the extensions list), "250 2.1.5 Ok",
 * "354 End data with <CR><LF>.<CR><LF>". This module replaces such values, once the
 * session has ended, with one shared instance of an EQUAL value: nothing the report,
 * the rules or the tests read changes (same strings, same arrays' contents), only
 * the number of copies. Lossless by construction: a value is shared only when its
 * key (the full content) matches.
 *
 * Shared values are read-only by contract: smtp/ no longer writes to a session after
 * sessionEnd, report/ copies arrays before handing them out (model.ts), and rules
 * never modify what they are given (src/rules/engine.ts freezes events).
 */
import type { SmtpSession } from './smtp/index.js';

/**
 * Distinct values remembered per table. A capture full of unique lines (a 550 naming
 * each recipient) would otherwise grow the table without limit; when full, the table
 * starts over, so frequent values come straight back and memory stays bounded.
 */
export const INTERN_TABLE_MAX = 4096;

class InternTable<T> {
  private readonly map = new Map<string, T>();
  /** Values shared instead of kept twice (tests and diagnostics). */
  hits = 0;
  /** Times the table was full and started over (INTERN_TABLE_MAX). */
  resets = 0;

  get(key: string, value: T): T {
    const known = this.map.get(key);
    if (known !== undefined) {
      this.hits++;
      return known;
    }
    if (this.map.size >= INTERN_TABLE_MAX) {
      this.map.clear();
      this.resets++;
    }
    this.map.set(key, value);
    return value;
  }
}

/** Reply lines and EHLO keywords never contain LF (RFC 5321 §2.3.8: LF ends a line), so LF joins them unambiguously. */
const SEP = '\n';

export interface SessionInterner {
  /** Shares the repeated values of an ended session in place; returns the same session. */
  compact(session: SmtpSession): SmtpSession;
  stats(): { hits: number; resets: number };
}

export function createSessionInterner(): SessionInterner {
  const strings = new InternTable<string>();
  const lineLists = new InternTable<readonly string[]>();
  const ehlos = new InternTable<NonNullable<SmtpSession['ehlo']>>();
  const str = (s: string): string => strings.get(s, s);
  const strOrNull = (s: string | null): string | null => (s === null ? null : strings.get(s, s));
  // A one-line list is keyed by its line (no LF), a longer one by its lines joined: no collision.
  const lines = (l: readonly string[]): readonly string[] => (l.length === 0 ? l : lineLists.get(l.length === 1 ? l[0]! : l.join(SEP), l));

  return {
    compact(s) {
      s.extensions = lines(s.extensions) as string[];
      // EhloInfo is computed from its keyword lines alone (smtp/commands.ts summarizeEhlo), so equal lines, equal info.
      if (s.ehlo !== null) s.ehlo = ehlos.get(s.ehlo.keywords.map((k) => k.raw).join(SEP), s.ehlo);
      s.greeting = strOrNull(s.greeting);
      for (const c of s.commands) {
        const r = c.reply;
        if (r === null) continue;
        r.lines = lines(r.lines);
        r.text = str(r.text);
        r.enhanced = strOrNull(r.enhanced);
      }
      for (const t of s.transactions) {
        for (const rc of t.rcpts) {
          rc.text = strOrNull(rc.text);
          rc.enhanced = strOrNull(rc.enhanced);
        }
        if (t.result !== null) {
          t.result.text = str(t.result.text);
          t.result.enhanced = strOrNull(t.result.enhanced);
        }
      }
      return s;
    },
    stats() {
      return { hits: strings.hits + lineLists.hits + ehlos.hits, resets: strings.resets + lineLists.resets + ehlos.resets };
    },
  };
}
