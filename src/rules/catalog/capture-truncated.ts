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
 * A live capture is incomplete the same way when the kernel dropped packets (its
 * buffer was full) or the interface lost some: CaptureSummary.drops counts them.
 */
export default defineRule({
  meta: {
    id: 'capture-truncated',
    severity: 'warning',
    category: 'transport',
    title: 'Capture truncated',
    summary: 'Capture {{file}} is incomplete: {{what}}',
    advice:
      'Packets cut by the snap length lose their SMTP payload: capture with the full length (tcpdump -s 0, dumpcap default, netsh trace without a small PacketTruncateBytes). A file that ends or breaks in the middle of a record was copied while still being written, or the capture was killed; stop the capture cleanly and copy the file again. Packets dropped by the kernel during a live capture mean the capture could not keep up: give it a larger buffer (--buffer-size, like tcpdump -B), narrow --bpf to the servers in question, or write the packets (--write) and analyze the file.',
    references: ['pcap file format (incl_len, orig_len)', 'pcapng §4.3 Enhanced Packet Block', 'pcap_stats(3PCAP): ps_drop, ps_ifdrop'],
    scope: 'capture',
    thresholds: {},
  },
  create(ctx) {
    return {
      'capture-end'(facts) {
        for (const input of facts.inputs) {
          const kernelDrops = input.drops?.kernel ?? 0;
          const ifDrops = input.drops?.interface ?? 0;
          if (input.truncatedPackets === 0 && input.damage === null && kernelDrops === 0 && ifDrops === 0) continue;
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
          if (kernelDrops > 0) {
            parts.push(`${kernelDrops} packets dropped by the kernel (capture buffer full)`);
            evidence.push({ frame: 0, time, dir: null, line: `${kernelDrops} packets matched the filter but were dropped by the kernel` });
          }
          if (ifDrops > 0) {
            parts.push(`${ifDrops} packets lost by the interface`);
            evidence.push({ frame: 0, time, dir: null, line: `${ifDrops} packets lost by the interface while capturing` });
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
              kernelDrops: input.drops ? input.drops.kernel : null,
              interfaceDrops: input.drops ? input.drops.interface : null,
            },
            evidence,
          });
        }
      },
    };
  },
});
