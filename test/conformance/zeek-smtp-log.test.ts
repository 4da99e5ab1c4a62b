/**
 * Issue 3's Zeek differential test: for every Zeek smtp.log baseline in
 * ../shared/conformance/zeek (`<name>.zeek-smtp.log` and `<name>.zeek-<variant>-smtp.log`),
 * the rows Zeek logged for <name>.pcap(ng) equal our transactions, seen through Zeek's
 * logging conventions (zeek-helpers.ts ourSmtpRows): per connection, in order, the same
 * number of rows, and per row the same helo, mailfrom, rcptto (set), last_reply
 * ("code text", last line) and tls.
 *
 * Where Zeek's rows follow a Zeek-only convention, PLANS says how its rows map to our
 * transactions and which fields differ, with the reason; every listed difference is
 * asserted to be a difference, and every row not listed is compared in full.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runPipeline, type PipelineResult } from '../../src/pipeline.js';
import { DEFAULT_PORTS } from '../../src/ports.js';
import type { SmtpSession } from '../../src/smtp/index.js';
import { CONFORMANCE } from '../helpers/corpus.js';
import {
  ROW_FIELDS,
  connOf,
  ourSmtpRows,
  parseZeekLog,
  set,
  value,
  zeekSmtpRows,
  type OurRow,
  type RowField,
  type SmtpRow,
} from './zeek-helpers.js';

const ZEEK = join(CONFORMANCE, 'zeek');
const LOG = /^(.+)\.zeek-(?:(.+)-)?smtp\.log$/;

/** Every smtp.log baseline, with the capture it belongs to. */
function baselines(): { log: string; name: string; capture: string }[] {
  if (!existsSync(ZEEK)) return [];
  const out: { log: string; name: string; capture: string }[] = [];
  for (const f of readdirSync(ZEEK).sort()) {
    const m = LOG.exec(f);
    if (!m) continue;
    const capture = ['pcap', 'pcapng'].map((e) => join(ZEEK, `${m[1]}.${e}`)).find((p) => existsSync(p));
    if (!capture) throw new Error(`no capture for ${f}`);
    out.push({ log: f, name: m[1]!, capture });
  }
  return out;
}

/** How a Zeek row that does not simply line up with ours is matched, and why. */
interface Plan {
  /**
   * Every Zeek row of the file (1-based line in the log) → the MAIL frame of our
   * transaction it describes, or null when we have no counterpart (`absent` proves why).
   */
  map: Record<number, number | null>;
  /** Per mapped row, the fields Zeek's convention makes differ (asserted to differ). */
  differs?: Record<number, RowField[]>;
  /** Our rows that no Zeek row maps to must each satisfy this. */
  oursOnly?: (row: OurRow, s: SmtpSession) => boolean;
  /** The facts that explain the rows mapped to null (must hold). */
  absent?: (r: PipelineResult) => void;
  why: string;
}

/** Frames in mail-transactions-invalid.pcap (tshark -r, checked by hand). */
const MTI = { firstMail: 8, openMail: 36, nestedMail: 57 };

/** The nested MAIL (frame 57) refused "503 sender already given": a refused command, no envelope of its own. */
function nestedMailRefused(row: OurRow, s: SmtpSession): boolean {
  const t = s.transactions.find((x) => x.frame === row.frame);
  return row.frame === MTI.nestedMail && t !== undefined && t.mailCode === 503 && t.rcpts.length === 0;
}

/** RCPT TO:<alice> (frame 24) answered 503 while no transaction of ours is open (RFC 5321 §3.3: MAIL opens one). */
function rcptWithoutMail(r: PipelineResult): void {
  const s = r.sessions[0]!;
  const rcpt = s.commands.find((c) => c.verb === 'RCPT' && c.reply?.code === 503);
  expect(rcpt?.arg).toBe('TO:<alice@example.org>');
  expect(rcpt?.reply?.text).toBe('sender not yet given');
  for (const t of s.transactions) {
    const open = t.frame < rcpt!.frame && (t.result === null || t.result.frame > rcpt!.frame);
    expect(open, `transaction at MAIL frame ${t.frame} open at the RCPT`).toBe(false);
  }
}

const MTI_WHY =
  'Zeek starts a row at every MAIL and at a RCPT with no row open, whatever the reply: row 2 is the RCPT ' +
  'without MAIL (503 "sender not yet given"; weird smtp_mail_transaction_invalid), which opens no transaction ' +
  'in RFC 5321 §3.3, so we have none; row 3 is the transaction of MAIL frame 36, logged early when the nested ' +
  'MAIL (frame 57) arrives, so it lacks the RCPT sent later and has the last reply before it ("500 unrecognized ' +
  'command" to the message text sent after a refused DATA); row 4 is Zeek\'s row for the nested MAIL, but the ' +
  'server refused it ("503 sender already given": the transaction of frame 36 is still open, §4.1.4), so the RCPT ' +
  'and the accepted message that follow belong to the transaction of frame 36: row 4 agrees with it in full.';

const PLANS: Record<string, Plan> = {
  'mail-transactions-invalid.zeek-smtp.log': {
    map: { 1: MTI.firstMail, 2: null, 3: MTI.openMail, 4: MTI.openMail },
    differs: { 3: ['rcptto', 'last_reply'] },
    oursOnly: nestedMailRefused,
    absent: rcptWithoutMail,
    why: MTI_WHY,
  },
  'mail-transactions-invalid.zeek-disable-analyzer-smtp.log': {
    // The same rows as above, cut after row 3: that test sets SMTP::max_invalid_mail_transactions
    // to 2 and Zeek disables its SMTP analyzer at the third (weird smtp_excessive_invalid_mail_transactions,
    // "disabling_analyzer ... 3" in its -out): nothing after is logged. We have no such limit.
    map: { 1: MTI.firstMail, 2: null, 3: MTI.openMail },
    differs: { 3: ['rcptto', 'last_reply'] },
    oursOnly: nestedMailRefused,
    absent: rcptWithoutMail,
    why: MTI_WHY + ' Zeek then disables its analyzer (a limit of that test) and logs no row 4.',
  },
  'http-connect-smtp.zeek-smtp.log': {
    map: { 1: null },
    absent: (r) => {
      // Port 8240 is an HTTP proxy; the server's first bytes are "HTTP/1.0 200 Connection established",
      // then the tunnelled 220. Zeek's HTTP analyzer follows the CONNECT and hands the tunnel to its
      // protocol detection (tunnel.log: HTTP tunnel); we find SMTP by server port or by a 220 as the
      // server's first bytes (DESIGN.md smtp/), so this flow is not an SMTP session for us.
      expect(r.sessions.filter((s) => s.server.port === 8240)).toEqual([]);
      expect(r.flows.filter((f) => f.server.port === 8240)).toEqual([]);
    },
    why: 'SMTP inside an HTTP CONNECT tunnel on a proxy port: Zeek follows the tunnel, we do not decode HTTP CONNECT',
  },
};

function pick(r: SmtpRow): SmtpRow {
  return { helo: r.helo, mailfrom: r.mailfrom, rcptto: r.rcptto, last_reply: r.last_reply, tls: r.tls };
}

describe('Zeek ASCII log reader', () => {
  it('reads #fields, unset, empty sets, set separators and \\x escapes', () => {
    const text = [
      '#separator \\x09',
      '#set_separator\t,',
      '#empty_field\t(empty)',
      '#unset_field\t-',
      '#fields\ta\tb\tc\td',
      'x\\x09y\t-\t(empty)\tp,q\\x2cr',
      '#close\tX',
    ].join('\n');
    const log = parseZeekLog(text);
    expect(log.fields).toEqual(['a', 'b', 'c', 'd']);
    expect(log.rows).toHaveLength(1);
    const row = log.rows[0]!;
    expect(value(log, row, 'a')).toBe('x\ty');
    expect(value(log, row, 'b')).toBeNull();
    expect(set(log, row, 'c')).toEqual([]);
    expect(set(log, row, 'b')).toEqual([]);
    expect(set(log, row, 'd')).toEqual(['p', 'q,r']);
    expect(() => value(log, row, 'zz')).toThrow();
  });
});

const all = baselines();

describe.skipIf(all.length === 0)('Zeek smtp.log baselines agree with our transactions', () => {
  const results = new Map<string, PipelineResult>();
  beforeAll(async () => {
    for (const b of all) {
      if (!results.has(b.capture)) results.set(b.capture, await runPipeline([b.capture], { ports: DEFAULT_PORTS, registry: [] }));
    }
  });

  it('finds the baselines the README lists', () => {
    // 16 captures with an smtp.log, one of them (mail-transactions-invalid) with a second variant.
    expect(all.length).toBe(17);
    expect(new Set(all.map((b) => b.name)).size).toBe(16);
  });

  for (const b of all) {
    it(b.log, () => {
      const r = results.get(b.capture)!;
      const zeek = zeekSmtpRows(readFileSync(join(ZEEK, b.log), 'utf8'));
      expect(zeek.length).toBeGreaterThan(0);
      const plan = PLANS[b.log];

      // Zeek's connections (uid) in order of their first row; each is one of our sessions.
      const conns = [...new Set(zeek.map((z) => z.conn))];
      expect(new Set(zeek.map((z) => z.uid)).size).toBe(conns.length);

      if (plan) {
        expect(Object.keys(plan.map).map(Number).sort((a, b2) => a - b2)).toEqual(zeek.map((z) => z.line));
        if (Object.values(plan.map).includes(null)) {
          expect(plan.absent, 'a row without counterpart needs its proof').toBeDefined();
          plan.absent!(r);
        }
      }

      for (const conn of conns) {
        const theirs = zeek.filter((z) => z.conn === conn);
        const session = r.sessions.find((s) => connOf(s) === conn);
        if (plan && theirs.every((z) => plan.map[z.line] === null)) {
          expect(session, `${conn}: ${plan.why}`).toBeUndefined();
          continue;
        }
        expect(session, `no session of ours for Zeek's ${conn}`).toBeDefined();
        const ours = ourSmtpRows(session!);
        if (!plan) {
          // Plain case: the same rows, in order, equal in every compared field.
          expect(ours.map(pick), conn).toEqual(theirs.map(pick));
          continue;
        }
        const used = new Set<number>();
        for (const z of theirs) {
          const frame = plan.map[z.line];
          if (frame === null) continue;
          const mine = ours.find((o) => o.frame === frame);
          expect(mine, `our transaction at MAIL frame ${frame} for Zeek row ${z.line}`).toBeDefined();
          used.add(frame!);
          const differs = plan.differs?.[z.line] ?? [];
          for (const f of ROW_FIELDS) {
            const label = `${b.log} row ${z.line} ${f} (PLANS: ${plan.why.slice(0, 60)}...)`;
            if (differs.includes(f)) expect(mine![f], label).not.toEqual(z[f]);
            else expect(mine![f], label).toEqual(z[f]);
          }
        }
        for (const o of ours.filter((x) => !used.has(x.frame))) {
          expect(plan.oursOnly?.(o, session!) ?? false, `our row at frame ${o.frame} has no Zeek row: ${JSON.stringify(o)}`).toBe(true);
        }
      }
      // Every session of ours in these captures is one Zeek logged (none invented, none lost).
      const zeekConns = new Set(conns);
      expect(r.sessions.map(connOf).filter((c) => !zeekConns.has(c))).toEqual([]);
    });
  }
});
