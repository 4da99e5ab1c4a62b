import { it } from 'vitest';
import { analyzeFile } from './pipeline.test.js';
it('dbg', async () => {
  const { events } = await analyzeFile('fixtures/captures/smtp/capture-gap.pcap');
  for (const e of events) console.log(e.frame, e.type, e.type === 'anomaly' ? e.detail + ' ' + e.length : e.type === 'gap' ? JSON.stringify(e) : e.type === 'command' ? e.cmd.verb : e.type === 'reply' ? e.reply.code + ' ' + e.to?.verb : '');
});
