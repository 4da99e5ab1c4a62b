/**
 * One measured path, run in its own process so that peak RSS belongs to that path
 * alone. Usage: node worker.js <mode> <capture>. Prints one JSON line (WorkerResult).
 * Each mode imports only the stages it measures.
 */
import { open } from 'node:fs/promises';
import type { StreamEvent } from '../src/tcp/events.js';
import { DEFAULT_PORTS } from '../src/ports.js';

export const MODES = ['baseline', 'decode-tcp', 'smtp-engine', 'pipeline', 'json-report'] as const;
export type Mode = (typeof MODES)[number];

export interface WorkerResult {
  mode: Mode;
  /** Time of the work itself, from inside the process (no Node start-up). */
  seconds: number;
  /** CPU time (user + system) of the work: steadier than wall time on a busy machine. */
  cpuSeconds: number;
  packets: number;
  /** Peak resident set of this process, MB (process.resourceUsage().maxRSS is KiB). */
  maxRssMB: number;
  detail: Record<string, number | string | null>;
}

type Work = Pick<WorkerResult, 'packets' | 'detail'>;

const CHUNK = 4 * 1024 * 1024;
const PORTS = DEFAULT_PORTS;

/**
 * The reference: read the file in 4 MiB chunks and step over each record
 * (16-byte header + incl_len, draft-ietf-opsawg-pcap §5), counting packets.
 * Each read starts at a record boundary, so no header is ever split.
 */
async function baseline(file: string): Promise<Work> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    const { bytesRead: hn } = await fh.read(buf, 0, 24, 0);
    if (hn < 24) throw new Error('not a pcap file');
    const magic = buf.readUInt32LE(0);
    const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
    let pos = 24;
    let packets = 0;
    let captured = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK, pos);
      if (bytesRead < 16) break;
      let o = 0;
      while (o + 16 <= bytesRead) {
        const incl = le ? buf.readUInt32LE(o + 8) : buf.readUInt32BE(o + 8);
        packets++;
        captured += incl;
        o += 16 + incl;
      }
      pos += o;
    }
    return { packets, detail: { capturedBytes: captured, fileBytes: pos } };
  } finally {
    await fh.close();
  }
}

/**
 * capture → decode → tcp reassembly; the listener only counts. With `smtp`, the
 * SMTP analyzer (src/smtp) is fed the stream events directly, with a sink that counts.
 */
async function loadDecodeTcp(smtp: boolean): Promise<(file: string) => Promise<Work>> {
  const { readCaptures } = await import('../src/capture/index.js');
  const { createDecoder } = await import('../src/decode/index.js');
  const { createFlowTable } = await import('../src/tcp/index.js');
  const smtpModule = smtp ? await import('../src/smtp/index.js') : null;
  return (file) => decodeTcp(file, readCaptures, createDecoder, createFlowTable, smtpModule);
}

async function decodeTcp(
  file: string,
  readCaptures: typeof import('../src/capture/index.js').readCaptures,
  createDecoder: typeof import('../src/decode/index.js').createDecoder,
  createFlowTable: typeof import('../src/tcp/index.js').createFlowTable,
  smtpModule: typeof import('../src/smtp/index.js') | null,
): Promise<Work> {
  let onStream: ((ev: StreamEvent) => void) | null = null;
  let smtpEvents = 0;
  let sessionsEnded = 0;
  let analyzer: { readonly sessions: number } | null = null;
  if (smtpModule !== null) {
    const a = smtpModule.createSmtpAnalyzer({ ports: PORTS }, { event: () => void smtpEvents++, sessionEnd: () => void sessionsEnded++ });
    onStream = (ev) => a.stream(ev);
    analyzer = a;
  }
  const ports = new Set<number>(PORTS);
  let dataEvents = 0;
  let dataBytes = 0;
  let gaps = 0;
  let closes = 0;
  const table = createFlowTable(
    (ev: StreamEvent) => {
      if (ev.type === 'data') {
        dataEvents++;
        // tcp/'s deliveries carry offsets; reading `bytes` would build a view per event.
        dataBytes += ev.end !== undefined && ev.start !== undefined ? ev.end - ev.start : ev.bytes.length;
      } else if (ev.type === 'gap') gaps++;
      else if (ev.type === 'close') closes++;
      if (onStream !== null) onStream(ev);
    },
    { isServerPort: (p) => ports.has(p) },
  );
  const decoder = createDecoder({ segment: (s) => table.segment(s) });
  let packets = 0;
  let lastFrame = 0;
  let lastTime = { sec: 0, nsec: 0 };
  await readCaptures([file], (p) => {
    packets++;
    lastFrame = p.frame;
    lastTime = p.time;
    decoder.packet(p);
  });
  decoder.flush();
  table.end(lastFrame, lastTime);
  const d = decoder.stats();
  const t = table.stats();
  const detail: Work['detail'] = { tcpSegments: d.tcp, anomalies: d.anomalies, flows: t.streams, dataEvents, dataBytes, gaps, closes };
  if (analyzer !== null) Object.assign(detail, { sessions: analyzer.sessions, sessionsEnded, smtpEvents });
  return { packets, detail };
}

/** Sessions, if the pipeline produces them (the SMTP stage is wired), else null. */
function sessionCount(result: unknown): number | null {
  const s = (result as { sessions?: unknown }).sessions;
  return Array.isArray(s) ? s.length : typeof s === 'number' ? s : null;
}

async function loadPipeline(): Promise<(file: string) => Promise<Work>> {
  const { runPipeline } = await import('../src/pipeline.js');
  return (file) => pipeline(file, runPipeline);
}

async function pipeline(file: string, runPipeline: typeof import('../src/pipeline.js').runPipeline): Promise<Work> {
  const result = await runPipeline([file], { ports: PORTS });
  const packets = result.inputs.reduce((n, s) => n + s.packets, 0);
  return { packets, detail: { flows: result.flows.length, sessions: sessionCount(result) } };
}

/**
 * What `smtpscope analyze --format json -o <file>` does after reading its arguments: the
 * analysis, the report model, and the JSON written in pieces (cli/output.ts), here to
 * /dev/null. Its peak RSS is what a user sees.
 */
async function loadJsonReport(): Promise<(file: string) => Promise<Work>> {
  const { analyze } = await import('../src/index.js');
  const { jsonChunks } = await import('../src/report/json.js');
  const { writeReport } = await import('../src/cli/output.js');
  return async (file) => {
    const model = await analyze([file], { ports: [...PORTS] });
    await writeReport(jsonChunks(model), '/dev/null');
    const packets = model.inputs.reduce((n, i) => n + i.packets, 0);
    return { packets, detail: { flows: model.flows.length, sessions: model.sessions.length, findings: model.findings.length } };
  };
}

async function main(): Promise<void> {
  const [mode, file] = process.argv.slice(2) as [Mode, string];
  if (!MODES.includes(mode) || file === undefined) {
    process.stderr.write(`usage: worker.js <${MODES.join('|')}> <capture>\n`);
    process.exit(2);
  }
  // Modules load before the clock starts.
  const work =
    mode === 'baseline' ? baseline
    : mode === 'decode-tcp' ? await loadDecodeTcp(false)
    : mode === 'smtp-engine' ? await loadDecodeTcp(true)
    : mode === 'json-report' ? await loadJsonReport()
    : await loadPipeline();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await work(file);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  const out: WorkerResult = {
    mode, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, packets: r.packets,
    maxRssMB: process.resourceUsage().maxRSS / 1024, detail: r.detail,
  };
  process.stdout.write(JSON.stringify(out) + '\n');
}

await main();
