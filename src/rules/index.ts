/**
 * The rule registry: one entry per id of ../shared/spec/rules.md, sorted by id.
 * Everything else (the `rules` command, --rules validation, docs) derives from it.
 */
import type { Rule } from './types.js';
import badSequence from './catalog/bad-sequence.js';
import rcptWithoutMail from './catalog/rcpt-without-mail.js';
import relayDenied from './catalog/relay-denied.js';

export const RULES: readonly Rule[] = [badSequence, rcptWithoutMail, relayDenied]
  .map((r) => r as unknown as Rule)
  .sort((a, b) => a.meta.id.localeCompare(b.meta.id));

export const RULES_BY_ID: ReadonlyMap<string, Rule> = new Map(RULES.map((r) => [r.meta.id, r]));

export { createRuleEngine, resolveRules, thresholdNames } from './engine.js';
export type { EngineOptions, RuleEngine } from './engine.js';
export * from './types.js';
