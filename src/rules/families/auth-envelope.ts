/** Registry slice: "Authentication" and the first half of "Envelope and policy". One import per module. */
import type { Rule } from '../types.js';
import authBruteForce from '../catalog/auth-brute-force.js';
import authCleartext from '../catalog/auth-cleartext.js';
import authFailed from '../catalog/auth-failed.js';
import authRequired from '../catalog/auth-required.js';
import directoryHarvest from '../catalog/directory-harvest.js';
import openRelay from '../catalog/open-relay.js';
import relayDenied from '../catalog/relay-denied.js';
import senderRejected from '../catalog/sender-rejected.js';
import tooManyRecipients from '../catalog/too-many-recipients.js';
import unknownRecipient from '../catalog/unknown-recipient.js';

export const AUTH_ENVELOPE_RULES = [
  authBruteForce,
  authCleartext,
  authFailed,
  authRequired,
  directoryHarvest,
  openRelay,
  relayDenied,
  senderRejected,
  tooManyRecipients,
  unknownRecipient,
] as unknown as readonly Rule[];
