/** A capture file through capture/ → decode/ → tcp/ → smtp/, as the CLI will wire it. */
import { readCaptures } from '../../../src/capture/index.js';
import { createDecoder } from '../../../src/decode/index.js';
import { createFlowTable } from '../../../src/tcp/index.js';
import { createSmtpAnalyzer, DEFAULT_SMTP_PORTS, type SessionEvent, type SmtpSession } from '../../../src/smtp/index.js';

export async function analyzeFile(file: string): Promise<{ sessions: SmtpSession[]; events: SessionEvent[]; sessionOf: Map<SessionEvent, SmtpSession> }> {
  const sessions: SmtpSession[] = [];
  const events: SessionEvent[] = [];
  const sessionOf = new Map<SessionEvent, SmtpSession>();
  const smtp = createSmtpAnalyzer({}, {
    event: (s, e) => {
      events.push(e);
      sessionOf.set(e, s);
    },
    sessionEnd: (s) => sessions.push(s),
  });
  const ports = new Set<number>(DEFAULT_SMTP_PORTS);
  const flows = createFlowTable((ev) => smtp.stream(ev), { isServerPort: (p) => ports.has(p) });
  const decoder = createDecoder({ segment: (s) => void flows.segment(s) });
  let last = { frame: 0, time: { sec: 0, nsec: 0 } };
  await readCaptures([file], (p) => {
    last = { frame: p.frame, time: p.time };
    decoder.packet(p);
  });
  decoder.flush();
  flows.end(last.frame, last.time);
  sessions.sort((a, b) => a.tcpStream - b.tcpStream);
  return { sessions, events, sessionOf };
}

