/** Synthesizer of TCP conversations for tests, fixtures and benchmarks. */
export { TcpConversation, mergeFrames } from './conversation.js';
export type { ConversationOptions, Endpoint, Retransmit, SendOptions, SynthFrame } from './conversation.js';
export { LINKTYPE, linkTypeOf } from './link.js';
export type { LinkSpec } from './link.js';
export { addMs, addNs, timeFromIso } from './clock.js';
export { internetChecksum } from './checksum.js';
export { parseIp } from './ip.js';
export { smtpSessionFrames } from './smtp-session.js';
export type { SmtpSessionOptions } from './smtp-session.js';
