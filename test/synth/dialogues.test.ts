/**
 * fixtures/dialogues/<area>/<name>.smtp → fixtures/captures/<area>/<name>.pcap[ng].
 * The committed captures are what other tests read; this test proves that rebuilding
 * them gives identical bytes. To (re)build after editing a script:
 *   UPDATE_FIXTURES=1 npx vitest run test/synth/dialogues.test.ts
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES } from '../helpers/corpus.js';
import {
  DialogueSyntaxError, blobBytes, buildDialogueCapture, dialogueFrames, parseDialogue, textBytes,
} from '../helpers/dialogue.js';
import { HAVE_TSHARK, tshark, tsharkFollow } from '../helpers/tshark.js';

const UPDATE = process.env['UPDATE_FIXTURES'] === '1';
const TMP = mkdtempSync(join(tmpdir(), 'smtpscope-dialogues-'));
/** Areas whose captures are committed (fixtures/README.md). Other areas' scripts (e.g. rules/)
 *  may be built in memory by their tests; a committed file, if present, must still match. */
const COMMITTED_AREAS = new Set(['mission', 'smtp']);
const DIALOGUES = join(FIXTURES, 'dialogues');

function scripts(): { area: string; name: string; path: string; out: string }[] {
  const out: { area: string; name: string; path: string; out: string }[] = [];
  for (const area of readdirSync(DIALOGUES).sort()) {
    for (const file of readdirSync(join(DIALOGUES, area)).sort()) {
      if (!file.endsWith('.smtp')) continue;
      const path = join(DIALOGUES, area, file);
      const fmt = parseDialogue(readFileSync(path, 'latin1')).settings.format;
      const name = file.slice(0, -'.smtp'.length);
      out.push({ area, name, path, out: join(FIXTURES, 'captures', area, `${name}.${fmt === 'pcapng' ? 'pcapng' : 'pcap'}`) });
    }
  }
  return out;
}

describe('dialogue captures are reproducible', () => {
  for (const s of scripts()) {
    it(`${s.area}/${s.name}`, () => {
      const script = readFileSync(s.path, 'latin1');
      const built = buildDialogueCapture(script);
      expect(buildDialogueCapture(script)).toEqual(built);
      const committed = COMMITTED_AREAS.has(s.area);
      if (UPDATE && committed) {
        mkdirSync(join(FIXTURES, 'captures', s.area), { recursive: true });
        writeFileSync(s.out, built);
      }
      if (!committed && !existsSync(s.out)) return;
      expect(existsSync(s.out), `${s.out} missing: run with UPDATE_FIXTURES=1`).toBe(true);
      expect(readFileSync(s.out).equals(built), `${s.out} differs from its script`).toBe(true);
    });
  }
});

describe.skipIf(!HAVE_TSHARK)('dialogue captures as tshark reads them', () => {
  for (const s of scripts()) {
    it(`${s.area}/${s.name}: valid checksums; the followed bytes are the script's`, () => {
      const script = readFileSync(s.path, 'latin1');
      const d = parseDialogue(script);
      // Scripts of areas without committed captures (rules/) are built into a temp file.
      const file = existsSync(s.out) ? s.out : join(TMP, `${s.area}-${s.name}.pcap`);
      if (file !== s.out) writeFileSync(file, buildDialogueCapture(script));
      if (d.settings.snapLength !== undefined) {
        // Cut by the snap length: checksums cannot be verified and follow,tcp holds only the
        // captured prefix; what must hold is that every frame is cut where the script says.
        const caps = tshark(['-r', file, '-T', 'fields', '-e', 'frame.cap_len', '-e', 'frame.len']).split('\n').filter(Boolean);
        expect(caps.length).toBe(dialogueFrames(d).length);
        for (const c of caps) {
          const [cap, len] = c.split('\t').map(Number);
          expect(cap).toBe(Math.min(len!, d.settings.snapLength));
        }
        return;
      }
      const rows = tshark(['-r', file, '-o', 'tcp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE', '-T', 'fields',
        '-e', 'tcp.checksum.status', '-e', 'ip.checksum.status']).split('\n').filter(Boolean);
      expect(rows.length).toBe(dialogueFrames(d).length);
      for (const r of rows) expect(r).toBe('1\t1');
      const impaired = d.steps.some((st) => st.kind === 'write' && (st.send.drop || st.send.lose));
      if (impaired) return;
      const want = { c2s: [] as Buffer[], s2c: [] as Buffer[] };
      for (const st of d.steps) if (st.kind === 'write') want[st.dir].push(st.bytes);
      const [f] = tsharkFollow(file, [0]);
      const clientFirst = f!.node0.endsWith(`:${d.settings.client.port}`);
      expect(clientFirst ? f!.fromNode0 : f!.fromNode1).toEqual(Buffer.concat(want.c2s));
      expect(clientFirst ? f!.fromNode1 : f!.fromNode0).toEqual(Buffer.concat(want.s2c));
    });
  }

  it('xexch50-blob-dropped: 536 of the 1124 BLOB bytes captured, tshark sees the hole', () => {
    const f = join(FIXTURES, 'captures', 'mission', 'xexch50-blob-dropped.pcap');
    const lens = tshark(['-r', f, '-Y', 'tcp.srcport == 1042 && tcp.len > 0', '-T', 'fields', '-e', 'tcp.len']).split('\n').filter(Boolean);
    expect(lens.at(-1)).toBe('536');
    expect(tshark(['-r', f, '-Y', 'tcp.analysis.lost_segment', '-T', 'fields', '-e', 'tcp.srcport'])).toBe('1042\n');
  });

  it('capture-gap: one lost segment and one ACK of an uncaptured segment', () => {
    const f = join(FIXTURES, 'captures', 'smtp', 'capture-gap.pcap');
    expect(tshark(['-r', f, '-Y', 'tcp.analysis.lost_segment', '-T', 'fields', '-e', 'tcp.len'])).toBe('347\n'); // 1419 bytes: 536 + (536 dropped) + 347
    expect(tshark(['-r', f, '-Y', 'tcp.analysis.ack_lost_segment', '-T', 'fields', '-e', 'tcp.srcport'])).toBe('25\n');
  });

  it('tls-alert-after-clienthello: tshark decodes the ClientHello and the alert', () => {
    const f = join(FIXTURES, 'captures', 'smtp', 'tls-alert-after-clienthello.pcap');
    const out = tshark(['-r', f, '-Y', 'tls', '-T', 'fields', '-e', 'tls.handshake.type', '-e', 'tls.handshake.extensions_server_name', '-e', 'tls.alert_message.desc']);
    expect(out).toBe('1\tmx.example.net\t\n\t\t70\n');
  });
});

describe('dialogue script syntax', () => {
  it('groups consecutive lines of a side into one write', () => {
    const d = parseDialogue('S: 220 hi\nC: MAIL FROM:<a>\nC: RCPT TO:<b>\nS: 250 a\n@flush\nS: 250 b\n');
    const writes = d.steps.filter((s) => s.kind === 'write').map((s) => (s.kind === 'write' ? s.bytes.toString('latin1') : ''));
    expect(writes).toEqual(['220 hi\r\n', 'MAIL FROM:<a>\r\nRCPT TO:<b>\r\n', '250 a\r\n', '250 b\r\n']);
  });
  it('decodes escapes, hex, blobs and text of an exact size', () => {
    const d = parseDialogue('C~: a\\r\\n.\\n\\x00\\\\\nC!: 16 03 01\n');
    const w = d.steps[0]!;
    expect(w.kind === 'write' && w.bytes).toEqual(Buffer.from([0x61, 13, 10, 0x2e, 10, 0, 0x5c, 0x16, 3, 1]));
    expect(blobBytes(1124).length).toBe(1124);
    const t = textBytes(100_000);
    expect(t.length).toBe(100_000);
    expect(t.subarray(-2).toString('latin1')).toBe('\r\n');
    expect(t.includes('\r\n.')).toBe(false);
  });
  it('impairments apply to the next write only', () => {
    const d = parseDialogue('@mss 10\n@lose 1-2\nC: <blob 30>\nC: x\n@+5s\nS: y\n');
    const ws = d.steps.filter((s) => s.kind === 'write');
    expect(ws[0]!.kind === 'write' && ws[0]!.send.lose).toEqual([1, 2]);
    expect(ws[1]!.kind === 'write' && ws[1]!.send.lose).toBe(undefined);
    expect(d.steps.map((s) => s.kind)).toEqual(['write', 'wait', 'write']);
  });
  it('rejects malformed lines', () => {
    for (const bad of ['X: hi', '@bogus', '@+5 parsecs', 'C!: 0g', '@fin Q', '@client nowhere', '@drop a']) {
      expect(() => parseDialogue(bad), bad).toThrow(DialogueSyntaxError);
    }
  });
});
