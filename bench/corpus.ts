/**
 * Byte pools the generator slices message bodies and TLS records from, so that
 * producing gigabytes costs a few megabytes of random text once, then only views.
 */
import type { Rng } from './prng.js';

/** Every body line is this long with its CRLF: 76 base64 characters (RFC 2045 §6.8) + CRLF. */
export const LINE = 78;
/** One line in this many is a dot-stuffed line (RFC 5321 §4.5.2), "..", text, CRLF. */
const DOT_LINE_EVERY = 400;

export interface Corpus {
  /** Lines of LINE bytes each: base64 text, and now and then a dot-stuffed line. */
  readonly body: Buffer;
  /** Random bytes: the "ciphertext" of TLS records. */
  readonly noise: Buffer;
}

export function createCorpus(rng: Rng, bodyBytes: number, noiseBytes: number): Corpus {
  const lines = Math.ceil(bodyBytes / LINE);
  // 57 random bytes encode to exactly 76 base64 characters (RFC 4648 §4).
  const raw = rng.fill(Buffer.allocUnsafe(lines * 57));
  const b64 = raw.toString('base64');
  const body = Buffer.allocUnsafe(lines * LINE);
  for (let i = 0; i < lines; i++) {
    const o = i * LINE;
    body.write(b64.slice(i * 76, i * 76 + 76), o, 'latin1');
    // A text line that began with "." in the message travels with an extra "."
    // (RFC 5321 §4.5.2); the analyzer must not take ".." for end-of-data.
    if (rng.int(0, DOT_LINE_EVERY - 1) === 0) {
      body[o] = 0x2e;
      body[o + 1] = 0x2e;
      if (rng.chance(0.3)) {
        // ".." alone on its line (a "." line in the message), then a line of spaces.
        body[o + 2] = 0x0d;
        body[o + 3] = 0x0a;
        body.fill(0x20, o + 4, o + 76);
      }
    }
    body[o + 76] = 0x0d;
    body[o + 77] = 0x0a;
  }
  return { body, noise: rng.fill(Buffer.allocUnsafe(noiseBytes)) };
}
