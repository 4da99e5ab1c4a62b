/**
 * A tiny WebAssembly assembler: enough of the binary format (WebAssembly Core
 * Specification 2.0, §5 "Binary Format") to build one module with a memory and a
 * few functions whose bodies are written as flat WAT text (one instruction after
 * another, `block $l` … `end`, `;;` comments). It knows only the instructions in
 * OPS; anything else is a thrown Error naming it.
 *
 * Why not a .wasm file: tsc copies no binary into dist/, and a generated file
 * would need a build step and a tool (wabt's wat2wasm) on every machine. The text
 * here is the only source; toWat() prints the same module as WAT so that a test
 * can check the bytes against wat2wasm where it is installed.
 */

export type ValType = 'i32' | 'i64' | 'v128';

export interface WasmFunc {
  name: string;
  params: readonly (readonly [string, ValType])[];
  result: ValType | null;
  locals: readonly (readonly [string, ValType])[];
  /** Flat WAT instructions. */
  body: string;
  export?: string;
}

export interface WasmModule {
  /** One memory of this many 64 KiB pages (minimum = maximum: it never grows). */
  memoryPages: number;
  memoryExport: string;
  funcs: readonly WasmFunc[];
}

const VALTYPE: Record<ValType, number> = { i32: 0x7f, i64: 0x7e, v128: 0x7b };

/** Immediate kinds: none, local index, label depth, function index, memarg (natural alignment log2), i32/i64 literal, lane index. */
type Imm = 'none' | 'local' | 'label' | 'func' | 'block' | 'i32' | 'i64' | 'lane' | 'zero' | { mem: number };

/** Opcode bytes (0xfd = SIMD prefix, 0xfc = bulk-memory prefix; the u32 after a prefix is LEB128) and immediate kind. */
const OPS: Record<string, readonly [readonly number[], Imm]> = {
  block: [[0x02], 'block'],
  loop: [[0x03], 'block'],
  if: [[0x04], 'block'],
  else: [[0x05], 'none'],
  end: [[0x0b], 'none'],
  br: [[0x0c], 'label'],
  br_if: [[0x0d], 'label'],
  return: [[0x0f], 'none'],
  call: [[0x10], 'func'],
  drop: [[0x1a], 'none'],
  select: [[0x1b], 'none'],
  'local.get': [[0x20], 'local'],
  'local.set': [[0x21], 'local'],
  'local.tee': [[0x22], 'local'],
  'i32.load': [[0x28], { mem: 2 }],
  'i32.load8_u': [[0x2d], { mem: 0 }],
  'i32.store': [[0x36], { mem: 2 }],
  'i32.store8': [[0x3a], { mem: 0 }],
  'i32.const': [[0x41], 'i32'],
  'i64.const': [[0x42], 'i64'],
  'i32.eqz': [[0x45], 'none'],
  'i32.eq': [[0x46], 'none'],
  'i32.ne': [[0x47], 'none'],
  'i32.lt_s': [[0x48], 'none'],
  'i32.gt_s': [[0x4a], 'none'],
  'i32.le_s': [[0x4c], 'none'],
  'i32.ge_s': [[0x4e], 'none'],
  'i64.eqz': [[0x50], 'none'],
  'i32.clz': [[0x67], 'none'],
  'i32.ctz': [[0x68], 'none'],
  'i32.popcnt': [[0x69], 'none'],
  'i32.add': [[0x6a], 'none'],
  'i32.sub': [[0x6b], 'none'],
  'i32.and': [[0x71], 'none'],
  'i32.or': [[0x72], 'none'],
  'i32.shl': [[0x74], 'none'],
  'i32.shr_u': [[0x76], 'none'],
  'i64.clz': [[0x79], 'none'],
  'i64.ctz': [[0x7a], 'none'],
  'i64.popcnt': [[0x7b], 'none'],
  'i64.sub': [[0x7d], 'none'],
  'i64.and': [[0x83], 'none'],
  'i64.or': [[0x84], 'none'],
  'i64.shl': [[0x86], 'none'],
  'i32.wrap_i64': [[0xa7], 'none'],
  'i64.extend_i32_u': [[0xad], 'none'],
  'memory.fill': [[0xfc, 0x0b], 'zero'],
  'v128.load': [[0xfd, 0x00], { mem: 4 }],
  'i8x16.splat': [[0xfd, 0x0f], 'none'],
  'i32x4.extract_lane': [[0xfd, 0x1b], 'lane'],
  'i8x16.eq': [[0xfd, 0x23], 'none'],
  'v128.and': [[0xfd, 0x4e], 'none'],
  'v128.or': [[0xfd, 0x50], 'none'],
  'v128.xor': [[0xfd, 0x51], 'none'],
  'v128.any_true': [[0xfd, 0x53], 'none'],
  'i8x16.bitmask': [[0xfd, 0x64], 'none'],
  'i8x16.add': [[0xfd, 0x6e], 'none'],
  'i16x8.extadd_pairwise_i8x16_s': [[0xfd, 0x7c], 'none'],
  'i32x4.extadd_pairwise_i16x8_u': [[0xfd, 0x7f], 'none'],
  'i16x8.sub': [[0xfd, 0x91, 0x01], 'none'],
};

function uleb(n: number, out: number[]): void {
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
}

function sleb(v: bigint, out: number[]): void {
  for (;;) {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    if ((v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0)) {
      out.push(b);
      return;
    }
    out.push(b | 0x80);
  }
}

function bytesOf(s: string): number[] {
  return [...Buffer.from(s, 'utf8')];
}

function vec(items: number[][]): number[] {
  const out: number[] = [];
  uleb(items.length, out);
  for (const i of items) out.push(...i);
  return out;
}

function section(id: number, body: number[]): number[] {
  const out = [id];
  uleb(body.length, out);
  return out.concat(body);
}

function funcType(f: WasmFunc): number[] {
  return [0x60, ...vec(f.params.map(([, t]) => [VALTYPE[t]])), ...vec(f.result ? [[VALTYPE[f.result]]] : [])];
}

/** Tokens of a flat WAT body, comments removed. */
function tokens(body: string): string[] {
  return body
    .replace(/;;[^\n]*/g, '')
    .split(/\s+/)
    .filter((t) => t !== '');
}

function code(f: WasmFunc, funcIndex: ReadonlyMap<string, number>): number[] {
  const names = new Map<string, number>();
  for (const [n] of [...f.params, ...f.locals]) names.set(n, names.size);
  const out: number[] = [];
  // Locals: runs of one type, as wat2wasm groups them.
  const groups: number[][] = [];
  for (let i = 0; i < f.locals.length; ) {
    const t = f.locals[i]![1];
    let n = 0;
    while (i < f.locals.length && f.locals[i]![1] === t) {
      n++;
      i++;
    }
    const g: number[] = [];
    uleb(n, g);
    g.push(VALTYPE[t]);
    groups.push(g);
  }
  out.push(...vec(groups));
  const labels: (string | null)[] = [];
  const toks = tokens(f.body);
  const imm = (what: string): string => {
    const t = toks.shift();
    if (t === undefined) throw new Error(`${f.name}: ${what} expected at the end`);
    return t;
  };
  while (toks.length > 0) {
    const op = toks.shift()!;
    const def = OPS[op];
    if (!def) throw new Error(`${f.name}: unknown instruction ${op}`);
    const [opBytes, kind] = def;
    out.push(...opBytes);
    if (kind === 'block') {
      const label = toks[0]?.startsWith('$') ? toks.shift()! : null;
      labels.push(label);
      out.push(0x40); // empty block type
    } else if (kind === 'local') {
      const n = imm('local');
      const i = n.startsWith('$') ? names.get(n) : Number(n);
      if (i === undefined || Number.isNaN(i)) throw new Error(`${f.name}: unknown local ${n}`);
      uleb(i, out);
    } else if (kind === 'label') {
      const n = imm('label');
      const depth = n.startsWith('$') ? labels.length - 1 - labels.lastIndexOf(n) : Number(n);
      if (depth >= labels.length || Number.isNaN(depth)) throw new Error(`${f.name}: unknown label ${n}`);
      uleb(depth, out);
    } else if (kind === 'func') {
      const n = imm('function');
      const i = funcIndex.get(n);
      if (i === undefined) throw new Error(`${f.name}: unknown function ${n}`);
      uleb(i, out);
    } else if (kind === 'i32') {
      sleb(BigInt.asIntN(32, BigInt(imm('i32 literal'))), out);
    } else if (kind === 'i64') {
      sleb(BigInt.asIntN(64, BigInt(imm('i64 literal'))), out);
    } else if (kind === 'lane') {
      out.push(Number(imm('lane index')));
    } else if (kind === 'zero') {
      out.push(0x00); // memory index 0
    } else if (typeof kind === 'object') {
      let align = kind.mem;
      let offset = 0;
      while (toks[0]?.startsWith('offset=') || toks[0]?.startsWith('align=')) {
        const [k, v] = toks.shift()!.split('=') as [string, string];
        if (k === 'offset') offset = Number(v);
        else align = Math.log2(Number(v));
      }
      uleb(align, out);
      uleb(offset, out);
    }
    if (op === 'end') {
      // The function body's own `end` is added below; an unbalanced one is an error.
      if (labels.length === 0) throw new Error(`${f.name}: end without block`);
      labels.pop();
    }
  }
  if (labels.length !== 0) throw new Error(`${f.name}: ${labels.length} block(s) not ended`);
  out.push(0x0b);
  const sized: number[] = [];
  uleb(out.length, sized);
  return sized.concat(out);
}

/** The module's binary encoding (sections in the order wat2wasm writes them). */
export function assemble(m: WasmModule): Uint8Array {
  const types: string[] = [];
  const typeBytes: number[][] = [];
  const typeOf: number[] = [];
  for (const f of m.funcs) {
    const t = funcType(f);
    const key = t.join(',');
    let i = types.indexOf(key);
    if (i === -1) {
      i = types.push(key) - 1;
      typeBytes.push(t);
    }
    typeOf.push(i);
  }
  const funcIndex = new Map(m.funcs.map((f, i) => [f.name, i]));
  const exportEntry = (name: string, kind: number, index: number): number[] => {
    const e: number[] = [];
    uleb(Buffer.byteLength(name), e);
    e.push(...bytesOf(name), kind);
    uleb(index, e);
    return e;
  };
  const exports = [exportEntry(m.memoryExport, 0x02, 0)];
  m.funcs.forEach((f, i) => {
    if (f.export !== undefined) exports.push(exportEntry(f.export, 0x00, i));
  });
  const pages: number[] = [0x01];
  uleb(m.memoryPages, pages);
  uleb(m.memoryPages, pages);
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec(typeBytes)),
    ...section(
      3,
      vec(
        typeOf.map((t) => {
          const o: number[] = [];
          uleb(t, o);
          return o;
        }),
      ),
    ),
    ...section(5, vec([pages])),
    ...section(7, vec(exports)),
    ...section(10, vec(m.funcs.map((f) => code(f, funcIndex)))),
  ];
  return Uint8Array.from(bytes);
}

/** The same module as WAT text (for wat2wasm). */
export function toWat(m: WasmModule): string {
  const lines = [`(module`, `  (memory (export "${m.memoryExport}") ${m.memoryPages} ${m.memoryPages})`];
  for (const f of m.funcs) {
    const head = [`(func ${f.name}`];
    if (f.export !== undefined) head.push(`(export "${f.export}")`);
    for (const [n, t] of f.params) head.push(`(param ${n} ${t})`);
    if (f.result) head.push(`(result ${f.result})`);
    for (const [n, t] of f.locals) head.push(`(local ${n} ${t})`);
    lines.push('  ' + head.join(' '), f.body, '  )');
  }
  lines.push(')');
  return lines.join('\n');
}
