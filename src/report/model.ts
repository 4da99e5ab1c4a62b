/**
 * The report model: built once per run, then rendered by one formatter per format
 * (../shared/DESIGN.md, report/). What `--format json` prints is this object.
 */
import type { PipelineResult, FlowSummary } from '../pipeline.js';
import type { CaptureDamage } from '../capture/types.js';
import { toIso, type Precision } from '../util/time.js';
import { VERSION } from '../version.js';

export const SCHEMA_VERSION = 1;

export interface InputReport {
  file: string;
  format: string;
  variant: string;
  linkTypes: number[];
  packets: number;
  bytes: number;
  first: string | null;
  last: string | null;
  truncatedPackets: number;
  damage: CaptureDamage | null;
}

export interface HalfReport {
  segments: number;
  bytes: number;
  retransmissions: number;
  outOfOrder: number;
  gaps: number;
  gapBytes: number;
}

export interface FlowReport {
  tcpStream: number;
  client: { ip: string; port: number };
  server: { ip: string; port: number };
  start: string;
  end: string;
  firstFrame: number;
  lastFrame: number;
  frames: number;
  sawSyn: boolean;
  c2s: HalfReport;
  s2c: HalfReport;
  closedBy: string;
}

export interface ReportModel {
  schemaVersion: number;
  tool: { name: 'smtpscope'; version: string };
  inputs: InputReport[];
  summary: { flows: number; packets: number; gaps: number; damaged: number };
  flows: FlowReport[];
}

function half(h: FlowSummary['c2s']): HalfReport {
  return {
    segments: h.segments,
    bytes: h.bytes,
    retransmissions: h.retransmissions,
    outOfOrder: h.outOfOrder,
    gaps: h.gaps,
    gapBytes: h.gapBytes,
  };
}

export function flowReport(f: FlowSummary, precision: Precision): FlowReport {
  return {
    tcpStream: f.tcpStream,
    client: { ip: f.client.ip, port: f.client.port },
    server: { ip: f.server.ip, port: f.server.port },
    start: toIso(f.firstTime, precision),
    end: toIso(f.lastTime, precision),
    firstFrame: f.firstFrame,
    lastFrame: f.lastFrame,
    frames: f.frames,
    sawSyn: f.sawSyn,
    c2s: half(f.c2s),
    s2c: half(f.s2c),
    closedBy: f.closedBy,
  };
}

export function buildReport(result: PipelineResult): ReportModel {
  const { precision } = result;
  const inputs = result.inputs.map((s) => ({
    file: s.file,
    format: s.format,
    variant: s.variant,
    linkTypes: [...s.linkTypes],
    packets: s.packets,
    bytes: s.bytes,
    first: s.first ? toIso(s.first, s.precision) : null,
    last: s.last ? toIso(s.last, s.precision) : null,
    truncatedPackets: s.truncatedPackets,
    damage: s.damage,
  }));
  const flows = result.flows.map((f) => flowReport(f, precision));
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'smtpscope', version: VERSION },
    inputs,
    summary: {
      flows: flows.length,
      packets: inputs.reduce((n, i) => n + i.packets, 0),
      gaps: flows.reduce((n, f) => n + f.c2s.gaps + f.s2c.gaps, 0),
      damaged: inputs.filter((i) => i.damage !== null).length,
    },
    flows,
  };
}
