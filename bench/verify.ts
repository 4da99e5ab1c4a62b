/**
 * `npm run bench -- --verify`: the SMTP dialogue of every TCP stream of the bench capture,
 * ours against tshark's, at full size. Per stream, the commands (frame and verb) and the
 * replies (frame and code) in order: smtpscope's session model from runPipeline, tshark's
 * `smtp.req.command` and `smtp.response.code` with `frame.number` and `tcp.stream`.
 *
 * Where they differ, the difference is put in a class when it is one of tshark's known
 * failures, checked on our side of the data (never assumed):
 * - 'tshark reads STARTTLS as STAR': its command field keeps four letters (the
 *   conformance tests undo the same quirk); compared on the first four letters.
 * - 'tshark stays in DATA after a refused DATA': tshark's commands are ours minus some,
 *   and every one it lacks comes after a DATA the server did not answer with 354 (the
 *   client pipelined DATA behind refused RCPTs, RFC 2920; tshark takes what follows as
 *   message text).
 * - 'tshark drops a command sent in the segment that ends a message': every command it
 *   lacks shares its frame with the end of a message (`<end-of-data>`), i.e. pipelined
 *   right after the final "." (RFC 2920 §3.1).
 * - 'tshark misses the end of a message split across segments': every command it lacks
 *   follows an end of message whose segment starts inside `<CRLF>.<CRLF>` (e.g. one
 *   segment ends "\r\n." and the next is "\r\n"); tshark takes the commands after it
 *   as message text until the next end of message.
 * Anything else is 'unexplained' and listed.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface VerifyResult {
  streams: number;
  identical: number;
  commands: number;
  replies: number;
  classes: Record<string, number>;
  unexplained: { stream: number; ours: string; tshark: string }[];
}

type Item = { frame: number; what: string };

function push(m: Map<number, Item[]>, k: number, v: Item): void {
  let a = m.get(k);
  if (!a) m.set(k, (a = []));
  a.push(v);
}

const key = (i: Item) => `${i.frame}:${i.what}`;
const text = (l: Item[] | undefined) => (l ?? []).map(key).join(' ');

/** tshark's commands and replies per tcp.stream. */
async function tsharkDialogues(file: string): Promise<{ cmds: Map<number, Item[]>; replies: Map<number, Item[]> }> {
  const args = ['-r', file, '-Y', 'smtp', '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=,'];
  for (const f of ['frame.number', 'tcp.stream', 'smtp.req.command', 'smtp.response.code']) args.push('-e', f);
  const child = spawn('tshark', args, { stdio: ['ignore', 'pipe', 'ignore'] });
  const cmds = new Map<number, Item[]>();
  const replies = new Map<number, Item[]>();
  for await (const line of createInterface({ input: child.stdout })) {
    const [frame, stream, c, r] = line.split('\t');
    if (!frame || !stream) continue;
    for (const v of c ? c.split(',') : []) push(cmds, +stream, { frame: +frame, what: v.toUpperCase().slice(0, 4) });
    for (const v of r ? r.split(',') : []) push(replies, +stream, { frame: +frame, what: v });
  }
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`tshark exited with ${code}`);
  return { cmds, replies };
}

/** The proper suffixes of CRLF "." CRLF that a segment can start with when the terminator is split. */
const TAILS = ['\n', '\r\n', '.\r\n', '\n.\r\n'].map((t) => Buffer.from(t, 'latin1'));

function startsWithTerminatorTail(b: Buffer): boolean {
  return TAILS.some((t) => b.length >= t.length && b.subarray(0, t.length).equals(t));
}

/** The latest frame in `frames` before `frame`, or -1. */
function lastBefore(frames: Set<number>, frame: number): number {
  let best = -1;
  for (const f of frames) if (f < frame && f > best) best = f;
  return best;
}

export async function verifyAgainstTshark(file: string, ports: readonly number[]): Promise<VerifyResult> {
  const { runPipeline } = await import('../src/pipeline.js');
  /** stream:frame of client segments that start with the tail of a split `<CRLF>.<CRLF>`. */
  const tails = new Set<string>();
  const result = await runPipeline([file], {
    ports,
    onStreamEvent: (ev) => {
      if (ev.type === 'data' && ev.dir === 'c2s' && startsWithTerminatorTail(ev.bytes)) tails.add(`${ev.flow.tcpStream}:${ev.frame}`);
    },
  });
  const cmds = new Map<number, Item[]>();
  const replies = new Map<number, Item[]>();
  /** Per stream: frames that end a message, and frames of DATA commands not answered 354. */
  const endFrames = new Map<number, Set<number>>();
  const refusedData = new Map<number, number>();
  for (const s of result.sessions) {
    const ends = new Set<number>();
    endFrames.set(s.tcpStream, ends);
    for (const c of s.commands) {
      if (c.verb === '<end-of-data>') ends.add(c.frame);
      if (!c.pseudo) push(cmds, s.tcpStream, { frame: c.frame, what: c.verb.slice(0, 4) });
      if (c.reply) push(replies, s.tcpStream, { frame: c.reply.frame, what: String(c.reply.code) });
      if (c.verb === 'DATA' && c.reply && c.reply.code !== 354 && !refusedData.has(s.tcpStream)) refusedData.set(s.tcpStream, c.frame);
    }
  }
  const t = await tsharkDialogues(file);
  const streams = new Set([...cmds.keys(), ...replies.keys(), ...t.cmds.keys(), ...t.replies.keys()]);
  const out: VerifyResult = { streams: streams.size, identical: 0, commands: 0, replies: 0, classes: {}, unexplained: [] };
  const add = (c: string) => (out.classes[c] = (out.classes[c] ?? 0) + 1);
  for (const st of [...streams].sort((a, b) => a - b)) {
    const ours = cmds.get(st) ?? [];
    const theirs = t.cmds.get(st) ?? [];
    out.commands += ours.length;
    out.replies += (replies.get(st) ?? []).length;
    const sameReplies = text(replies.get(st)) === text(t.replies.get(st));
    if (sameReplies && text(ours) === text(theirs)) {
      out.identical++;
      if (ours.some((i) => i.what === 'STAR')) add('of these, with STARTTLS compared as tshark\'s STAR');
      continue;
    }
    // Which of our commands tshark lacks, if its list is ours minus some.
    const missing: Item[] = [];
    let j = 0;
    for (const i of ours) {
      if (j < theirs.length && key(theirs[j]!) === key(i)) j++;
      else missing.push(i);
    }
    const subsequence = sameReplies && j === theirs.length && missing.length > 0;
    const refused = refusedData.get(st);
    const ends = endFrames.get(st) ?? new Set<number>();
    if (subsequence && refused !== undefined && missing.every((i) => i.frame > refused)) add('tshark stays in DATA after a refused DATA');
    else if (subsequence && missing.every((i) => ends.has(i.frame))) add('tshark drops a command sent in the segment that ends a message');
    else if (subsequence && missing.every((i) => tails.has(`${st}:${lastBefore(ends, i.frame)}`))) add('tshark misses the end of a message split across segments');
    else {
      add('unexplained');
      if (out.unexplained.length < 5) out.unexplained.push({ stream: st, ours: text(ours).slice(0, 400), tshark: text(theirs).slice(0, 400) });
    }
  }
  return out;
}
