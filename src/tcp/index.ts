/** tcp/: Segments → per-flow StreamEvents. Composition only. */
export { createFlowTable, CLOSED_LINGER_SEC } from './flow-table.js';
export type { FlowTable, FlowTableOptions, FlowTableStats, TcpLimits } from './flow-table.js';
export { HalfStream, newHalfStats } from './half-stream.js';
export { seqAdd, seqDiff, seqLe, seqLt } from './seq.js';
export { flowKey, formatIp } from './flow-key.js';
export * from './events.js';
