import type { Rule, RuleMeta, RuleContext, RuleListeners } from './types.js';

/** Identity with types: keeps a rule module's thresholds typed (typescript-eslint's RuleCreator habit). */
export function defineRule<T extends Record<string, number>>(rule: {
  meta: RuleMeta<T>;
  create(ctx: RuleContext<T>): RuleListeners;
}): Rule<T> {
  return rule;
}
