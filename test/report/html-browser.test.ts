/**
 * The HTML report as a reader gets it: opened from disk in real headless Chromium
 * (Debian's /usr/bin/chromium, driven by playwright-core), with page scripts off,
 * since the page must read fully without them. Asserts what Chromium parsed and
 * laid out: one ladder arrow per command and per reply, the finding marks on the
 * arrows of their evidence, no network request besides the file itself, and that
 * hostile capture text stays text. Screenshots go to test-results/ (a CI artifact).
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspect, type ReportModel } from '../../src/index.js';
import { renderHtml } from '../../src/report/html.js';
import { runMain } from '../cli/helpers.js';
import { FIXTURES, ROOT } from '../helpers/corpus.js';
import { buildDialogueCapture } from '../helpers/dialogue.js';

const CHROMIUM = '/usr/bin/chromium';
const RESULTS = join(ROOT, 'test-results');
const MULTI = ['mission/relay-denied.pcap', 'mission/503-rcpt-without-mail.pcap', 'smtp/tarpit.pcap'].map((p) => join(FIXTURES, 'captures', p));

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`html-browser.test.ts skipped: ${CHROMIUM} is missing (apt-get install chromium; .ci/run installs it)`);

/** Opens a file with scripts off and records every request the page makes. */
async function open(browser: Browser, file: string): Promise<{ page: Page; requests: string[]; dialogs: string[] }> {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const requests: string[] = [];
  const dialogs: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  return { page, requests, dialogs };
}

describe.skipIf(!haveChromium)(`HTML report in headless Chromium (${CHROMIUM})`, () => {
  let browser: Browser;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'smtpscope-html-browser-'));
    mkdirSync(RESULTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('three sessions with findings: ladders, marks, no network, screenshot', async () => {
    const file = join(dir, 'report.html');
    // Through the CLI, as a user makes it (three files read as one capture).
    const run = await runMain(['analyze', '--format', 'html', '-o', file, ...MULTI]);
    expect(run.code, run.stderr).toBe(0);
    const model: ReportModel = (await inspect(MULTI)).model;
    expect(model.sessions).toHaveLength(3);
    expect(model.findings.length).toBeGreaterThanOrEqual(7);

    const { page, requests, dialogs } = await open(browser, file);
    expect(requests).toEqual([pathToFileURL(file).href]);
    expect(dialogs).toEqual([]);
    expect(await page.locator('script').count()).toBe(0);
    expect(await page.title()).toContain('smtpscope report');
    await expect(page.locator('.verdict').innerText()).resolves.toMatch(/8 problems found in 3 SMTP sessions/);

    for (const s of model.sessions) {
      const ladder = page.locator(`#session-${s.id} svg.ladder`);
      expect(await ladder.count()).toBe(1);
      const expected = s.commands.length + s.commands.filter((c) => c.reply).length;
      expect(await ladder.locator('g.arrow').count(), `session ${s.id}`).toBe(expected);
      expect(await ladder.locator('g.arrow.c2s').count()).toBe(s.commands.length);
      // Laid out, not just present: the diagram has a size and grows downwards.
      const box = await ladder.boundingBox();
      expect(box!.width).toBeGreaterThan(600);
      expect(box!.height).toBeGreaterThan(expected * 30);
    }

    for (const f of model.findings) {
      const marks = page.locator(`#session-${f.session} svg.ladder g.arrow a.mark[data-finding="${f.id}"]`);
      const n = await marks.count();
      expect(n, f.id).toBeGreaterThan(0);
      for (let i = 0; i < n; i++) {
        const mark = marks.nth(i);
        expect(await mark.locator('text').textContent()).toBe(f.rule);
        const frame = Number(await mark.locator('xpath=..').getAttribute('data-frame'));
        expect(f.evidence.map((e) => e.frame)).toContain(frame);
        expect((await mark.boundingBox())!.width).toBeGreaterThan(f.rule.length * 5);
        // The mark links to the finding's section.
        const href = await mark.getAttribute('href');
        expect(await page.locator(`${href} code`).first().textContent()).toBe(f.rule);
      }
    }

    await page.screenshot({ path: join(RESULTS, 'html-report.png'), fullPage: true });
    await page.locator('#session-3').screenshot({ path: join(RESULTS, 'html-report-session-3.png') });
    await page.emulateMedia({ media: 'print' });
    await page.screenshot({ path: join(RESULTS, 'html-report-print.png'), fullPage: true });
    expect(requests).toEqual([pathToFileURL(file).href]);
    await page.context().close();
  });

  it('hostile capture text (<script>, </svg>) is shown as text and runs nothing', async () => {
    const capture = join(dir, 'evil.pcap');
    const evil = `</svg><script>alert(1)</script><img src=x onerror=alert(2)>`;
    writeFileSync(
      capture,
      buildDialogueCapture(
        ['@client 10.0.0.5:49152', '@server 10.0.0.25:25', '@start 2024-01-15T10:00:00Z', 'S: 220 mx.example.net ESMTP', `C: EHLO ${evil}`, `S: 250 ${evil}`, 'C: QUIT', 'S: 221 bye', '@close'].join('\n'),
      ),
    );
    const got = await inspect([capture]);
    const file = join(dir, 'evil.html');
    writeFileSync(file, renderHtml(got.model, { bodies: got.bodies }));
    // Scripts on for this one: if anything executed, a dialog would open.
    const context = await browser.newContext();
    const page = await context.newPage();
    const requests: string[] = [];
    const dialogs: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    expect(dialogs).toEqual([]);
    expect(requests).toEqual([pathToFileURL(file).href]);
    expect(await page.locator('script, img').count()).toBe(0);
    const ladder = page.locator('svg.ladder');
    expect(await ladder.count()).toBe(1);
    expect(await ladder.locator('g.arrow').count()).toBe(6);
    const ehlo = ladder.locator('g.arrow.c2s').nth(1);
    expect(await ehlo.locator(':scope > title').textContent()).toContain(`EHLO ${evil}`);
    // The transcript, after the diagram, is still inside the session: </svg> closed nothing early.
    expect(await page.locator('#session-1 table.transcript td.line', { hasText: `EHLO ${evil}` }).count()).toBe(1);
    await page.locator('#session-1').screenshot({ path: join(RESULTS, 'html-report-hostile.png') });
    await context.close();
  });
});
