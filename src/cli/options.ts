import type { Options } from 'yargs';

import { DEFAULT_PORTS } from '../ports.js';

export const FORMATS = ['table', 'json', 'jsonl', 'markdown', 'html'] as const;
export type Format = (typeof FORMATS)[number];

/**
 * Options every analyzing command takes, as typed data: the descriptions ARE the help text
 * (vitest's cli-config habit). Commands pick from this table; nothing is declared twice.
 */
export const ANALYZE_OPTIONS = {
  format: {
    type: 'string',
    choices: FORMATS as unknown as string[],
    describe: 'Report format (default: table on a terminal, json otherwise)',
  },
  output: { type: 'string', alias: 'o', describe: 'Write the report to this file instead of standard output' },
  ports: {
    type: 'string',
    default: DEFAULT_PORTS.join(','),
    describe: 'SMTP ports to decode; other ports are still found when the server greets with 220',
  },
} as const satisfies Record<string, Options>;

/** Parses "25,587, 2525" into a sorted list of ports; a bad value names the fix. */
export function parsePorts(text: string): number[] {
  const ports = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      const n = Number(s);
      if (!Number.isInteger(n) || n < 1 || n > 65535) {
        throw new RangeError(`--ports: "${s}" is not a TCP port (1-65535); write e.g. --ports 25,587,2525`);
      }
      return n;
    });
  if (ports.length === 0) throw new RangeError('--ports: give at least one port, e.g. --ports 25');
  return [...new Set(ports)].sort((a, b) => a - b);
}
