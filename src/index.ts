/**
 * Library entry point: the same pipeline the CLI uses (the CLI calls nothing else, habit 15).
 *   analyze(inputs, options) → ReportModel
 *   inspect(inputs, options) → ReportModel plus the message-body facts a transcript shows
 *   checkRuleOptions(options) → throws a one-line RuleConfigError for unknown ids/thresholds
 *   analyzeSource(source, options) → the same, fed by any PacketSource (live capture),
 *     streaming findings (onFinding) and session events (onSessionEvent) as they happen
 */
import { fileSource, runPipelineOn, type PacketSource, type PipelineOptions } from './pipeline.js';
import { buildReport, type ReportModel } from './report/model.js';
import { redactReport } from './report/redact.js';
import { DEFAULT_PORTS } from './ports.js';
import { RULES, resolveRules, thresholdNames, type EngineOptions } from './rules/index.js';
import { RuleConfigError } from './rules/engine.js';
import { toIso } from './util/time.js';

export interface AnalyzeOptions extends EngineOptions {
  ports?: readonly number[];
  /** Standard input override for '-' (tests). */
  stdin?: AsyncIterable<Buffer | string>;
  /** Mask local parts, subjects and message ids in the report (report/redact.ts). */
  redact?: boolean;
  /** Bytes of input read so far, called as reading progresses (progress bars). */
  onProgress?: (bytesRead: number) => void;
}

/** A message body as the DATA phase saw it (the report keeps bytes, not lines). */
export interface BodyFact {
  session: number;
  /** Frame of the end of data (the '<end-of-data>' pseudo-command's frame when complete). */
  frame: number;
  time: string;
  bytes: number;
  lines: number;
  /** The terminating <CRLF>.<CRLF> was seen (RFC 5321 §4.1.1.4). */
  complete: boolean;
}

export interface Inspection {
  model: ReportModel;
  bodies: BodyFact[];
}

export async function analyze(inputs: readonly string[], options: AnalyzeOptions = {}): Promise<ReportModel> {
  return (await inspect(inputs, options, false)).model;
}

export async function inspect(inputs: readonly string[], options: AnalyzeOptions = {}, withBodies = true): Promise<Inspection> {
  const { stdin, onProgress, ...rest } = options;
  const source = fileSource(inputs, { ...(stdin ? { stdin } : {}), ...(onProgress ? { onProgress } : {}) });
  return inspectSource(source, rest, withBodies);
}

/** What a streaming consumer (live) hears while the pipeline runs. */
export interface StreamHooks {
  /** Each finding as soon as the rule engine settles it (unredacted; see Redactor). */
  onFinding?: PipelineOptions['onFinding'];
  /** Every session event, in order (session-start / session-end counts). */
  onSessionEvent?: PipelineOptions['onSessionEvent'];
  /** Each packet before it is decoded (live --write); data BORROWED. */
  onPacket?: PipelineOptions['onPacket'];
}

/** analyze()/inspect() fed by any packet source: the streaming form `live` uses. */
export async function inspectSource(source: PacketSource, options: AnalyzeOptions & StreamHooks = {}, withBodies = true): Promise<Inspection> {
  const { ports, stdin: _stdin, redact, onProgress: _progress, onFinding, onSessionEvent, onPacket, ...rules } = options;
  const bodies: BodyFact[] = [];
  const result = await runPipelineOn(source, {
    ports: ports ?? DEFAULT_PORTS,
    rules,
    ...(onFinding ? { onFinding } : {}),
    ...(onPacket ? { onPacket } : {}),
    ...(withBodies || onSessionEvent
      ? {
          onSessionEvent: (s, ev) => {
            onSessionEvent?.(s, ev);
            if (withBodies && ev.type === 'data-end') {
              bodies.push({ session: s.id, frame: ev.frame, time: toIso(ev.time, 'ns'), bytes: ev.bytes, lines: ev.lines, complete: ev.complete });
            }
          },
        }
      : {}),
  });
  const model = buildReport(result);
  // Before any formatter sees it (../shared/DESIGN.md, report/).
  return { model: redact === true ? redactReport(model) : model, bodies };
}

/**
 * Checks --rules/--skip-rules/--threshold before any input is read, so a typo fails
 * fast (also on standard input). Throws RuleConfigError, whose message names the fix.
 */
export function checkRuleOptions(options: EngineOptions): void {
  resolveRules(RULES, options);
  const names = thresholdNames(RULES);
  for (const [name, value] of Object.entries(options.thresholds ?? {})) {
    if (!names.has(name)) {
      throw new RuleConfigError(`--threshold: unknown name "${name}"; valid names: ${[...names].sort().join(', ')}`);
    }
    if (!Number.isFinite(value) || value < 0) {
      throw new RuleConfigError(`--threshold ${name}: the value must be a number >= 0, e.g. --threshold ${name}=10`);
    }
  }
}

export type { ReportModel, SessionReport, FindingReport, InputReport, CommandReport } from './report/model.js';
export { runPipeline, runPipelineOn, fileSource, type PacketSource } from './pipeline.js';
export { buildReport, findingReport } from './report/model.js';
// Live capture: capture/live.ts loads `cap` (libpcap) only when a function is called.
export { openLive, listDevices, smtpFilter, loadCap, type LiveCapture, type LiveStats, type DeviceInfo } from './capture/live.js';
export { createLiveWriter, parseSize, rotatedName, type LiveWriter } from './capture/live-write.js';
export { redactReport, Redactor, type RedactOptions } from './report/redact.js';
export { RULES, RULES_BY_ID, thresholdNames, SEVERITIES, SEVERITY_RANK } from './rules/index.js';
export type { Rule, RuleMeta, Severity, EngineOptions } from './rules/index.js';
export { RuleConfigError } from './rules/engine.js';
