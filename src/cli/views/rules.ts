/**
 * `smtpscope rules` and `rules --explain <id>`: the catalogue, straight from each
 * rule's meta (RULES is the single source; nothing here is hand-synced).
 */
import Table from 'cli-table3';
import type { Rule, RuleMeta } from '../../index.js';
import { mdTable } from '../../report/markdown.js';
import type { Format } from '../options.js';

/** No rule between rows: a long list stays readable. */
const COMPACT = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };

const HEAD = ['id', 'severity', 'category', 'title'];

export function renderRuleList(rules: readonly Rule[], format: Format): string {
  const rows = rules.map((r) => [r.meta.id, r.meta.severity, r.meta.category, r.meta.title]);
  switch (format) {
    case 'json':
      return JSON.stringify(rules.map((r) => r.meta), null, 2) + '\n';
    case 'jsonl':
      return rules.map((r) => JSON.stringify({ type: 'rule', ...r.meta }) + '\n').join('');
    case 'markdown':
      return mdTable(HEAD, rows) + '\n';
    default: {
      const t = new Table({ head: HEAD, style: { head: [], border: [] }, chars: COMPACT });
      for (const r of rows) t.push(r);
      return `${t.toString()}\n${rules.length} rules. Details: smtpscope rules --explain <id>\n`;
    }
  }
}

/** The summary template with {{name}} shown as <name>, so it reads as a sentence with blanks. */
export function summaryPattern(meta: RuleMeta): string {
  return meta.summary.replace(/\{\{(\w+)\}\}/g, '<$1>');
}

export function renderRuleExplain(meta: RuleMeta, format: Format): string {
  if (format === 'json') return JSON.stringify(meta, null, 2) + '\n';
  if (format === 'jsonl') return JSON.stringify({ type: 'rule', ...meta }) + '\n';
  const thresholds = Object.entries(meta.thresholds);
  const t = thresholds.length === 1 ? thresholds[0]! : null;
  const md = format === 'markdown';
  const h = (s: string) => (md ? `**${s}:**` : `${s}:`);
  const out = [
    md ? `## ${meta.id}: ${meta.title}` : `${meta.id}: ${meta.title}`,
    '',
    `${h('Severity')} ${meta.severity}    ${h('Category')} ${meta.category}    ${h('Scope')} ${meta.scope}`,
    '',
    h('What it means'),
    summaryPattern(meta),
    '',
    h('What to do'),
    meta.advice,
    '',
    `${h('References')} ${meta.references.length ? meta.references.join('; ') : 'none'}`,
    `${h('Thresholds')} ${
      thresholds.length
        ? thresholds.map(([k, v]) => `${k} = ${v}`).join(', ') +
          ` (change with --threshold ${t ? meta.id : thresholds[0]![0]}=<n>)`
        : 'none'
    }`,
    `${h('Supersedes')} ${meta.supersedes?.length ? meta.supersedes.join(', ') : 'none'}`,
  ];
  return out.join('\n') + '\n';
}
