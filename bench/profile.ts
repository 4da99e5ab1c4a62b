/**
 * Summary of a V8 .cpuprofile (node --cpu-prof): self time per project function,
 * with time spent in Node/V8 built-ins (subarray, indexOf, …) charged to the first
 * project function up the stack, so "who causes it" shows, not just "what runs".
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileLine {
  ms: number;
  share: number;
  what: string;
}

function label(cf: CallFrame): string {
  const file = cf.url.replace(/^.*dist-bench\//, '').replace(/^file:\/\//, '');
  return `${cf.functionName || '(anonymous)'} ${file}${file ? `:${cf.lineNumber + 1}` : ''}`;
}

const isProject = (cf: CallFrame): boolean => /dist-bench\/(src|bench)\//.test(cf.url);

export function summarizeProfile(path: string, top = 25): { totalMs: number; lines: ProfileLine[] } {
  const p = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    self.set(id, (self.get(id) ?? 0) + dt);
    total += dt;
  });
  const agg = new Map<string, number>();
  for (const [id, us] of self) {
    const leaf = byId.get(id)!;
    let cur: number | undefined = id;
    const via: string[] = [];
    while (cur !== undefined && !isProject(byId.get(cur)!.callFrame)) {
      via.push(byId.get(cur)!.callFrame.functionName || '(anonymous)');
      cur = parent.get(cur);
    }
    // Samples outside project code (GC, idle, module loading) keep their own name.
    const what = cur === undefined ? label(leaf.callFrame) : via.length === 0 ? label(byId.get(cur)!.callFrame) : `${label(byId.get(cur)!.callFrame)} → ${via.reverse()[0]}`;
    agg.set(what, (agg.get(what) ?? 0) + us);
  }
  const lines = [...agg]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([what, us]) => ({ ms: us / 1000, share: us / total, what }));
  return { totalMs: total / 1000, lines };
}
