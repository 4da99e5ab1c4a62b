import Table from 'cli-table3';
import type { ReportModel } from './model.js';

function endpoint(e: { ip: string; port: number }): string {
  return e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

const plain = { head: [] as string[], border: [] as string[] };

/** Terminal report: what was read, findings (worst first), then one row per SMTP session. */
export function renderTable(model: ReportModel): string {
  const out: string[] = [];
  for (const i of model.inputs) {
    out.push(
      `${i.file}: ${i.variant}, ${i.packets} packets` + (i.truncatedPackets ? `, ${i.truncatedPackets} cut by the snap length` : ''),
    );
    if (i.damage) out.push(`  damaged at byte ${i.damage.offset} (${i.damage.block}): ${i.damage.reason}; analyzed up to there`);
  }
  const s = model.summary;
  out.push(
    `${s.sessions} SMTP session(s), ${s.messages} message(s); findings: ${s.bySeverity.error} error, ${s.bySeverity.warning} warning, ${s.bySeverity.notice} notice`,
    '',
  );
  const order = { error: 0, warning: 1, notice: 2 } as const;
  const findings = [...model.findings].sort((a, b) => order[a.severity] - order[b.severity] || a.frames[0] - b.frames[0]);
  if (findings.length) {
    const t = new Table({ head: ['severity', 'rule', 'session', 'frames', 'summary'], style: plain, wordWrap: true, colWidths: [9, 22, 9, 13, 60] });
    for (const f of findings) {
      t.push([f.severity, f.rule, f.session === null ? (f.client ?? '') : String(f.session), `${f.frames[0]}-${f.frames[1]}`, f.summary]);
    }
    out.push(t.toString(), '');
  }
  if (model.sessions.length) {
    const t = new Table({ head: ['id', 'stream', 'client', 'server', 'helo', 'tls', 'msgs', 'end'], style: plain });
    for (const x of model.sessions) {
      t.push([
        String(x.id),
        String(x.tcpStream),
        endpoint(x.client),
        endpoint(x.server),
        (x.helo ?? '').slice(0, 24),
        x.tls ? (x.tls.version ?? x.tls.verb) : '',
        String(x.transactions.length),
        (x.closedBy ?? '') + (x.midstream ? ' (mid-stream)' : ''),
      ]);
    }
    out.push(t.toString());
  } else {
    out.push('No SMTP sessions found.');
  }
  return out.join('\n') + '\n';
}
