/**
 * RuleTester (ESLint's shape): each rule has `valid` cases where it must stay silent and
 * `invalid` cases where it must fire with the given data and frames. Every case runs the
 * WHOLE pipeline with EVERY rule, so `supersedes` and `absent` are checked for real, and
 * each finding's Wireshark filter is run through tshark to prove it selects exactly the
 * evidence frames.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPipeline } from '../../src/pipeline.js';
import { DEFAULT_PORTS } from '../../src/ports.js';
import type { EngineOptions, Finding, Rule } from '../../src/rules/index.js';
import { buildDialogueCapture } from './dialogue.js';
import { FIXTURES } from './corpus.js';
import { HAVE_TSHARK, tshark } from './tshark.js';

export interface CaseSource {
  /** What the case proves, e.g. 'capture began after MAIL FROM'. */
  name: string;
  /** A capture file under fixtures/ (e.g. 'captures/mission/relay-denied.pcap'). */
  capture?: string;
  /** A dialogue file under fixtures/ ('dialogues/smtp/x.smtp'), built with our writer at test time. */
  dialogue?: string;
  /** An inline dialogue script (same format), for small near misses. */
  script?: string;
  options?: EngineOptions & { ports?: number[] };
}

export interface ExpectedFinding {
  frames?: [number, number];
  data?: Record<string, unknown>;
  session?: number | null;
  client?: string | null;
  /** Substrings that must appear in the evidence lines, in order. */
  evidence?: string[];
}

export interface InvalidCase extends CaseSource {
  findings: ExpectedFinding[];
  /** Rules that must NOT fire on this capture (one problem, one finding). */
  absent?: string[];
}

export interface RuleCases {
  valid: CaseSource[];
  invalid: InvalidCase[];
}

const tmp = mkdtempSync(join(tmpdir(), 'smtpscope-rules-'));
let built = 0;

/** The capture file a case reads, building dialogues into a temp file. */
export function captureOf(c: CaseSource): string {
  if (c.capture) return resolve(FIXTURES, c.capture);
  const script = c.script ?? (c.dialogue ? readFileSync(resolve(FIXTURES, c.dialogue), 'utf8') : null);
  if (script === null) throw new Error(`case "${c.name}" names no capture, dialogue or script`);
  const file = join(tmp, `case-${++built}.pcap`);
  writeFileSync(file, buildDialogueCapture(script));
  return file;
}

export async function findingsOf(c: CaseSource): Promise<{ file: string; findings: Finding[] }> {
  const file = captureOf(c);
  const { ports, ...rules } = c.options ?? {};
  const result = await runPipeline([file], { ports: ports ?? DEFAULT_PORTS, rules });
  return { file, findings: result.findings };
}

/** `tshark -Y <filter>` must select exactly the finding's evidence frames. */
export function checkWiresharkFilter(file: string, f: Finding): void {
  if (!HAVE_TSHARK || !f.wireshark) return;
  const out = tshark(['-r', file, '-Y', f.wireshark, '-T', 'fields', '-e', 'frame.number']);
  const selected = out.split('\n').filter(Boolean).map(Number);
  const wanted = [...new Set(f.evidence.map((e) => e.frame).filter((n) => n > 0))].sort((a, b) => a - b);
  expect({ rule: f.rule, filter: f.wireshark, frames: selected }).toEqual({ rule: f.rule, filter: f.wireshark, frames: wanted });
}

export const ruleTester = {
  run(rule: Rule, cases: RuleCases): void {
    const id = rule.meta.id;
    describe(id, () => {
      it('has at least one valid and one invalid case', () => {
        expect(cases.valid.length).toBeGreaterThan(0);
        expect(cases.invalid.length).toBeGreaterThan(0);
      });
      for (const c of cases.valid) {
        it(`valid: ${c.name}`, async () => {
          const { findings } = await findingsOf(c);
          expect(findings.filter((f) => f.rule === id).map((f) => f.summary)).toEqual([]);
        });
      }
      for (const c of cases.invalid) {
        it(`invalid: ${c.name}`, async () => {
          const { file, findings } = await findingsOf(c);
          const mine = findings.filter((f) => f.rule === id);
          expect(mine.length, `findings of ${id}: ${mine.map((f) => f.summary).join(' | ')}`).toBe(c.findings.length);
          c.findings.forEach((want, i) => {
            const got = mine[i]!;
            if (want.frames) expect(got.frames).toEqual(want.frames);
            if (want.data) expect(got.data).toMatchObject(want.data);
            if (want.session !== undefined) expect(got.session).toBe(want.session);
            if (want.client !== undefined) expect(got.client).toBe(want.client);
            if (want.evidence) {
              const lines = got.evidence.map((e) => e.line);
              let at = 0;
              for (const needle of want.evidence) {
                const k = lines.findIndex((l, j) => j >= at && l.includes(needle));
                expect(k, `evidence "${needle}" in ${JSON.stringify(lines)}`).toBeGreaterThanOrEqual(0);
                at = k + 1;
              }
            }
            expect(got.summary).not.toMatch(/\{\{|undefined/);
            checkWiresharkFilter(file, got);
          });
          for (const other of c.absent ?? []) {
            expect(findings.filter((f) => f.rule === other).map((f) => f.summary), `${other} must not fire`).toEqual([]);
          }
        });
      }
    });
  },
};
