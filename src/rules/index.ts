/**
 * The rule registry: every rule of ../shared/spec/rules.md, sorted by id. The family
 * slices only group the imports; everything else (the `rules` command, --rules
 * validation, the catalogue test) derives from RULES.
 */
import type { Rule } from './types.js';
import { COMMAND_ORDER_RULES } from './families/command-order.js';
import { GREETING_TLS_RULES } from './families/greeting-tls.js';
import { AUTH_ENVELOPE_RULES } from './families/auth-envelope.js';
import { POLICY_XEXCH50_RULES } from './families/policy-xexch50.js';
import { TRANSPORT_CONTENT_RULES } from './families/transport-content.js';

export const RULES: readonly Rule[] = [
  ...COMMAND_ORDER_RULES,
  ...GREETING_TLS_RULES,
  ...AUTH_ENVELOPE_RULES,
  ...POLICY_XEXCH50_RULES,
  ...TRANSPORT_CONTENT_RULES,
].sort((a, b) => a.meta.id.localeCompare(b.meta.id));

export const RULES_BY_ID: ReadonlyMap<string, Rule> = new Map(RULES.map((r) => [r.meta.id, r]));

export { createRuleEngine, resolveRules, thresholdNames } from './engine.js';
export type { EngineOptions, RuleEngine } from './engine.js';
export * from './types.js';
