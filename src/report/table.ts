import Table from 'cli-table3';
import type { ReportModel } from './model.js';

function endpoint(e: { ip: string; port: number }): string {
  return e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

/** Terminal table: inputs, then one row per SMTP-port flow. Fits 80 columns for IPv4. */
export function renderTable(model: ReportModel): string {
  const out: string[] = [];
  for (const i of model.inputs) {
    out.push(
      `${i.file}: ${i.variant}, ${i.packets} packets, ${i.bytes} bytes` +
        (i.truncatedPackets ? `, ${i.truncatedPackets} truncated by snap length` : ''),
    );
    if (i.damage) out.push(`  damaged at byte ${i.damage.offset} (${i.damage.block}): ${i.damage.reason}; analyzed up to there`);
  }
  const t = new Table({
    head: ['stream', 'client', 'server', 'frames', 'c→s bytes', 's→c bytes', 'gaps', 'end'],
    style: { head: [], border: [] },
  });
  for (const f of model.flows) {
    const gaps = f.c2s.gaps + f.s2c.gaps;
    t.push([
      String(f.tcpStream),
      endpoint(f.client),
      endpoint(f.server),
      `${f.firstFrame}-${f.lastFrame}`,
      String(f.c2s.bytes),
      String(f.s2c.bytes),
      gaps ? `${gaps} (${f.c2s.gapBytes + f.s2c.gapBytes} B)` : '0',
      f.closedBy + (f.sawSyn ? '' : ' (mid-stream)'),
    ]);
  }
  out.push(model.flows.length ? t.toString() : 'No TCP flows on the SMTP ports.');
  return out.join('\n') + '\n';
}
