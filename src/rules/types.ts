/**
 * The rule module format (ESLint-shaped): `meta` + `create(ctx)` returning listeners
 * keyed by SessionEvent type. Rules judge; smtp/ only states facts (habit 10).
 */
import type { Command, SessionEvent, SessionEventType, SmtpSession } from '../smtp/index.js';
import type { Dir } from '../tcp/events.js';
import type { Time } from '../util/time.js';
import type { FlowSummary } from '../pipeline.js';
import type { CaptureSummary } from '../capture/types.js';

export const SEVERITIES = ['notice', 'warning', 'error'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const SEVERITY_RANK: Record<Severity, number> = { notice: 0, warning: 1, error: 2 };

/** The headings of spec/rules.md, in order. */
export const CATEGORIES = [
  'command-order',
  'greeting',
  'tls',
  'auth',
  'envelope',
  'xexch50',
  'transport',
  'content',
] as const;
export type Category = (typeof CATEGORIES)[number];

/**
 * session: one rule instance per SMTP session (create() at session start).
 * client / server / capture: one instance per run, fed every session's events;
 * it aggregates and reports in 'capture-end' (cross-session rules).
 */
export type RuleScope = 'session' | 'client' | 'server' | 'capture';

export interface RuleMeta<T extends Record<string, number> = Record<string, number>> {
  /** Stable id = file name = spec/rules.md anchor; never reused for another meaning. */
  readonly id: string;
  readonly severity: Severity;
  readonly category: Category;
  readonly title: string;
  /** One-line summary template; {{name}} is replaced from the report's data. */
  readonly summary: string;
  /** What usually causes it and what to check next (two or three sentences). */
  readonly advice: string;
  /** RFC sections, KB articles. */
  readonly references: readonly string[];
  /** Rules whose findings on the same evidence this one replaces (one problem → one finding). */
  readonly supersedes?: readonly string[];
  readonly scope: RuleScope;
  /** Typed defaults, overridden by --threshold <rule>=<n> (key 'value' or a named key). */
  readonly thresholds: T;
}

/** One line of evidence: a command, a reply line, or a transport fact, with frame and time. */
export interface Evidence {
  frame: number;
  time: Time;
  dir: Dir | null;
  line: string;
}

export type FindingData = Record<string, string | number | boolean | null>;

export interface RuleReport {
  /** The session concerned (defaults to the current session for session-scope rules). */
  session?: SmtpSession | null;
  /** Client address for cross-session rules. */
  client?: string | null;
  data: FindingData;
  evidence: Evidence[];
}

/** What the run knows beyond SMTP events, for capture-end hooks and transport rules. */
export interface CaptureFacts {
  inputs: readonly CaptureSummary[];
  sessions: readonly SmtpSession[];
}

export interface RuleOptions {
  /** --local-domain: domains the server is authoritative for (enables open-relay). */
  localDomains: readonly string[];
}

export interface RuleContext<T extends Record<string, number> = Record<string, number>> {
  readonly meta: RuleMeta<T>;
  readonly thresholds: T;
  readonly options: RuleOptions;
  /** The TCP facts of a session's flow, once the flow has closed (session-end and later). */
  flowOf(session: SmtpSession): FlowSummary | undefined;
  report(r: RuleReport): void;
}

type EventOf<K extends SessionEventType> = Extract<SessionEvent, { type: K }>;

/** A reply event whose command is known (what a `reply[to.verb=…]` listener gets). */
export type ReplyToEvent = EventOf<'reply'> & { to: Command };

/**
 * Listener keys are event types, or one of two ESLint-style attribute selectors that the
 * engine matches before calling (so a rule about RCPT replies costs nothing on the other
 * 80 % of events): `command[verb=MAIL]` (a command with this verb, as smtp/ gives it:
 * upper case, or a pseudo-command such as `<end-of-data>`) and `reply[to.verb=RCPT]` (a
 * reply paired with such a command). A rule may have both a plain and selector listeners
 * for one type; for one event its plain listener runs first. SELECTOR in engine.ts parses them.
 */
export type RuleListeners = {
  [K in SessionEventType]?: (ev: EventOf<K>, session: SmtpSession) => void;
} & {
  /** After the last session: cross-session rules aggregate here (ESLint's Program:exit). */
  'capture-end'?: (facts: CaptureFacts) => void;
} & {
  [K: `command[verb=${string}]`]: ((ev: EventOf<'command'>, session: SmtpSession) => void) | undefined;
  [K: `reply[to.verb=${string}]`]: ((ev: ReplyToEvent, session: SmtpSession) => void) | undefined;
};

export interface Rule<T extends Record<string, number> = Record<string, number>> {
  readonly meta: RuleMeta<T>;
  create(ctx: RuleContext<T>): RuleListeners;
}

export interface Finding {
  /** Unique within a report: `<rule>#<n>`. */
  id: string;
  rule: string;
  severity: Severity;
  session: number | null;
  tcpStream: number | null;
  client: string | null;
  summary: string;
  frames: [number, number];
  wireshark: string;
  evidence: Evidence[];
  advice: string;
  data: FindingData;
}
