/**
 * Library entry point: the same pipeline the CLI uses.
 *   analyze(inputs, options) → ReportModel
 */
import { runPipeline } from './pipeline.js';
import { buildReport, type ReportModel } from './report/model.js';
import { DEFAULT_PORTS } from './ports.js';

export interface AnalyzeOptions {
  ports?: readonly number[];
}

export async function analyze(inputs: readonly string[], options: AnalyzeOptions = {}): Promise<ReportModel> {
  const result = await runPipeline(inputs, { ports: options.ports ?? DEFAULT_PORTS });
  return buildReport(result);
}

export type { ReportModel } from './report/model.js';
export { runPipeline } from './pipeline.js';
