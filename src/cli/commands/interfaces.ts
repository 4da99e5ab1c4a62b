/**
 * `smtpscope interfaces`: the capture devices libpcap sees (for `live -i`), with their
 * addresses and a hint where the mail traffic probably is (capture/live.ts listDevices).
 */
import type { Argv } from 'yargs';
import { listDevices, type DeviceInfo } from '../../index.js';
import { EXIT } from '../exit-codes.js';
import { CliUsageError } from '../user-error.js';

export interface InterfacesArgs {
  format?: string;
}

export interface InterfacesInvocation {
  command: 'interfaces';
  format: 'table' | 'json';
}

export function interfacesBuilder(y: Argv): Argv<InterfacesArgs> {
  return y
    .option('format', { type: 'string', describe: 'table (default) or json' })
    .example('$0 interfaces', 'Which device to give to smtpscope live -i') as unknown as Argv<InterfacesArgs>;
}

export function resolveInterfaces(args: InterfacesArgs): InterfacesInvocation {
  const f = (args.format ?? 'table').trim().toLowerCase();
  if (f !== 'table' && f !== 'json') throw new CliUsageError(`--format: "${args.format}" is not available for interfaces; write table or json`);
  return { command: 'interfaces', format: f };
}

export function renderDevices(devices: readonly DeviceInfo[]): string {
  if (devices.length === 0) return 'libpcap sees no capture devices (no rights to list them? run as root)\n';
  const w = Math.max(6, ...devices.map((d) => d.name.length)) + 2;
  const lines = devices.map((d) => {
    const addrs = d.addresses.length ? d.addresses.join(', ') : '(no address)';
    return `${d.name.padEnd(w)}${addrs}${d.hint ? `\n${' '.repeat(w)}-> ${d.hint}` : ''}`;
  });
  return `${lines.join('\n')}\n\nCapture with: smtpscope live -i <device>\n`;
}

export async function runInterfaces(inv: InterfacesInvocation): Promise<number> {
  const devices = await listDevices();
  process.stdout.write(inv.format === 'json' ? `${JSON.stringify(devices, null, 2)}\n` : renderDevices(devices));
  return EXIT.ok;
}
