/**
 * Runs every enabled rule's listeners in one pass over session events (ESLint's
 * linter shape). Session-scope rules get a fresh instance per session and their
 * findings are settled when the session ends (so `live` can print them then);
 * cross-session rules get one instance per run and settle at capture end.
 * The engine owns what is common: filtering (--rules, --skip-rules, --min-severity),
 * thresholds, `supersedes`, summaries from templates, frames and Wireshark filters.
 */
import type { SessionEvent, SmtpSession } from '../smtp/index.js';
import type { FlowSummary } from '../pipeline.js';
import { SEVERITY_RANK, type CaptureFacts, type Finding, type Rule, type RuleListeners, type RuleOptions, type RuleReport, type Severity } from './types.js';
import { wiresharkFilter } from './wireshark-filter.js';

export interface EngineOptions {
  /** Only these rule ids (--rules). */
  rules?: readonly string[];
  /** Not these (--skip-rules). */
  skipRules?: readonly string[];
  minSeverity?: Severity;
  /** --threshold name=n, where name is a threshold key or the id of a rule with one threshold. */
  thresholds?: Readonly<Record<string, number>>;
  localDomains?: readonly string[];
}

interface Instance {
  rule: Rule;
  listeners: RuleListeners;
}

interface Pending {
  rule: Rule;
  report: RuleReport;
  session: SmtpSession | null;
}

export class RuleConfigError extends Error {
  override readonly name = 'CliUsageError';
}

/** Checks rule ids and threshold names given on the command line; a bad one names the fix. */
export function resolveRules(registry: readonly Rule[], opts: EngineOptions): Rule[] {
  const ids = new Set(registry.map((r) => r.meta.id));
  for (const id of [...(opts.rules ?? []), ...(opts.skipRules ?? [])]) {
    if (!ids.has(id)) throw new RuleConfigError(`unknown rule "${id}"; smtpscope rules lists the ids`);
  }
  const only = opts.rules && opts.rules.length > 0 ? new Set(opts.rules) : null;
  const skip = new Set(opts.skipRules ?? []);
  const min = SEVERITY_RANK[opts.minSeverity ?? 'notice'];
  return registry.filter((r) => (only === null || only.has(r.meta.id)) && !skip.has(r.meta.id) && SEVERITY_RANK[r.meta.severity] >= min);
}

/** A rule's thresholds with --threshold overrides applied. */
export function thresholdsFor(rule: Rule, overrides: Readonly<Record<string, number>>): Record<string, number> {
  const t: Record<string, number> = { ...rule.meta.thresholds };
  const keys = Object.keys(t);
  for (const [name, value] of Object.entries(overrides)) {
    if (name in t) t[name] = value;
    else if (name === rule.meta.id && keys.length === 1) t[keys[0]!] = value;
  }
  return t;
}

/** Every threshold name a --threshold may set: threshold keys, and ids of rules with exactly one. */
export function thresholdNames(registry: readonly Rule[]): Set<string> {
  const names = new Set<string>();
  for (const r of registry) {
    const keys = Object.keys(r.meta.thresholds);
    keys.forEach((k) => names.add(k));
    if (keys.length === 1) names.add(r.meta.id);
  }
  return names;
}

function fill(template: string, data: RuleReport['data']): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, k: string) => {
    const v = data[k];
    return v === null || v === undefined ? '' : String(v);
  }).replace(/ {2,}/g, ' ').trim();
}

export interface RuleEngine {
  event(session: SmtpSession, ev: SessionEvent): void;
  /** The session's flow facts are known (pipeline calls this before the session ends). */
  sessionEnd(session: SmtpSession): void;
  captureEnd(facts: CaptureFacts): void;
  /** Every finding so far, in report order. */
  findings(): Finding[];
}

export function createRuleEngine(
  registry: readonly Rule[],
  opts: EngineOptions & { flowOf?: (s: SmtpSession) => FlowSummary | undefined; onFinding?: (f: Finding) => void } = {},
): RuleEngine {
  const rules = resolveRules(registry, opts);
  const overrides = opts.thresholds ?? {};
  const options: RuleOptions = { localDomains: (opts.localDomains ?? []).map((d) => d.toLowerCase()) };
  const flowOf = opts.flowOf ?? (() => undefined);
  const out: Finding[] = [];
  const counters = new Map<string, number>();

  const perSession = new Map<number, { instances: Instance[]; pending: Pending[] }>();
  const globalPending: Pending[] = [];

  function instantiate(rule: Rule, sink: Pending[], session: SmtpSession | null): Instance {
    const thresholds = thresholdsFor(rule, overrides);
    const listeners = rule.create({
      meta: rule.meta,
      thresholds,
      options,
      flowOf,
      report: (r) => sink.push({ rule, report: r, session: r.session === undefined ? session : r.session }),
    });
    return { rule, listeners };
  }

  const global: Instance[] = rules.filter((r) => r.meta.scope !== 'session').map((r) => instantiate(r, globalPending, null));
  const sessionRules = rules.filter((r) => r.meta.scope === 'session');

  function stateOf(session: SmtpSession) {
    let s = perSession.get(session.id);
    if (!s) {
      const pending: Pending[] = [];
      s = { instances: [], pending };
      perSession.set(session.id, s);
      for (const r of sessionRules) s.instances.push(instantiate(r, pending, session));
    }
    return s;
  }

  function dispatch(instances: readonly Instance[], session: SmtpSession, ev: SessionEvent): void {
    for (const inst of instances) {
      const fn = (inst.listeners as Record<string, ((e: SessionEvent, s: SmtpSession) => void) | undefined>)[ev.type];
      if (fn) fn(ev, session);
    }
  }

  /** One problem, one finding: drop findings of superseded rules that share evidence frames. */
  function settle(pending: Pending[]): void {
    const dropped = new Set<Pending>();
    for (const p of pending) {
      const sup = p.rule.meta.supersedes;
      if (!sup || sup.length === 0) continue;
      const frames = new Set(p.report.evidence.map((e) => e.frame));
      for (const q of pending) {
        if (q !== p && sup.includes(q.rule.meta.id) && q.report.evidence.some((e) => frames.has(e.frame))) dropped.add(q);
      }
    }
    for (const p of pending) if (!dropped.has(p)) emit(p);
    pending.length = 0;
  }

  function emit(p: Pending): void {
    const { rule, report } = p;
    const frames = report.evidence.map((e) => e.frame).filter((f) => f > 0);
    const first = frames.length ? Math.min(...frames) : 0;
    const last = frames.length ? Math.max(...frames) : 0;
    const session = p.session;
    const n = (counters.get(rule.meta.id) ?? 0) + 1;
    counters.set(rule.meta.id, n);
    const streams = session ? [session.tcpStream] : [];
    const finding: Finding = {
      id: `${rule.meta.id}#${n}`,
      rule: rule.meta.id,
      severity: rule.meta.severity,
      session: session ? session.id : null,
      tcpStream: session ? session.tcpStream : null,
      client: report.client ?? (session ? session.client.ip : null),
      summary: fill(rule.meta.summary, report.data),
      frames: [first, last],
      wireshark: frames.length ? wiresharkFilter(streams, frames) : '',
      evidence: report.evidence.slice().sort((a, b) => a.frame - b.frame),
      advice: rule.meta.advice,
      data: report.data,
    };
    out.push(finding);
    opts.onFinding?.(finding);
  }

  return {
    event(session, ev) {
      Object.freeze(ev);
      const s = stateOf(session);
      dispatch(s.instances, session, ev);
      dispatch(global, session, ev);
    },
    sessionEnd(session) {
      const s = perSession.get(session.id);
      if (!s) return;
      perSession.delete(session.id);
      settle(s.pending);
    },
    captureEnd(facts) {
      for (const [, s] of perSession) settle(s.pending);
      perSession.clear();
      for (const inst of global) inst.listeners['capture-end']?.(facts);
      settle(globalPending);
    },
    findings() {
      return out.slice().sort((a, b) => a.frames[0] - b.frames[0] || a.rule.localeCompare(b.rule));
    },
  };
}
