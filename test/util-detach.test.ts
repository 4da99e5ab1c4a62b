/**
 * util/detach.ts: kept values are copies, equal to the original, holding no larger
 * string alive; and the header values a session keeps for the report use it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detach, detachOrNull } from '../src/util/detach.js';

describe('detach', () => {
  it('returns an equal string, for any UTF-16 content', () => {
    for (const s of ['', 'short', 'x'.repeat(13), 'Subject: caf\u00e9 \u{1f600} \u4e2d\u6587', 'lone \ud800 surrogate \udfff end', '\u0000\u00ff'.repeat(20)]) {
      expect(detach(s)).toBe(s);
    }
    expect(detachOrNull(null)).toBeNull();
  });

  // Heap figures need a real collection: a child process with --expose-gc, on the built code.
  const dist = join(import.meta.dirname, '../dist/smtp/data-body.js');
  it.skipIf(!existsSync(dist))('header values kept for the report do not hold the header block (5000 messages, 20 KB headers each)', () => {
    const script = `
      const { parseHeaderBlock } = await import(${JSON.stringify(dist)});
      const block = (i) => 'Received: from a by b; ' + 'x'.repeat(20000) + '\\r\\nSubject: message number ' + i + ' of a long run\\r\\nMessage-ID: <' + i + '.abcdef@example.org>\\r\\nFrom: Someone <someone@example.org>\\r\\nTo: <rcpt@example.net>\\r\\nDate: Mon, 7 Dec 2026 10:00:00 +0000\\r\\n';
      const keep = [];
      globalThis.gc(); const before = process.memoryUsage().heapUsed;
      for (let i = 0; i < 5000; i++) keep.push(parseHeaderBlock(block(i), false));
      globalThis.gc(); const after = process.memoryUsage().heapUsed;
      if (keep[4999].subject !== 'message number 4999 of a long run') throw new Error('wrong subject ' + keep[4999].subject);
      process.stdout.write(String((after - before) / 5000));
    `;
    const perMessage = Number(execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8' }));
    // Pinned, each message would hold its 20 KB block; detached, a few hundred bytes.
    expect(perMessage).toBeLessThan(2000);
  });
});
