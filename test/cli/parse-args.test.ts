/** parseArgs(argv) without a process (habit 15): every option resolves to typed settings or one line that names the fix. */
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/main.js';
import { RULES, thresholdNames } from '../../src/index.js';

async function parsed(argv: string[]) {
  const inv = await parseArgs(argv);
  if (inv.command === 'print') throw new Error('help printed instead');
  return inv;
}

async function failure(argv: string[]): Promise<string> {
  try {
    await parseArgs(argv);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`parseArgs(${argv.join(' ')}) did not fail`);
}

describe('analyze options', () => {
  it('flattens comma lists and repeats of --rules, --skip-rules, --local-domain', async () => {
    const inv = await parsed([
      'analyze', 'a.pcap', '--rules', 'relay-denied,tarpit', '--rules', 'auth-failed',
      '--skip-rules', 'banner-disclosure', '--local-domain', 'example.com', '--local-domain', 'example.net', 'b.pcap',
    ]);
    expect(inv.command).toBe('analyze');
    if (inv.command !== 'analyze') return;
    expect(inv.inputs).toEqual(['a.pcap', 'b.pcap']);
    expect(inv.settings.analyze.rules).toEqual(['relay-denied', 'tarpit', 'auth-failed']);
    expect(inv.settings.analyze.skipRules).toEqual(['banner-disclosure']);
    expect(inv.settings.analyze.localDomains).toEqual(['example.com', 'example.net']);
  });

  it('reads --min-severity, --fail-on, --threshold (repeatable), --ports and --format', async () => {
    const inv = await parsed([
      'analyze', 'x.pcap', '--min-severity', 'warning', '--fail-on', 'Error', '--threshold', 'tarpit=100',
      '--threshold', 'slow-reply-ms=2500.5', '--ports', '2525,25', '--format', 'markdown',
    ]);
    if (inv.command !== 'analyze') throw new Error(inv.command);
    expect(inv.settings.analyze.minSeverity).toBe('warning');
    expect(inv.settings.failOn).toBe('error');
    expect(inv.settings.analyze.thresholds).toEqual({ tarpit: 100, 'slow-reply-ms': 2500.5 });
    expect(inv.settings.analyze.ports).toEqual([25, 2525]);
    expect(inv.settings.format).toBe('markdown');
    expect(inv.settings.notes).toEqual([]);
  });

  it('defaults to json when standard output is not a terminal, and to no --fail-on', async () => {
    const inv = await parsed(['analyze', 'x.pcap']);
    if (inv.command !== 'analyze') throw new Error(inv.command);
    expect(inv.settings.format).toBe(process.stdout.isTTY ? 'table' : 'json');
    expect(inv.settings.failOn).toBeNull();
    expect(inv.settings.output).toBeNull();
  });

  it('keeps "-" (standard input) among the captures, and -o - is standard output', async () => {
    const inv = await parsed(['analyze', 'a.pcap', '-', '-o', '-', 'b.pcap']);
    if (inv.command !== 'analyze') throw new Error(inv.command);
    expect(inv.inputs).toEqual(['a.pcap', '-', 'b.pcap']);
    expect(inv.settings.output).toBeNull();
    const t = await parsed(['transcript', '-', '--session', '2']);
    if (t.command !== 'transcript') throw new Error(t.command);
    expect(t.inputs).toEqual(['-']);
  });

  it('accepts --bpf and --filter offline with a one-line note', async () => {
    for (const opt of ['--bpf', '--filter']) {
      const inv = await parsed(['analyze', 'x.pcap', opt, 'tcp port 25']);
      if (inv.command !== 'analyze') throw new Error(inv.command);
      expect(inv.settings.notes).toHaveLength(1);
      expect(inv.settings.notes[0]).toMatch(/live capture only/);
    }
  });

  it('names `smtpscope rules` for an unknown rule id in --rules and --skip-rules', async () => {
    for (const opt of ['--rules', '--skip-rules']) {
      const msg = await failure(['analyze', 'x.pcap', opt, 'relay-denied,no-such-rule']);
      expect(msg).toContain('no-such-rule');
      expect(msg).toContain('smtpscope rules');
      expect(msg).not.toContain('\n');
    }
  });

  it('lists the valid names for an unknown --threshold name', async () => {
    const msg = await failure(['analyze', 'x.pcap', '--threshold', 'bogus=5']);
    expect(msg).toContain('"bogus"');
    for (const name of thresholdNames(RULES)) expect(msg).toContain(name);
    expect(msg).not.toContain('\n');
  });

  it('rejects a rule id with several thresholds as a --threshold name (only keys work there)', async () => {
    const multi = RULES.find((r) => Object.keys(r.meta.thresholds).length > 1)!;
    const keys = Object.keys(multi.meta.thresholds);
    if (!keys.includes(multi.meta.id)) {
      expect(await failure(['analyze', 'x.pcap', '--threshold', `${multi.meta.id}=5`])).toContain('valid names');
    }
    const inv = await parsed(['analyze', 'x.pcap', '--threshold', `${keys[0]}=5`]);
    if (inv.command !== 'analyze') throw new Error(inv.command);
    expect(inv.settings.analyze.thresholds).toEqual({ [keys[0]!]: 5 });
  });

  it.each([
    [['--threshold', 'tarpit'], /<name>=<n>/],
    [['--threshold', 'tarpit=fast'], /not a number/],
    [['--threshold', 'tarpit=-1'], /not a number >= 0/],
    [['--min-severity', 'critical'], /notice, warning, error/],
    [['--fail-on', 'warn'], /notice, warning, error/],
    [['--format', 'xml'], /one of table, json, jsonl, markdown/],
    [['--ports', '25,99999'], /--ports 25,587,2525/],
    [['--no-such-option'], /Unknown argument/i],
  ])('one line naming the fix for %j', async (extra, pattern) => {
    const msg = await failure(['analyze', 'x.pcap', ...(extra as string[])]);
    expect(msg).toMatch(pattern as RegExp);
  });

  it('html is for analyze only: sessions names the formats it has', async () => {
    expect(await failure(['sessions', 'x.pcap', '--format', 'html'])).toMatch(/not available yet for this command; use one of table, json, jsonl, markdown/);
  });
});

describe('other commands', () => {
  it('--help and --version are text to print, not a run', async () => {
    const help = await parseArgs(['transcript', '--help']);
    expect(help.command).toBe('print');
    if (help.command === 'print') expect(help.text).toMatch(/--session[\s\S]*Examples:/);
    const v = await parseArgs(['--version']);
    expect(v).toEqual({ command: 'print', text: expect.stringMatching(/^\d+\.\d+\.\d+\n$/) });
  });

  it('sessions takes the same options', async () => {
    const inv = await parsed(['sessions', 'a.pcap', '--format', 'jsonl', '--skip-rules', 'tarpit']);
    if (inv.command !== 'sessions') throw new Error(inv.command);
    expect(inv.settings.format).toBe('jsonl');
    expect(inv.settings.analyze.skipRules).toEqual(['tarpit']);
  });

  it('transcript needs a positive integer --session', async () => {
    const inv = await parsed(['transcript', 'a.pcap', '--session', '3', '--format', 'table']);
    if (inv.command !== 'transcript') throw new Error(inv.command);
    expect(inv.session).toBe(3);
    expect(await failure(['transcript', 'a.pcap'])).toMatch(/--session 1/);
    expect(await failure(['transcript', 'a.pcap', '--session', 'two'])).toMatch(/not a session id/);
    expect(await failure(['transcript', 'a.pcap', '--session', '0'])).toMatch(/not a session id/);
  });

  it('rules --explain checks the id before anything runs', async () => {
    const inv = await parsed(['rules', '--explain', 'relay-denied']);
    if (inv.command !== 'rules') throw new Error(inv.command);
    expect(inv.explain).toBe('relay-denied');
    expect(inv.format).toBe('table');
    expect(await failure(['rules', '--explain', 'relay-denid'])).toMatch(/unknown rule "relay-denid"; smtpscope rules/);
  });

  it('asks for a command when none is given', async () => {
    expect(await failure([])).toMatch(/smtpscope analyze capture\.pcap/);
    expect(await failure(['analyse', 'x.pcap'])).toMatch(/Unknown argument/i);
  });
});
