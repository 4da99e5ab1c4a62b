/**
 * Library entry point: the same pipeline the CLI uses.
 *   analyze(inputs, options) → ReportModel
 */
import { runPipeline } from './pipeline.js';
import { buildReport, type ReportModel } from './report/model.js';
import { DEFAULT_PORTS } from './ports.js';
import type { EngineOptions } from './rules/index.js';

export interface AnalyzeOptions extends EngineOptions {
  ports?: readonly number[];
}

export async function analyze(inputs: readonly string[], options: AnalyzeOptions = {}): Promise<ReportModel> {
  const { ports, ...rules } = options;
  const result = await runPipeline(inputs, { ports: ports ?? DEFAULT_PORTS, rules });
  return buildReport(result);
}

export type { ReportModel } from './report/model.js';
export { runPipeline } from './pipeline.js';
export { RULES } from './rules/index.js';
