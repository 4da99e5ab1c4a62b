/**
 * Runs every enabled rule's listeners in one pass over session events (ESLint's
 * linter shape). Session-scope rules get a fresh instance per session and their
 * findings are settled when the session ends (so `live` can print them then);
 * cross-session rules get one instance per run and settle at capture end.
 *
 * A session's events are queued and its rules run over them in one batch at its
 * 'session-end' event (or when LIMITS.ruleEventBatch are queued): its rule instances are then
 * created, used and dropped within microseconds instead of living as long as the
 * session, in a pipeline that allocates per packet, where every such object (tens of
 * KB of closures and state per session, by V8's sampling heap profiler) outlived two
 * scavenges and was promoted to the old generation. Rules see the same events in the
 * same order; what they read besides the event is what smtp/ never changes after
 * emitting it (events.ts), the session's fixed facts, and, in 'session-end' listeners,
 * its final facts and flowOf. Cross-session rules still get each event as it comes.
 * test/rules/engine.test.ts runs every fixture and conformance capture with batches of
 * 1 (the streaming order), 2 and the default, and compares the findings.
 * The engine owns what is common: filtering (--rules, --skip-rules, --min-severity),
 * thresholds, `supersedes`, summaries from templates, frames and Wireshark filters.
 */
import { LIMITS } from '../limits.js';
import type { SessionEvent, SmtpSession } from '../smtp/index.js';
import type { FlowSummary } from '../pipeline.js';
import { SEVERITY_RANK, type CaptureFacts, type Finding, type Rule, type RuleContext, type RuleOptions, type RuleReport, type Severity } from './types.js';
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
  /**
   * Object.freeze every event before rules see it (ESLint's "Rule should not modify
   * AST"): a rule that writes to an event throws instead of misleading the rules after
   * it. Default true; test/rules/engine.test.ts proves it. (smtp/ never mutates an
   * event after emitting it: src/smtp/events.ts.)
   */
  freezeEvents?: boolean;
  /** Session events queued before the session's rules run over them; default LIMITS.ruleEventBatch (1: as they come). */
  eventBatch?: number;
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

type Listener = (ev: SessionEvent, session: SmtpSession) => void;

/**
 * Where each rule's listeners sit in a flat per-instance array, built once per rule set:
 * an event visits only the rules that listen to its type (ESLint's linter does the same
 * with its per-selector listener lists), and, for the two attribute selectors
 * (`command[verb=V]`, `reply[to.verb=V]`, types.ts), only those of its verb: most rules
 * care about a few verbs, and a listener call that returns at once still cost about
 * 0.3 µs (2.30 M calls per 1 GB bench run before the selectors, 1.60 M with them). A
 * session costs one array, not one object per rule. Keys come from one probe instance
 * per rule, created with the run's context: a rule returns the same listener keys for
 * every session (an object literal; open-relay returns {} for the whole run when no
 * --local-domain is given).
 */
interface DispatchPlan {
  rules: readonly Rule[];
  contexts: readonly RuleContext[];
  /** Per rule, the listener keys it fills, in slot order. */
  keys: readonly (readonly string[])[];
  /** Per event type, the slots to call, in rule order. */
  slots: ReadonlyMap<string, Int32Array>;
  /** `command[verb=V]` listeners: per verb, the slots to call after the plain ones. */
  commandVerb: ReadonlyMap<string, Int32Array>;
  /** `reply[to.verb=V]` listeners: per verb of the answered command. */
  replyToVerb: ReadonlyMap<string, Int32Array>;
  width: number;
}

/** The two attribute selectors a listener key may be (types.ts RuleListeners); anything else with '[' is an error. */
const SELECTOR = /^(command)\[verb=([^\]]+)\]$|^(reply)\[to\.verb=([^\]]+)\]$/;

function planOf(rules: readonly Rule[], contexts: readonly RuleContext[]): DispatchPlan {
  const keys: string[][] = [];
  const byType = new Map<string, number[]>();
  const byCommandVerb = new Map<string, number[]>();
  const byReplyVerb = new Map<string, number[]>();
  const add = (m: Map<string, number[]>, k: string, slot: number): void => {
    let list = m.get(k);
    if (!list) m.set(k, (list = []));
    list.push(slot);
  };
  let width = 0;
  rules.forEach((rule, i) => {
    const probe = rule.create(contexts[i]!);
    const k = Object.keys(probe).filter((t) => typeof (probe as Record<string, unknown>)[t] === 'function');
    keys.push(k);
    for (const t of k) {
      if (!t.includes('[')) {
        add(byType, t, width++);
        continue;
      }
      const m = SELECTOR.exec(t);
      if (m === null) throw new Error(`rule ${rule.meta.id}: listener "${t}" is not an event type, command[verb=V] or reply[to.verb=V]`);
      if (m[1] !== undefined) add(byCommandVerb, m[2]!, width++);
      else add(byReplyVerb, m[4]!, width++);
    }
  });
  const frozen = (m: Map<string, number[]>): Map<string, Int32Array> => new Map([...m].map(([k, list]) => [k, Int32Array.from(list)]));
  return { rules, contexts, keys, slots: frozen(byType), commandVerb: frozen(byCommandVerb), replyToVerb: frozen(byReplyVerb), width };
}

/** One instance of every rule of a plan: its listeners in slot order. */
function instantiate(plan: DispatchPlan): (Listener | undefined)[] {
  const fns = new Array<Listener | undefined>(plan.width);
  let at = 0;
  for (let i = 0; i < plan.rules.length; i++) {
    const listeners = plan.rules[i]!.create(plan.contexts[i]!) as Record<string, Listener | undefined>;
    for (const k of plan.keys[i]!) fns[at++] = listeners[k];
  }
  return fns;
}

const NO_SLOTS = new Int32Array(0);
const NO_FNS: (Listener | undefined)[] = [];

function dispatch(plan: DispatchPlan, fns: readonly (Listener | undefined)[], session: SmtpSession, ev: SessionEvent): void {
  call(plan.slots.get(ev.type), fns, session, ev);
  // Selector listeners, after the plain ones: only the verb's (most rules care about a few verbs).
  if (ev.type === 'command') {
    if (plan.commandVerb.size > 0) call(plan.commandVerb.get(ev.cmd.verb), fns, session, ev);
  } else if (ev.type === 'reply') {
    if (ev.to !== null && plan.replyToVerb.size > 0) call(plan.replyToVerb.get(ev.to.verb), fns, session, ev);
  }
}

function call(slots: Int32Array | undefined, fns: readonly (Listener | undefined)[], session: SmtpSession, ev: SessionEvent): void {
  if (slots === undefined) return;
  for (let i = 0; i < slots.length; i++) {
    const fn = fns[slots[i]!];
    if (fn !== undefined) fn(ev, session);
  }
}

interface SessionRules {
  session: SmtpSession;
  /** The session's rule instances (NO_FNS until its first batch runs). */
  fns: (Listener | undefined)[];
  pending: Pending[];
  /** Events not yet dispatched to the session's rules, at most `batch`. */
  queued: SessionEvent[];
}

export function createRuleEngine(
  registry: readonly Rule[],
  opts: EngineOptions & { flowOf?: (s: SmtpSession) => FlowSummary | undefined; onFinding?: (f: Finding) => void } = {},
): RuleEngine {
  const rules = resolveRules(registry, opts);
  const overrides = opts.thresholds ?? {};
  const options: RuleOptions = { localDomains: (opts.localDomains ?? []).map((d) => d.toLowerCase()) };
  const flowOf = opts.flowOf ?? (() => undefined);
  const freeze = opts.freezeEvents ?? true;
  const batch = Math.max(1, opts.eventBatch ?? LIMITS.ruleEventBatch);
  const out: Finding[] = [];
  const counters = new Map<string, number>();

  const perSession = new Map<number, SessionRules>();
  const globalPending: Pending[] = [];
  /** The session whose event is being dispatched: session-scope reports belong to it. */
  let current: SmtpSession | null = null;
  let currentPending: Pending[] = globalPending;

  /**
   * One context per rule and run (thresholds resolved once): rules report only from
   * their listeners, so a session-scope report goes to the session being dispatched.
   */
  function contextOf(rule: Rule): RuleContext {
    const thresholds = thresholdsFor(rule, overrides);
    const report =
      rule.meta.scope === 'session'
        ? (r: RuleReport) => currentPending.push({ rule, report: r, session: r.session === undefined ? current : r.session })
        : (r: RuleReport) => globalPending.push({ rule, report: r, session: r.session === undefined ? null : r.session });
    return { meta: rule.meta, thresholds, options, flowOf, report };
  }

  const sessionRules = rules.filter((r) => r.meta.scope === 'session');
  const globalRules = rules.filter((r) => r.meta.scope !== 'session');
  const sessionPlan = planOf(sessionRules, sessionRules.map(contextOf));
  const globalPlan = planOf(globalRules, globalRules.map(contextOf));
  const globalFns = instantiate(globalPlan);
  const captureEndHooks = globalPlan.slots.get('capture-end') ?? NO_SLOTS;

  function stateOf(session: SmtpSession): SessionRules {
    let s = perSession.get(session.id);
    if (!s) {
      s = { session, fns: NO_FNS, pending: [], queued: [] };
      perSession.set(session.id, s);
    }
    return s;
  }

  /** The session's rules over its queued events (created at the first batch, with `current` set, as their listeners run). */
  function runQueued(session: SmtpSession, s: SessionRules): void {
    current = session;
    currentPending = s.pending;
    if (s.fns === NO_FNS) s.fns = instantiate(sessionPlan);
    const q = s.queued;
    for (let i = 0; i < q.length; i++) dispatch(sessionPlan, s.fns, session, q[i]!);
    q.length = 0;
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
      if (freeze) Object.freeze(ev);
      if (sessionPlan.width > 0) {
        const s = stateOf(session);
        s.queued.push(ev);
        if (s.queued.length >= batch || ev.type === 'session-end') runQueued(session, s);
      }
      // Cross-session rules report to globalPending whatever `current` is.
      dispatch(globalPlan, globalFns, session, ev);
    },
    sessionEnd(session) {
      const s = perSession.get(session.id);
      if (!s) return;
      perSession.delete(session.id);
      runQueued(session, s);
      settle(s.pending);
    },
    captureEnd(facts) {
      // Sessions that never ended (a source that stops without closing its flows).
      for (const [, s] of perSession) {
        if (s.queued.length > 0) runQueued(s.session, s);
        settle(s.pending);
      }
      perSession.clear();
      current = null;
      currentPending = globalPending;
      for (let i = 0; i < captureEndHooks.length; i++) {
        const hook = globalFns[captureEndHooks[i]!] as unknown as ((f: CaptureFacts) => void) | undefined;
        hook?.(facts);
      }
      settle(globalPending);
    },
    findings() {
      return out.slice().sort((a, b) => a.frames[0] - b.frames[0] || a.rule.localeCompare(b.rule));
    },
  };
}
