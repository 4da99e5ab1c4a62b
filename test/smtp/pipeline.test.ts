/**
 * End to end on recorded captures: capture/ → decode/ → tcp/ → smtp/, with
 * tshark's SMTP dissector as the oracle for the dialogue (commands in order as
 * verb + parameter, reply codes in order). Where tshark parses a BLOB or a
 * body as lines we do not compare (documented in the RFC checklist, X-check).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCaptures } from '../../src/capture/index.js';
import { createDecoder } from '../../src/decode/index.js';
import { createFlowTable } from '../../src/tcp/index.js';
import { createSmtpAnalyzer, dialogueOf, DEFAULT_SMTP_PORTS, type SessionEvent, type SmtpSession } from '../../src/smtp/index.js';
import { HAVE_TSHARK, tshark } from '../helpers/tshark.js';

const ROOT = join(import.meta.dirname, '../../fixtures/captures');

export async function analyzeFile(file: string): Promise<{ sessions: SmtpSession[]; events: SessionEvent[] }> {
  const sessions: SmtpSession[] = [];
  const events: SessionEvent[] = [];
  const smtp = createSmtpAnalyzer({}, { event: (_s, e) => events.push(e), sessionEnd: (s) => sessions.push(s) });
  const ports = new Set<number>(DEFAULT_SMTP_PORTS);
  const flows = createFlowTable((ev) => smtp.stream(ev), { isServerPort: (p) => ports.has(p) });
  const decoder = createDecoder({ segment: (s) => void flows.segment(s) });
  let last = { frame: 0, time: { sec: 0, nsec: 0 } };
  await readCaptures([file], (p) => {
    last = { frame: p.frame, time: p.time };
    decoder.packet(p);
  });
  decoder.flush();
  flows.end(last.frame, last.time);
  sessions.sort((a, b) => a.tcpStream - b.tcpStream);
  return { sessions, events };
}

function files(): string[] {
  const out: string[] = [];
  for (const dir of readdirSync(ROOT)) for (const f of readdirSync(join(ROOT, dir))) if (/\.(pcap|pcapng)$/.test(f)) out.push(join(dir, f));
  return out.sort();
}

/** tshark's view: per tcp.stream, commands (verb arg) and reply codes in frame order. */
function tsharkDialogue(file: string): Map<number, { commands: string[]; codes: number[] }> {
  const out = tshark(['-r', file, '-Y', 'smtp', '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=|', '-e', 'tcp.stream', '-e', 'smtp.req.command', '-e', 'smtp.req.parameter', '-e', 'smtp.response.code', '-e', 'smtp.data.fragment', '-e', 'smtp.auth.username']);
  const m = new Map<number, { commands: string[]; codes: number[] }>();
  for (const line of out.split('\n')) {
    if (!line) continue;
    const [st, cmds, params, codes] = line.split('\t');
    const d = m.get(Number(st)) ?? { commands: [], codes: [] };
    m.set(Number(st), d);
    if (cmds) {
      const cs = cmds.split('|');
      const ps = (params ?? '').split('|');
      cs.forEach((c, i) => d.commands.push(`${c.toUpperCase()} ${ps[i] ?? ''}`.trim()));
    }
    if (codes) {
      // tshark gives one smtp.response.code per reply (a multi-line reply has one), several per frame
      for (const c of codes.split('|')) d.codes.push(Number(c));
    }
  }
  return m;
}

describe.skipIf(!HAVE_TSHARK)('recorded captures against tshark', () => {
  for (const f of files()) {
    it(f, async () => {
      const path = join(ROOT, f);
      const { sessions } = await analyzeFile(path);
      expect(sessions.length).toBeGreaterThan(0);
      const oracle = tsharkDialogue(path);
      for (const s of sessions) {
        const ours = dialogueOf(s);
        const theirs = oracle.get(s.tcpStream);
        if (!theirs || s.commands.some((c) => c.verb === 'XEXCH50' || c.verb === 'BDAT')) continue;
        const ourCmds = ours.commands.filter(([v]) => v !== '<auth-response>').map(([v, a]) => `${v} ${a}`.trim());
        expect(ourCmds, `stream ${s.tcpStream} commands`).toEqual(theirs.commands);
        expect(ours.replies.map(([c]) => c), `stream ${s.tcpStream} reply codes`).toEqual(theirs.codes);
      }
    });
  }
});
