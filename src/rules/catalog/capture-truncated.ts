import { defineRule } from '../define-rule.js';
import type { Evidence } from '../types.js';

/**
 * Capture-wide (scope 'capture'): packets cut by the snap length (captured length <
 * original length; pcap "incl_len"/"orig_len", pcapng EPB "captured"/"original"), or a
 * file that ends in the middle of a packet record or block, or is damaged from some
 * offset on (the reader stops cleanly there and says where: CaptureDamage).
 * The CaptureSummary gives counts, not the number of the first cut packet, so the
 * finding carries no frame ([0,0], no display filter); the damage names the file
 * offset and record instead. A cut packet's payload shows up as a tcp-gap too.
 */
export default defineRule({
  meta: {
    id: 'capture-truncated',
    severity: 'warning',
    category: 'transport',
    title: 'Capture truncated',
    summary: 'Capture {{file}} is incomplete: {{what}}',
    advice:
      'Packets cut by the snap length lose their SMTP payload: capture with the full length (tcpdump -s 0, dumpcap default, netsh trace without a small PacketTruncateBytes). A file that ends or breaks in the middle of a record was copied while still being written, or the capture was killed; stop the capture cleanly and copy the file again.',
    references: ['pcap file format (incl_len, orig_len)', 'pcapng §4.3 Enhanced Packet Block'],
    scope: 'capture',
    thresholds: {},
  },
  create(ctx) {
    return {
      'capture-end'(facts) {
        for (const input of facts.inputs) {
          if (input.truncatedPackets === 0 && input.damage === null) continue;
          const parts: string[] = [];
          const evidence: Evidence[] = [];
          const time = input.last ?? { sec: 0, nsec: 0 };
          if (input.truncatedPackets > 0) {
            parts.push(`${input.truncatedPackets} of ${input.packets} packets cut by the snap length`);
            evidence.push({ frame: 0, time, dir: null, line: `${input.truncatedPackets} packets shorter than on the wire (snap length)` });
          }
          if (input.damage) {
            parts.push(`${input.damage.reason}; nothing after offset ${input.damage.offset} was read`);
            evidence.push({ frame: 0, time, dir: null, line: `${input.damage.block} at offset ${input.damage.offset}: ${input.damage.reason}` });
          }
          ctx.report({
            session: null,
            data: {
              file: input.file,
              what: parts.join('; '),
              truncatedPackets: input.truncatedPackets,
              packets: input.packets,
              damage: input.damage ? input.damage.reason : null,
              damageOffset: input.damage ? input.damage.offset : null,
              damageBlock: input.damage ? input.damage.block : null,
            },
            evidence,
          });
        }
      },
    };
  },
});
