import { writeFile } from 'node:fs/promises';
import type { Argv } from 'yargs';
import { analyze } from '../../index.js';
import { renderJson } from '../../report/json.js';
import { renderTable } from '../../report/table.js';
import { ANALYZE_OPTIONS, parsePorts, type Format } from '../options.js';
import { EXIT } from '../exit-codes.js';
import { CliUsageError } from '../user-error.js';

export interface AnalyzeArgs {
  captures: string[];
  format?: string;
  output?: string;
  ports: string;
}

export function analyzeBuilder(y: Argv): Argv<AnalyzeArgs> {
  return y
    .positional('captures', {
      type: 'string',
      array: true,
      demandOption: true,
      describe: 'Capture files (pcap, pcapng, NetMon .cap); - reads standard input; several files are read as one capture',
    })
    .options(ANALYZE_OPTIONS)
    .example('$0 analyze mail.pcap', 'Report the SMTP flows of a capture as a table')
    .example('$0 analyze --format json -o report.json rotated-*.pcapng', 'Several rotated files as one capture, JSON report')
    .example('tcpdump -i eth0 -w - port 25 | $0 analyze -', 'Read a capture from standard input') as unknown as Argv<AnalyzeArgs>;
}

function chooseFormat(requested: string | undefined, toFile: boolean): Format {
  if (requested) return requested as Format;
  return !toFile && process.stdout.isTTY ? 'table' : 'json';
}

export async function runAnalyze(args: AnalyzeArgs): Promise<number> {
  let ports: number[];
  try {
    ports = parsePorts(args.ports);
  } catch (e) {
    throw new CliUsageError((e as Error).message);
  }
  const format = chooseFormat(args.format, args.output !== undefined);
  if (format !== 'table' && format !== 'json') {
    throw new CliUsageError(`--format ${format} is not available yet; use --format table or --format json`);
  }
  const model = await analyze(args.captures, { ports });
  const text = format === 'json' ? renderJson(model) : renderTable(model);
  if (args.output) await writeFile(args.output, text);
  else process.stdout.write(text);
  return EXIT.ok;
}
