/** Registry slice: the second half of "Envelope and policy", and "Exchange XEXCH50". One import per module. */
import type { Rule } from '../types.js';
import messageRejected from '../catalog/message-rejected.js';
import messageTooLarge from '../catalog/message-too-large.js';
import slowReply from '../catalog/slow-reply.js';
import tarpit from '../catalog/tarpit.js';
import temporaryFailure from '../catalog/temporary-failure.js';
import tooManyErrors from '../catalog/too-many-errors.js';
import xexch50BlobDropped from '../catalog/xexch50-blob-dropped.js';
import xexch50Refused from '../catalog/xexch50-refused.js';

export const POLICY_XEXCH50_RULES = [
  messageRejected,
  messageTooLarge,
  slowReply,
  tarpit,
  temporaryFailure,
  tooManyErrors,
  xexch50BlobDropped,
  xexch50Refused,
] as unknown as readonly Rule[];
