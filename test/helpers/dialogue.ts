/**
 * Scripted two-sided SMTP dialogues (fixtures/dialogues/*.smtp) turned into frames with
 * src/synth and into capture files with src/capture/writer.ts.
 *
 * Format (one item per line; blank lines and lines starting with '#' are ignored):
 *
 *   Header directives (anywhere before the first data line):
 *     @client 10.0.0.5:49152        client address and port (IPv4 or IPv6; IPv6 as [::1]:49152)
 *     @server 10.0.0.25:25
 *     @isn client=0xfffffff0 server=1000    initial sequence numbers (32-bit; wraparound tests)
 *     @start 2024-01-15T10:00:00Z   time of the first frame
 *     @link ethernet | ethernet vlan=42 | ethernet vlan=100,42 | sll | sll2 | raw | null
 *     @format pcap | pcap-ns | pcapng   file format written (default pcap, µs)
 *     @handshake off                capture starts mid-stream (no SYN)
 *     @snaplen 96                   cut frames to this many bytes
 *   Data (consecutive lines of one side form ONE write, i.e. one send(); a pipelined
 *   group is simply several C: lines in a row):
 *     C: EHLO host                  a line, CRLF appended (S: for the server)
 *     C~: text\r\n.\n               text with escapes \r \n \t \\ \xHH, nothing appended
 *     C!: 16 03 01 00 2f ...        raw bytes in hex (spaces ignored), nothing appended
 *     C: <blob 1124>                1124 deterministic binary bytes, nothing appended
 *     C: <text 1048576>             exactly N bytes of message text (CRLF lines, none starts with '.')
 *   Flow and timing (each ends the current write):
 *     @flush                        end the current write (next lines form a new one)
 *     @+5s  @+250ms  @+3m           advance the clock
 *     @gap 1ms                      pause before each write (default 1ms)
 *     @mss 536                      segment size of later writes
 *   Impairments, for the NEXT write only (segment indices from 0; lists like 1,2 or 1-3):
 *     @drop 1        the capture missed it (the peer's ACK covers it)
 *     @lose 1-2      lost in the network (e.g. a firewall): never acknowledged
 *     @dup 0         sent twice
 *     @swap 0 1      emitted in swapped order
 *     @retransmit 1 [hex]   sent again after 200 ms, optionally with other bytes
 *     @noack         no ACK from the peer
 *   Connection end:
 *     @fin C | @fin S   FIN from that side (peer ACKs);   @close [C|S]  both FINs, C first by default
 *     @rst C | @rst S   RST from that side
 */
import { TcpConversation, addMs, timeFromIso, type LinkSpec, type SendOptions, type SynthFrame } from '../../src/synth/index.js';
import type { Dir } from '../../src/tcp/events.js';
import { BufferSink, PcapWriter, PcapngWriter } from '../../src/capture/writer.js';

export type DialogueFormat = 'pcap' | 'pcap-ns' | 'pcapng';

export interface DialogueSettings {
  client: { ip: string; port: number; isn?: number };
  server: { ip: string; port: number; isn?: number };
  start: string;
  link: LinkSpec;
  format: DialogueFormat;
  handshake: boolean;
  snapLength?: number;
}

export type DialogueStep =
  | { kind: 'write'; dir: Dir; bytes: Buffer; mss: number; gapMs: number; send: SendOptions; line: number }
  | { kind: 'wait'; ms: number }
  | { kind: 'fin'; dir: Dir }
  | { kind: 'rst'; dir: Dir }
  | { kind: 'close'; first: Dir };

export interface Dialogue {
  settings: DialogueSettings;
  steps: DialogueStep[];
}

/** Thrown for a malformed script: fixtures are ours, so a bad one is a programmer error. */
export class DialogueSyntaxError extends Error {}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function parseDuration(text: string, line: number): number {
  const m = DURATION.exec(text);
  if (!m) throw new DialogueSyntaxError(`line ${line}: bad duration '${text}'`);
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}

function parseEndpoint(text: string, line: number): { ip: string; port: number } {
  const m = /^\[([0-9a-fA-F:.]+)\]:(\d+)$/.exec(text) ?? /^([0-9.]+):(\d+)$/.exec(text);
  if (!m) throw new DialogueSyntaxError(`line ${line}: bad endpoint '${text}'`);
  return { ip: m[1]!, port: Number(m[2]) };
}

function parseDir(text: string | undefined, line: number, dflt?: Dir): Dir {
  if (text === undefined && dflt) return dflt;
  if (text === 'C' || text === 'c2s') return 'c2s';
  if (text === 'S' || text === 's2c') return 's2c';
  throw new DialogueSyntaxError(`line ${line}: expected C or S, got '${text ?? ''}'`);
}

function parseIndices(text: string | undefined, line: number): number[] {
  if (!text) throw new DialogueSyntaxError(`line ${line}: segment list expected`);
  const out: number[] = [];
  for (const part of text.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new DialogueSyntaxError(`line ${line}: bad segment list '${text}'`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    for (let i = a; i <= b; i++) out.push(i);
  }
  return out;
}

function unescape(text: string, line: number): Buffer {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch !== 0x5c) { out.push(ch & 0xff); continue; }
    const n = text[++i];
    if (n === 'r') out.push(13);
    else if (n === 'n') out.push(10);
    else if (n === 't') out.push(9);
    else if (n === '\\') out.push(0x5c);
    else if (n === 'x') { out.push(parseInt(text.slice(i + 1, i + 3), 16)); i += 2; }
    else throw new DialogueSyntaxError(`line ${line}: bad escape \\${n ?? ''}`);
  }
  return Buffer.from(out);
}

/** Deterministic binary filler (an XEXCH50 BLOB stand-in). */
export function blobBytes(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + 7) & 0xff;
  return b;
}

/** Exactly n bytes of message text: CRLF-terminated 78-byte lines, none starting with '.'. */
export function textBytes(n: number): Buffer {
  const line = Buffer.from('Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor\r\n', 'latin1');
  const b = Buffer.alloc(n);
  for (let off = 0; off < n; off += line.length) line.copy(b, off, 0, Math.min(line.length, n - off));
  if (n >= 2) { b[n - 2] = 13; b[n - 1] = 10; }
  return b;
}

function dataLine(side: 'C' | 'S', mode: string, rest: string, line: number): Buffer {
  if (mode === '!') {
    const hex = rest.replace(/\s+/g, '');
    if (!/^([0-9a-fA-F]{2})*$/.test(hex)) throw new DialogueSyntaxError(`line ${line}: bad hex`);
    return Buffer.from(hex, 'hex');
  }
  if (mode === '~') return unescape(rest, line);
  const gen = /^<(blob|text) (\d+)>$/.exec(rest);
  if (gen) return gen[1] === 'blob' ? blobBytes(Number(gen[2])) : textBytes(Number(gen[2]));
  void side;
  return Buffer.from(`${rest}\r\n`, 'latin1');
}

export function parseDialogue(text: string): Dialogue {
  const settings: DialogueSettings = {
    client: { ip: '192.0.2.10', port: 49152 },
    server: { ip: '198.51.100.25', port: 25 },
    start: '2024-01-15T10:00:00Z',
    link: { type: 'ethernet' },
    format: 'pcap',
    handshake: true,
  };
  const steps: DialogueStep[] = [];
  let mss = 1460;
  let gapMs = 1;
  let next: { -readonly [K in keyof SendOptions]: SendOptions[K] } = {};
  let cur: { dir: Dir; parts: Buffer[]; line: number } | null = null;
  const flush = (): void => {
    if (!cur) return;
    steps.push({ kind: 'write', dir: cur.dir, bytes: Buffer.concat(cur.parts), mss, gapMs, send: next, line: cur.line });
    cur = null;
    next = {};
  };
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const ln = i + 1;
    if (raw.trim() === '' || raw.startsWith('#')) return;
    const d = /^([CS])([!~]?): ?(.*)$/.exec(raw);
    if (d) {
      const dir: Dir = d[1] === 'C' ? 'c2s' : 's2c';
      if (cur && cur.dir !== dir) flush();
      if (!cur) cur = { dir, parts: [], line: ln };
      cur.parts.push(dataLine(d[1] as 'C' | 'S', d[2]!, d[3]!, ln));
      return;
    }
    if (!raw.startsWith('@')) throw new DialogueSyntaxError(`line ${ln}: expected C:, S:, @directive or #comment`);
    const [word, ...args] = raw.slice(1).trim().split(/\s+/);
    const adv = /^\+(.+)$/.exec(word ?? '');
    if (adv) { flush(); steps.push({ kind: 'wait', ms: parseDuration(adv[1]!, ln) }); return; }
    switch (word) {
      case 'client': settings.client = { ...settings.client, ...parseEndpoint(args[0] ?? '', ln) }; break;
      case 'server': settings.server = { ...settings.server, ...parseEndpoint(args[0] ?? '', ln) }; break;
      case 'isn':
        for (const a of args) {
          const m = /^(client|server)=(0x[0-9a-fA-F]+|\d+)$/.exec(a);
          if (!m) throw new DialogueSyntaxError(`line ${ln}: bad @isn '${a}'`);
          settings[m[1] as 'client' | 'server'].isn = Number(m[2]) >>> 0;
        }
        break;
      case 'start': settings.start = args[0] ?? ''; timeFromIso(settings.start); break;
      case 'link': {
        const t = args[0];
        if (t === 'ethernet') {
          const v = /^vlan=([\d,]+)$/.exec(args[1] ?? '');
          settings.link = v ? { type: 'ethernet', vlan: v[1]!.split(',').map(Number) } : { type: 'ethernet' };
        } else if (t === 'sll' || t === 'sll2' || t === 'raw' || t === 'null') settings.link = { type: t };
        else throw new DialogueSyntaxError(`line ${ln}: bad @link '${t ?? ''}'`);
        break;
      }
      case 'format':
        if (args[0] !== 'pcap' && args[0] !== 'pcap-ns' && args[0] !== 'pcapng') throw new DialogueSyntaxError(`line ${ln}: bad @format`);
        settings.format = args[0];
        break;
      case 'handshake': settings.handshake = args[0] !== 'off'; break;
      case 'snaplen': settings.snapLength = Number(args[0]); break;
      case 'flush': flush(); break;
      case 'gap': flush(); gapMs = parseDuration(args[0] ?? '', ln); break;
      case 'mss': flush(); mss = Number(args[0]); break;
      case 'drop': flush(); next.drop = parseIndices(args[0], ln); break;
      case 'lose': flush(); next.lose = parseIndices(args[0], ln); break;
      case 'dup': flush(); next.duplicate = parseIndices(args[0], ln); break;
      case 'swap': flush(); next.swap = [[Number(args[0]), Number(args[1])]]; break;
      case 'retransmit': {
        flush();
        const seg = Number(args[0]);
        next.retransmit = [args[1] ? { segment: seg, bytes: Buffer.from(args.slice(1).join(''), 'hex') } : { segment: seg }];
        break;
      }
      case 'noack': flush(); next.ack = 'none'; break;
      case 'fin': flush(); steps.push({ kind: 'fin', dir: parseDir(args[0], ln) }); break;
      case 'rst': flush(); steps.push({ kind: 'rst', dir: parseDir(args[0], ln) }); break;
      case 'close': flush(); steps.push({ kind: 'close', first: parseDir(args[0], ln, 'c2s') }); break;
      default: throw new DialogueSyntaxError(`line ${ln}: unknown directive @${word ?? ''}`);
    }
  });
  flush();
  return { settings, steps };
}

/** The frames of a dialogue, in capture order. */
export function dialogueFrames(d: Dialogue): SynthFrame[] {
  const s = d.settings;
  const conv = new TcpConversation({
    client: s.client, server: s.server, link: s.link, start: timeFromIso(s.start),
    handshake: s.handshake, ...(s.snapLength !== undefined ? { snapLength: s.snapLength } : {}),
  });
  for (const st of d.steps) {
    switch (st.kind) {
      case 'write': conv.send(st.dir, st.bytes, { ...st.send, mss: st.mss, at: addMs(conv.clock, st.gapMs) }); break;
      case 'wait': conv.wait(st.ms); break;
      case 'fin': conv.fin(st.dir); break;
      case 'rst': conv.rst(st.dir); break;
      case 'close': conv.close(st.first); break;
    }
  }
  return conv.drain();
}

/** Frames written in the given capture format, to a Buffer (deterministic: no clock, no host data). */
export function framesToCapture(frames: readonly SynthFrame[], format: DialogueFormat, linkType: number): Buffer {
  const sink = new BufferSink();
  if (format === 'pcapng') {
    const w = new PcapngWriter(sink, { interfaces: [{ linkType, tsresol: 6 }] });
    for (const f of frames) w.write(f);
    w.close();
  } else {
    const w = new PcapWriter(sink, { linkType, precision: format === 'pcap-ns' ? 'ns' : 'us' });
    for (const f of frames) w.write(f);
    w.close();
  }
  return sink.toBuffer();
}

/** A dialogue script, start to finish: the bytes of its capture file. */
export function buildDialogueCapture(script: string): Buffer {
  const d = parseDialogue(script);
  const conv = dialogueFrames(d);
  const linkType = conv[0]?.linkType ?? 1;
  return framesToCapture(conv, d.settings.format, linkType);
}
