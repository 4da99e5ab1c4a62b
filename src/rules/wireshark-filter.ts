/**
 * The display filter of a finding, built in one place from its evidence frames so that
 * `tshark -r <capture> -Y <filter>` selects exactly the evidence frames (tested).
 * Wireshark 4.x wants commas in sets (frame.number in {17,19}); bare spaces are refused.
 */
export function wiresharkFilter(tcpStreams: readonly number[], frames: readonly number[]): string {
  const fs = [...new Set(frames)].sort((a, b) => a - b);
  const frameExpr = fs.length === 1 ? `frame.number == ${fs[0]}` : `frame.number in {${fs.join(',')}}`;
  const streams = [...new Set(tcpStreams)].sort((a, b) => a - b);
  if (streams.length === 0) return frameExpr;
  const streamExpr = streams.length === 1 ? `tcp.stream eq ${streams[0]}` : `tcp.stream in {${streams.join(',')}}`;
  return `${streamExpr} && ${frameExpr}`;
}
