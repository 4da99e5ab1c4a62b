/** Registry slice: rules of spec/rules.md "Greeting and hello" and "TLS". One import per module. */
import type { Rule } from '../types.js';
import bannerDisclosure from '../catalog/banner-disclosure.js';
import greetingRefused from '../catalog/greeting-refused.js';
import heloFallback from '../catalog/helo-fallback.js';
import heloInvalid from '../catalog/helo-invalid.js';
import middleboxMasking from '../catalog/middlebox-masking.js';
import noGreeting from '../catalog/no-greeting.js';
import starttlsStripped from '../catalog/starttls-stripped.js';
import tlsCertProblem from '../catalog/tls-cert-problem.js';
import tlsHandshakeFailed from '../catalog/tls-handshake-failed.js';
import tlsNotOffered from '../catalog/tls-not-offered.js';
import tlsRefused from '../catalog/tls-refused.js';
import tlsWeakVersion from '../catalog/tls-weak-version.js';

export const GREETING_TLS_RULES = [
  bannerDisclosure,
  greetingRefused,
  heloFallback,
  heloInvalid,
  middleboxMasking,
  noGreeting,
  starttlsStripped,
  tlsCertProblem,
  tlsHandshakeFailed,
  tlsNotOffered,
  tlsRefused,
  tlsWeakVersion,
] as unknown as readonly Rule[];
