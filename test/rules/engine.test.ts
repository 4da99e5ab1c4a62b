/**
 * The rule engine itself (src/rules/engine.ts): events are frozen before rules see
 * them, an event reaches only the rules that listen to its type, and with one shared
 * context per rule a session-scope report still belongs to the session it was made in,
 * while sessions interleave.
 */
import { describe, expect, it } from 'vitest';
import { createRuleEngine } from '../../src/rules/engine.js';
import { defineRule } from '../../src/rules/define-rule.js';
import type { SessionEvent, SmtpSession } from '../../src/smtp/index.js';
import { RULES, type Finding, type RuleContext } from '../../src/rules/index.js';
import { runPipeline } from '../../src/pipeline.js';
import { DEFAULT_PORTS } from '../../src/ports.js';
import { allCaptures, rel } from '../helpers/corpus.js';

const T = { sec: 1, nsec: 0 };

function fakeSession(id: number): SmtpSession {
  return { id, tcpStream: id - 1, client: { ip: `10.0.0.${id}`, port: 1000 + id } } as unknown as SmtpSession;
}

function gapEvent(frame: number): SessionEvent {
  return { type: 'gap', frame, time: T, dir: 'c2s', streamOffset: 0, length: 1, inside: 'line', state: 'init' } as unknown as SessionEvent;
}

const endEvent = (frame: number): SessionEvent =>
  ({ type: 'session-end', frame, time: T, reason: 'fin', closedBy: 'fin', state: 'init', pending: [], heldBytes: 0 }) as unknown as SessionEvent;

const meta = {
  severity: 'warning',
  category: 'transport',
  title: 't',
  summary: 'gaps {{n}}',
  advice: 'test rule',
  references: ['none'],
  scope: 'session',
  thresholds: {},
} as const;

/** Counts its session's gaps and reports the count at session end. */
const countGaps = defineRule({
  meta: { ...meta, id: 'count-gaps' },
  create(ctx) {
    let n = 0;
    let frame = 0;
    return {
      gap(ev) {
        n++;
        frame = ev.frame;
      },
      'session-end'() {
        ctx.report({ data: { n }, evidence: [{ frame, time: T, dir: 'c2s', line: 'gap' }] });
      },
    };
  },
});

/** Writes to the event it is given: must be stopped by the freeze. */
const mutator = defineRule({
  meta: { ...meta, id: 'mutator' },
  create() {
    return {
      gap(ev) {
        (ev as { frame: number }).frame = 0;
      },
    };
  },
});

describe('rule engine', () => {
  it('freezes events before rules see them: a rule that writes to one throws', () => {
    const engine = createRuleEngine([mutator], { eventBatch: 1 });
    const ev = gapEvent(7);
    expect(() => engine.event(fakeSession(1), ev)).toThrow(TypeError);
    expect(Object.isFrozen(ev)).toBe(true);
    expect((ev as { frame: number }).frame).toBe(7);
  });

  it('freezeEvents: false leaves events as they are (the option exists for measurements only)', () => {
    const engine = createRuleEngine([mutator], { freezeEvents: false });
    const ev = gapEvent(7);
    engine.event(fakeSession(1), ev);
    expect(Object.isFrozen(ev)).toBe(false);
  });

  it('reports of interleaved sessions belong to their own session, with their own state', () => {
    const engine = createRuleEngine([countGaps]);
    const a = fakeSession(1);
    const b = fakeSession(2);
    engine.event(a, gapEvent(10));
    engine.event(b, gapEvent(11));
    engine.event(a, gapEvent(12));
    engine.event(b, endEvent(13));
    engine.sessionEnd(b);
    engine.event(a, gapEvent(14));
    engine.event(a, endEvent(15));
    engine.sessionEnd(a);
    engine.captureEnd({ inputs: [], sessions: [] });
    const got = engine.findings().map((f) => ({ session: f.session, client: f.client, n: f.data['n'], frames: f.frames }));
    expect(got).toEqual([
      { session: 2, client: '10.0.0.2', n: 1, frames: [11, 11] },
      { session: 1, client: '10.0.0.1', n: 3, frames: [14, 14] },
    ]);
  });

  it('an event reaches only the rules that listen to its type', () => {
    const seen: string[] = [];
    const onlyGap = defineRule({ meta: { ...meta, id: 'only-gap' }, create: () => ({ gap: () => void seen.push('gap') }) });
    const onlyEnd = defineRule({ meta: { ...meta, id: 'only-end' }, create: () => ({ 'session-end': () => void seen.push('end') }) });
    const engine = createRuleEngine([onlyGap, onlyEnd]);
    const s = fakeSession(1);
    engine.event(s, gapEvent(1));
    engine.event(s, endEvent(2));
    expect(seen).toEqual(['gap', 'end']);
  });

  it('selectors: command[verb=V] and reply[to.verb=V] are called for that verb only, after the plain listener', () => {
    const seen: string[] = [];
    const cmd = (frame: number, verb: string) => ({ verb, arg: '', frame, time: T, pseudo: verb.startsWith('<') });
    const command = (frame: number, verb: string): SessionEvent => ({ type: 'command', frame, time: T, cmd: cmd(frame, verb) }) as unknown as SessionEvent;
    const reply = (frame: number, to: ReturnType<typeof cmd> | null, code: number): SessionEvent =>
      ({ type: 'reply', frame, time: T, reply: { code, lines: [`${code} x`], frame, time: T }, to, latencyMs: null, permitted: true }) as unknown as SessionEvent;
    const selective = defineRule({
      meta: { ...meta, id: 'selective' },
      create: () => ({
        command: (ev) => void seen.push(`command ${ev.cmd.verb}`),
        'command[verb=MAIL]': (ev) => void seen.push(`MAIL ${ev.frame}`),
        'reply[to.verb=RCPT]': (ev) => void seen.push(`reply to ${ev.to.verb} ${ev.reply.code}`),
        'reply[to.verb=<end-of-data>]': (ev) => void seen.push(`end-of-data ${ev.reply.code}`),
      }),
    });
    const engine = createRuleEngine([selective]);
    const s = fakeSession(1);
    const mail = cmd(1, 'MAIL');
    const rcpt = cmd(2, 'RCPT');
    engine.event(s, command(1, 'MAIL'));
    engine.event(s, command(2, 'RCPT'));
    engine.event(s, reply(3, mail, 250));
    engine.event(s, reply(4, rcpt, 550));
    engine.event(s, reply(5, null, 421)); // unpaired: no command, no selector matches
    engine.event(s, reply(6, cmd(6, '<end-of-data>'), 250));
    engine.event(s, command(7, 'mail')); // verbs are matched as smtp/ gives them (upper case)
    engine.sessionEnd(s);
    expect(seen).toEqual(['command MAIL', 'MAIL 1', 'command RCPT', 'reply to RCPT 550', 'end-of-data 250', 'command mail']);
  });

  it("a session's rules run over its queued events at its session-end event, or when a batch is full", () => {
    const seen: string[] = [];
    let created = 0;
    const logger = defineRule({
      meta: { ...meta, id: 'logger' },
      create: () => {
        created++;
        return { gap: (ev) => void seen.push(`gap ${ev.frame}`), 'session-end': (ev) => void seen.push(`end ${ev.frame}`) };
      },
    });
    const s = fakeSession(1);
    // Default batch: nothing runs (no instance either) before the session ends.
    const engine = createRuleEngine([logger]);
    const probes = created; // the dispatch plan's probe instance
    engine.event(s, gapEvent(1));
    engine.event(s, gapEvent(2));
    expect(seen).toEqual([]);
    expect(created).toBe(probes);
    engine.event(s, endEvent(3));
    expect(seen).toEqual(['gap 1', 'gap 2', 'end 3']);
    expect(created).toBe(probes + 1);
    // A full batch runs at once, with the same instance for the batches after it.
    seen.length = 0;
    const before = created;
    const small = createRuleEngine([logger], { eventBatch: 2 });
    const t = fakeSession(2);
    small.event(t, gapEvent(10));
    expect(seen).toEqual([]);
    small.event(t, gapEvent(11));
    expect(seen).toEqual(['gap 10', 'gap 11']);
    small.event(t, gapEvent(12));
    expect(seen).toEqual(['gap 10', 'gap 11']);
    small.sessionEnd(t); // a session whose end event never came: its queue runs here
    expect(seen).toEqual(['gap 10', 'gap 11', 'gap 12']);
    expect(created - before).toBe(2); // the probe and one instance for the session
  });

  it('batches give the findings of the streaming order (one event at a time) on every fixture and conformance capture', async () => {
    const sig = (fs: readonly Finding[]): string[] => fs.map((f) => JSON.stringify(f));
    let compared = 0;
    for (const file of allCaptures()) {
      const one = await runPipeline([file], { ports: DEFAULT_PORTS, rules: { eventBatch: 1 } }).catch(() => null);
      if (one === null) continue; // a capture refused as a whole (damage tests cover those)
      const batched = await runPipeline([file], { ports: DEFAULT_PORTS });
      expect(sig(batched.findings), rel(file)).toEqual(sig(one.findings));
      // And with a batch of two: instances made at the first full batch, used across several.
      const two = await runPipeline([file], { ports: DEFAULT_PORTS, rules: { eventBatch: 2 } });
      expect(sig(two.findings), rel(file)).toEqual(sig(one.findings));
      compared += one.findings.length;
    }
    expect(compared).toBeGreaterThan(100);
  }, 120_000);

  it('a listener key that is neither an event type nor a known selector is a programming error, named', () => {
    const bad = defineRule({ meta: { ...meta, id: 'bad-selector' }, create: () => ({ 'reply[code=550]': () => {} }) as never });
    expect(() => createRuleEngine([bad])).toThrow(/rule bad-selector: listener "reply\[code=550\]"/);
  });

  it('every catalog rule returns the same listener keys from every create() (the dispatch plan probes one)', () => {
    for (const localDomains of [[], ['example.net']]) {
      for (const r of RULES) {
        const ctx = { meta: r.meta, thresholds: r.meta.thresholds, options: { localDomains }, flowOf: () => undefined, report: () => {} } as RuleContext;
        const a = Object.keys(r.create(ctx));
        const b = Object.keys(r.create(ctx));
        expect(b, r.meta.id).toEqual(a);
      }
    }
  });
});
