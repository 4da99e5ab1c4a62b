import type { Argv } from 'yargs';
import { RULES, RULES_BY_ID } from '../../index.js';
import { EXIT } from '../exit-codes.js';
import type { Format } from '../options.js';
import { chooseFormat } from '../resolve-args.js';
import { writeReport } from '../output.js';
import { CliUsageError } from '../user-error.js';
import { renderRuleExplain, renderRuleList } from '../views/rules.js';

export interface RulesArgs {
  explain?: string;
  format?: string;
  output?: string;
}

export interface RulesInvocation {
  command: 'rules';
  explain: string | null;
  format: Format;
  output: string | null;
}

export const RULES_OPTIONS = {
  explain: { type: 'string', describe: 'Show one rule in full: what it means, what to do, references, thresholds' },
  format: { type: 'string', describe: 'table (default), json, jsonl or markdown' },
  output: { type: 'string', alias: 'o', describe: 'Write to this file instead of standard output' },
} as const;

const FORMATS: readonly Format[] = ['table', 'json', 'jsonl', 'markdown'];

export function rulesBuilder(y: Argv): Argv<RulesArgs> {
  return y
    .options(RULES_OPTIONS)
    .example('$0 rules', 'Every rule: id, severity, category, title')
    .example('$0 rules --explain relay-denied', 'What relay-denied means and what to check')
    .example('$0 rules --format json | jq -r \'.[] | select(.severity == "error") | .id\'', 'The ids of all error rules') as unknown as Argv<RulesArgs>;
}

export function resolveRulesCommand(args: RulesArgs): RulesInvocation {
  // The catalogue is documentation: a table unless asked otherwise, also when piped.
  const format = chooseFormat(args.format ?? 'table', args.output !== undefined, FORMATS, true);
  const explain = args.explain === undefined ? null : String(args.explain).trim();
  if (explain !== null && !RULES_BY_ID.has(explain)) {
    throw new CliUsageError(`rules --explain: unknown rule "${explain}"; smtpscope rules lists the ids`);
  }
  return { command: 'rules', explain, format, output: args.output ?? null };
}

export async function runRules(inv: RulesInvocation): Promise<number> {
  const text = inv.explain === null ? renderRuleList(RULES, inv.format) : renderRuleExplain(RULES_BY_ID.get(inv.explain)!.meta, inv.format);
  await writeReport(text, inv.output);
  return EXIT.ok;
}
