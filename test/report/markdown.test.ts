/**
 * Issue 5: the Markdown report renders as tables and code blocks. Parsed with a real
 * Markdown parser (marked's lexer, CommonMark + GFM tables), not with regexes: a pipe or a
 * backtick from the capture must not break the table or close a code block early.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { marked, type Tokens } from 'marked';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/index.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { buildDialogueCapture } from '../helpers/dialogue.js';
import { FIXTURES } from '../helpers/corpus.js';

function structure(md: string) {
  const tokens = marked.lexer(md);
  const headings = tokens.filter((t): t is Tokens.Heading => t.type === 'heading').map((t) => `${t.depth} ${t.text}`);
  const tables = tokens.filter((t): t is Tokens.Table => t.type === 'table');
  const code = tokens.filter((t): t is Tokens.Code => t.type === 'code');
  return { headings, tables, code };
}

/** A dialogue whose replies carry pipes, backticks and a fence, as hostile servers may. */
const HOSTILE = [
  '@client 10.0.0.5:40001',
  '@server 10.0.0.25:25',
  'S: 220 mx.example.com ESMTP | `tick` ```fence',
  'C: EHLO c.example.com',
  'S: 250 mx.example.com',
  'C: MAIL FROM:<a@example.net>',
  'S: 250 2.1.0 Ok',
  'C: RCPT TO:<x|y@example.org>',
  'S: 550 5.7.1 <x|y@example.org>: Relay access denied | ``` `',
  'C: QUIT',
  'S: 221 Bye',
  '@close',
].join('\n');

describe('markdown report structure', () => {
  it('verdict, a findings table with one row per finding, one evidence block per finding, a sessions table', async () => {
    const model = await analyze([join(FIXTURES, 'captures/mission/503-rcpt-without-mail.pcap')]);
    const { headings, tables, code } = structure(renderMarkdown(model));
    expect(headings.slice(0, 4)).toEqual(['1 smtpscope report', '2 What was analyzed', '2 Verdict', '2 Findings']);
    const [findings, sessions] = tables;
    expect(findings!.header.map((h) => h.text)).toEqual(['severity', 'rule', 'session', 'frames', 'summary']);
    expect(findings!.rows.length).toBe(model.findings.length);
    expect(findings!.rows[0]![1]!.text).toBe('rcpt-without-mail');
    expect(code.length).toBe(model.findings.length);
    expect(code[0]!.text).toContain('503 5.5.1 Error: Bad sequence of commands');
    expect(sessions!.rows.length).toBe(model.sessions.length);
  });

  it('pipes, backticks and fences from the capture do not break tables or code blocks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'smtpscope-md-'));
    const file = join(dir, 'hostile.pcap');
    writeFileSync(file, buildDialogueCapture(HOSTILE));
    const model = await analyze([file]);
    expect(model.findings.some((f) => f.rule === 'relay-denied')).toBe(true);
    const { tables, code } = structure(renderMarkdown(model));
    const findings = tables[0]!;
    for (const row of findings.rows) expect(row.length).toBe(5);
    const relay = findings.rows.find((r) => r[1]!.text === 'relay-denied')!;
    expect(relay[4]!.text).toContain('Relay access denied');
    expect(code.length).toBe(model.findings.length);
    expect(code.some((c) => c.text.includes('Relay access denied | ``` `'))).toBe(true);
  });
});
