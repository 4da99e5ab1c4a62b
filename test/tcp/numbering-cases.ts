/**
 * Port-reuse scenarios and the tcp.stream numbers tshark 4.0.17 gave for them
 * (`tshark -r f.pcap -T fields -e frame.number -e tcp.stream`, run on pcaps written from
 * these very steps; wireshark-numbering.test.ts re-runs tshark when it is installed).
 */
import type { Step } from './helpers.js';

const c = (seq: number, ack: number, f: string, data?: string): Step => (data === undefined ? { d: 'c', seq, ack, f } : { d: 'c', seq, ack, f, data });
const s = (seq: number, ack: number, f: string, data?: string): Step => (data === undefined ? { d: 's', seq, ack, f } : { d: 's', seq, ack, f, data });
const hs = (ci: number, si: number): Step[] => [c(ci, 0, 'S'), s(si, ci + 1, 'SA'), c(ci + 1, si + 1, 'A')];

export interface NumberingCase {
  name: string;
  steps: Step[];
  /** tcp.stream per frame, from tshark 4.0.17. */
  tshark: number[];
}

export const NUMBERING_CASES: NumberingCase[] = [
  { name: 'reuse after FIN with a new ISN: new stream', steps: [...hs(100, 500), c(101, 501, 'PA', 'HELO\r\n'), c(107, 501, 'FA'), s(501, 108, 'FA'), c(108, 502, 'A'), ...hs(9000, 7000)], tshark: [0, 0, 0, 0, 0, 0, 0, 1, 1, 1] },
  { name: 'SYN with the same ISN after FIN: same stream', steps: [...hs(100, 500), c(101, 501, 'FA'), s(501, 102, 'FA'), c(102, 502, 'A'), ...hs(100, 7000)], tshark: [0, 0, 0, 0, 0, 0, 0, 0, 0] },
  { name: 'reuse after RST with a new ISN: new stream', steps: [...hs(100, 500), c(101, 501, 'R'), ...hs(9000, 7000)], tshark: [0, 0, 0, 0, 1, 1, 1] },
  { name: 'SYN with the same ISN after RST: same stream', steps: [...hs(100, 500), c(101, 501, 'R'), ...hs(100, 7000)], tshark: [0, 0, 0, 0, 0, 0, 0] },
  { name: 'retransmitted SYN: same stream', steps: [c(100, 0, 'S'), c(100, 0, 'S'), s(500, 101, 'SA'), c(101, 501, 'A')], tshark: [0, 0, 0, 0] },
  { name: 'new SYN while the connection is open: new stream', steps: [...hs(100, 500), c(101, 501, 'PA', 'x'), ...hs(9000, 7000)], tshark: [0, 0, 0, 0, 1, 1, 1] },
  { name: 'mid-stream start, then a SYN with another ISN: new stream', steps: [c(5000, 600, 'PA', 'abc'), s(600, 5003, 'PA', 'def'), c(5003, 603, 'A'), ...hs(9000, 7000)], tshark: [0, 0, 0, 1, 1, 1] },
  { name: 'no SYN at all, keep-alives: one stream', steps: [c(5000, 600, 'PA', 'abc'), s(600, 5003, 'A'), c(5002, 600, 'A', '\0'), s(600, 5003, 'A'), c(5002, 600, 'A')], tshark: [0, 0, 0, 0, 0] },
  { name: 'SYN+ACK with a new ISN on an open connection: same stream', steps: [...hs(100, 500), c(101, 501, 'PA', 'x'), s(8000, 102, 'SA'), c(102, 501, 'A')], tshark: [0, 0, 0, 0, 0, 0] },
  { name: 'SYN from the server side with a new ISN: new stream', steps: [...hs(100, 500), s(8000, 0, 'S'), c(1, 8001, 'SA')], tshark: [0, 0, 0, 1, 1] },
  { name: 'half close then SYN with the same ISN: same stream', steps: [...hs(100, 500), c(101, 501, 'FA'), s(501, 102, 'A'), c(100, 0, 'S')], tshark: [0, 0, 0, 0, 0, 0] },
  { name: 'half close then SYN with a new ISN: new stream', steps: [...hs(100, 500), c(101, 501, 'FA'), s(501, 102, 'A'), c(9000, 0, 'S')], tshark: [0, 0, 0, 0, 0, 1] },
  { name: 'retransmitted FINs after close: same stream', steps: [...hs(100, 500), c(101, 501, 'FA'), s(501, 102, 'FA'), c(102, 502, 'A'), c(101, 501, 'FA'), s(501, 102, 'FA')], tshark: [0, 0, 0, 0, 0, 0, 0, 0] },
  { name: 'SYN+ACK first, then a SYN with another ISN: new stream', steps: [s(500, 101, 'SA'), c(101, 501, 'A'), c(9000, 0, 'S')], tshark: [0, 0, 1] },
  { name: 'old retransmission after reuse goes to the new stream', steps: [...hs(100, 500), c(101, 501, 'R'), ...hs(9000, 7000), c(101, 501, 'PA', 'old')], tshark: [0, 0, 0, 0, 1, 1, 1, 1] },
  { name: 'SYN+ACK retransmitted after FIN: same stream', steps: [...hs(100, 500), c(101, 501, 'FA'), s(501, 102, 'FA'), c(102, 502, 'A'), s(500, 101, 'SA')], tshark: [0, 0, 0, 0, 0, 0, 0] },
  { name: 'RST then SYN+ACK with a new ISN: same stream', steps: [...hs(100, 500), c(101, 501, 'R'), s(7000, 9001, 'SA')], tshark: [0, 0, 0, 0, 0] },
  { name: 'server data only, then a client SYN: the ACK set the client base', steps: [s(600, 5003, 'PA', 'def'), c(9000, 0, 'S')], tshark: [0, 1] },
  { name: 'SYN rejected by RST twice, then a new ISN', steps: [c(100, 0, 'S'), s(0, 101, 'RA'), c(100, 0, 'S'), s(0, 101, 'RA'), c(200, 0, 'S')], tshark: [0, 0, 0, 0, 1] },
  { name: 'server RST, SYN same ISN, SYN+ACK new ISN', steps: [...hs(100, 500), s(501, 101, 'R'), c(100, 0, 'S'), s(900, 101, 'SA')], tshark: [0, 0, 0, 0, 0, 0] },
  { name: 'reverse base is ack - 1: SYN at ack - 1 is the same stream', steps: [s(600, 5003, 'PA', 'def'), c(5002, 0, 'S')], tshark: [0, 0] },
  { name: 'reverse base is ack - 1: SYN at ack is a new stream', steps: [s(600, 5003, 'PA', 'def'), c(5003, 0, 'S')], tshark: [0, 1] },
  { name: 'no ACK flag: the ack field sets nothing', steps: [s(600, 5003, 'P', 'def'), c(9000, 0, 'S')], tshark: [0, 0] },
  { name: 'forward base is seq - 1 without SYN: SYN at seq - 1 is the same stream', steps: [c(5000, 600, 'PA', 'abc'), c(4999, 0, 'S')], tshark: [0, 0] },
  { name: 'forward base is seq - 1 without SYN: SYN at seq is a new stream', steps: [c(5000, 600, 'PA', 'abc'), c(5000, 0, 'S')], tshark: [0, 1] },
  { name: 'SYN+ACK first sets the client base to ack - 1 (same ISN SYN)', steps: [s(500, 101, 'SA'), c(100, 0, 'S')], tshark: [0, 0] },
  { name: 'SYN+ACK first sets the client base to ack - 1 (SYN at ack)', steps: [s(500, 101, 'SA'), c(101, 0, 'S')], tshark: [0, 1] },
  { name: 'RST+ACK first sets the client base', steps: [s(0, 5003, 'RA'), c(5002, 0, 'S'), c(7000, 0, 'S')], tshark: [0, 0, 1] },
  { name: 'pure RST without ACK', steps: [s(77, 0, 'R'), c(9000, 0, 'S'), s(78, 0, 'R')], tshark: [0, 0, 0] },
  {
    name: 'interleaved 4-tuples are numbered by first packet',
    steps: [
      { d: 'c', seq: 1, f: 'S', cport: 40001 },
      { d: 'c', seq: 1, f: 'S', cport: 40002 },
      { d: 's', seq: 9, ack: 2, f: 'SA', cport: 40001 },
      { d: 'c', seq: 1, f: 'S', cport: 40003, chost: 3 },
      { d: 's', seq: 9, ack: 2, f: 'SA', cport: 40002 },
      { d: 'c', seq: 50, f: 'S', cport: 40001 },
    ],
    tshark: [0, 1, 0, 2, 1, 3],
  },
];
