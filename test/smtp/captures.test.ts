/** Facts smtp/ must produce on the recorded mission captures (fixtures/README.md says how each was made). */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../src/smtp/index.js';
import { analyzeFile } from './helpers/pipeline.js';

const at = (f: string) => analyzeFile(join(import.meta.dirname, '../../fixtures/captures', f));
const of = <K extends SessionEvent['type']>(evs: SessionEvent[], t: K) => evs.filter((e) => e.type === t) as Extract<SessionEvent, { type: K }>[];

describe('mission captures', () => {
  it('503-rcpt-without-mail: RCPT answered 503 5.5.1 with no transaction open', async () => {
    const { sessions, events } = await at('mission/503-rcpt-without-mail.pcap');
    const rcpt = of(events, 'reply').find((e) => e.to?.verb === 'RCPT')!;
    expect(rcpt.reply).toMatchObject({ code: 503, enhanced: '5.5.1' });
    expect(rcpt.stateBefore).toBe('ready');
    expect(sessions[0]!.auth).toMatchObject({ mechanism: 'LOGIN', result: 'success' });
    expect(JSON.stringify(events)).not.toMatch(/<auth-response> [A-Za-z0-9+/]{6,}/);
  });

  it('asa-masked: masked banner and overwritten EHLO keywords kept as sent', async () => {
    const { sessions } = await at('mission/asa-masked.pcap');
    expect(sessions[0]!.greeting).toMatch(/^\*+$/);
    expect(sessions[0]!.extensions).toEqual(expect.arrayContaining(['XXXXXXXA', 'XXXA', 'XXXXXXXB']));
  });

  it('xexch50-blob-dropped: BLOB cut short by a gap, never answered', async () => {
    const { events } = await at('mission/xexch50-blob-dropped.pcap');
    expect(of(events, 'xexch50-blob')[0]).toMatchObject({ expected: 1124, received: 536, complete: false, answered: null });
    expect(of(events, 'gap')[0]).toMatchObject({ dir: 'c2s', inside: 'xexch50' });
  });

  it('xexch50-blob-dropped-silent: BLOB stalls, session ends inside it', async () => {
    const { events } = await at('mission/xexch50-blob-dropped-silent.pcap');
    expect(of(events, 'xexch50-blob')[0]).toMatchObject({ expected: 1124, received: 536, answered: null, cause: 'close' });
    expect(of(events, 'session-end')[0]!.state).toBe('xexch50');
  });

  it('x-anonymoustls-500: refused with 500 5.3.3 although advertised', async () => {
    const { sessions, events } = await at('mission/x-anonymoustls-500.pcap');
    expect(sessions[0]!.ehlo?.anonymousTls).toBe(true);
    expect(of(events, 'reply').find((e) => e.to?.verb === 'X-ANONYMOUSTLS')!.reply).toMatchObject({ code: 500, enhanced: '5.3.3' });
  });

  it('midstream-after-mail: midstream, resynchronised, no <connect>', async () => {
    const { sessions, events } = await at('smtp/midstream-after-mail.pcap');
    expect(sessions[0]!.midstream).toBe(true);
    expect(of(events, 'resync').length).toBeGreaterThan(0);
    expect(of(events, 'command').some((e) => e.cmd.verb === '<connect>')).toBe(false);
  });

  it('early-talker, rst-in-data, smuggling, tls alert, BDAT with CRLF.CRLF', async () => {
    expect((await at('smtp/early-talker.pcap')).sessions[0]!.earlyTalker).not.toBeNull();
    const rst = await at('smtp/rst-in-data.pcap');
    expect(rst.sessions[0]).toMatchObject({ closedBy: 'rst', state: 'data' });
    expect(of(rst.events, 'data-end')[0]!.complete).toBe(false);
    expect(of((await at('smtp/smtp-smuggling.pcap')).events, 'data-end')[0]!.lookalikes.map((l) => l.kind)).toEqual(['LF.LF']);
    const tls = await at('smtp/tls-alert-after-clienthello.pcap');
    expect(tls.sessions[0]!.tls).toMatchObject({ started: true, alert: 'protocol_version', established: false });
    const bdat = await at('real/postfix-bdat-crlfdotcrlf.pcap');
    expect(of(bdat.events, 'bdat-chunk').map((c) => c.lookalikes.map((l) => l.kind))).toEqual([['CRLF.CRLF'], []]);
    expect(bdat.sessions[0]!.transactions[0]!.outcome).toBe('accepted');
  });
});

describe('TLS facts in the session model', () => {
  it('a completed STARTTLS session that closes with an encrypted alert reports no alert; the record event keeps it', async () => {
    const { sessions, events } = await analyzeFile(join(import.meta.dirname, '../../../shared/conformance/zeek/starttls.pcap'));
    expect(sessions[0]!.tls).toMatchObject({ started: true, established: true, alert: null });
    const alerts = of(events, 'tls').filter((e) => e.phase === 'record' && e.record.type === 'alert');
    expect(alerts.length).toBeGreaterThan(0);
  });

  it('a handshake refused with an alert in clear keeps the alert', async () => {
    const { sessions } = await at('smtp/tls-alert-after-clienthello.pcap');
    expect(sessions[0]!.tls).toMatchObject({ alert: 'protocol_version', established: false });
  });
});
