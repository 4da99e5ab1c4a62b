import rule from '../../src/rules/catalog/auth-brute-force.js';
import type { Rule } from '../../src/rules/index.js';
import { ruleTester } from '../helpers/rule-tester.js';
import { describe } from 'vitest';
import { GUESSES, REAL_AUTH_CAPTURES, itLeaksNoPassword, mergedCapture } from './auth-helpers.js';

const P1 = 'dialogues/rules/auth-brute-force-part1.smtp';
const P2 = 'dialogues/rules/auth-brute-force-part2.smtp';
const OTHER = 'dialogues/rules/auth-brute-force-other-client.smtp';

ruleTester.run(rule as unknown as Rule, {
  valid: [
    { name: 'one failed login (real 535)', capture: 'captures/real/smtp-server-auth-login-535.pcap' },
    { name: 'three failures stay below the default threshold of 5', dialogue: P1 },
    { name: 'five failures from two clients (3 + 2) do not add up', capture: mergedCapture([P1, OTHER]) },
  ],
  invalid: [
    {
      name: 'five guesses in one session',
      dialogue: 'dialogues/rules/auth-brute-force-one-session.smtp',
      findings: [{ session: null, client: '203.0.113.7', data: { client: '203.0.113.7', attempts: 5, sessions: 1, users: 'admin' }, evidence: ['AUTH LOGIN', '535 5.7.8', 'AUTH LOGIN', '535 5.7.8'] }],
    },
    {
      name: 'five guesses across two sessions of one client; another client\'s failures not counted',
      capture: mergedCapture([P1, P2, OTHER]),
      findings: [{ session: null, client: '203.0.113.7', data: { attempts: 5, sessions: 2, users: 'admin, root' }, evidence: ['AUTH PLAIN', '535', 'AUTH LOGIN', '535'] }],
    },
    {
      name: '--threshold auth-brute-force=3 lowers the bar',
      dialogue: P1,
      options: { thresholds: { 'auth-brute-force': 3 } },
      findings: [{ data: { attempts: 3, sessions: 1, threshold: 3 } }],
    },
  ],
});

describe('auth-brute-force never shows a password', () => {
  // Every guess of the three dialogues, as its user sent it (PLAIN for admin, LOGIN for root and bob).
  const guesses = [
    ...GUESSES.slice(0, 3).map((password) => ({ user: 'admin', password })),
    ...GUESSES.slice(3, 5).map((password) => ({ user: 'root', password })),
    ...GUESSES.slice(0, 2).map((password) => ({ user: 'bob', password })),
  ];
  itLeaksNoPassword('merged guessing sessions', { name: 'merged', capture: mergedCapture([P1, P2, OTHER]) }, guesses);
  for (const { capture, cred } of REAL_AUTH_CAPTURES) itLeaksNoPassword(capture, { name: capture, capture }, [cred]);
});
