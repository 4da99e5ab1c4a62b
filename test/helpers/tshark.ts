/**
 * tshark as an oracle (Debian's tshark 4.0). Every call is synchronous and bounded;
 * tests that need it skip with a reason when tshark is missing (CI installs it).
 */
import { execFileSync } from 'node:child_process';

export const HAVE_TSHARK = (() => {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/**
 * Runs tshark and returns its standard output. On a damaged capture tshark prints what it
 * read up to the damage and exits non-zero ("cut short in the middle of a packet"): that
 * output is still the oracle for the packets before the damage, so it is returned.
 */
export function tshark(args: string[], maxBuffer = 512 * 1024 * 1024): string {
  try {
    return execFileSync('tshark', args, { encoding: 'utf8', maxBuffer, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    if (typeof err.stdout === 'string' && /cut short|appears to be damaged|corrupt/i.test(err.stderr ?? '')) return err.stdout;
    throw e;
  }
}

/**
 * Per frame: tcp.stream, for every frame that has one. ICMP errors are left out: tshark
 * dissects the TCP header quoted inside an ICMP error and gives it a tcp.stream, but those
 * bytes are not part of the connection (no payload; we do not decode inside ICMP).
 */
export function tsharkStreams(file: string): Map<number, number> {
  const out = tshark(['-r', file, '-Y', 'tcp && !icmp && !icmpv6', '-T', 'fields', '-e', 'frame.number', '-e', 'tcp.stream']);
  const m = new Map<number, number>();
  for (const line of out.split('\n')) {
    const [f, s] = line.split('\t');
    if (f && s) m.set(Number(f), Number(s.split(',')[0]));
  }
  return m;
}

export interface FollowedStream {
  stream: number;
  node0: string; // "ip:port"
  node1: string;
  /** Bytes sent by node 0 and node 1, in stream order. */
  fromNode0: Buffer;
  fromNode1: Buffer;
}

/**
 * `tshark -q -z follow,tcp,raw,N` for many streams in one run (one tap per stream).
 * Lines without a leading tab are node 0's bytes in hex; with a tab, node 1's.
 */
export function tsharkFollow(file: string, streams: number[]): FollowedStream[] {
  const result: FollowedStream[] = [];
  // tshark accepts many -z taps in one pass; batch to keep argv reasonable.
  for (let i = 0; i < streams.length; i += 50) {
    const batch = streams.slice(i, i + 50);
    const args = ['-r', file, '-q'];
    for (const s of batch) args.push('-z', `follow,tcp,raw,${s}`);
    const out = tshark(args);
    for (const block of out.split('===================================================================\n')) {
      const m = /^Follow: tcp,raw\nFilter: tcp\.stream eq (\d+)\nNode 0: (.*)\nNode 1: (.*)\n([\s\S]*)$/.exec(block);
      if (!m) continue;
      const a: Buffer[] = [];
      const b: Buffer[] = [];
      for (const line of (m[4] ?? '').split('\n')) {
        if (line === '') continue;
        if (line.startsWith('\t')) b.push(Buffer.from(line.slice(1), 'hex'));
        else a.push(Buffer.from(line, 'hex'));
      }
      result.push({ stream: Number(m[1]), node0: m[2]!, node1: m[3]!, fromNode0: Buffer.concat(a), fromNode1: Buffer.concat(b) });
    }
  }
  return result;
}
