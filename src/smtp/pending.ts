/**
 * The PIPELINING queue (RFC 2920 §3.2 (1): the server "MUST ... respond in
 * order"): commands waiting for their reply, FIFO. Pseudo-commands make the
 * pairing exact (DESIGN habit 2): the greeting answers '<connect>', the reply
 * after the body answers '<end-of-data>', the XEXCH50 BLOB's '<end-of-blob>',
 * a SASL answer line '<auth-response>'. A reply with nothing pending is a fact
 * (unexpected-reply), not an error of ours.
 *
 * Bounded by LIMITS.maxPendingCommands: beyond it the oldest entry is dropped
 * and the caller reports 'pending-limit'.
 */
import { LIMITS } from '../limits.js';
import { endsGroup } from './commands.js';
import type { Command } from './events.js';

/** A queue entry: the command and what its reply must update (owned by the caller). */
export interface Pending<C> {
  cmd: Command;
  /** Verb key for the state table ('BDAT LAST' for the last chunk). */
  key: string;
  ctx: C;
}

export class PendingQueue<C> {
  private items: Pending<C>[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  /** Facts for a command about to be sent: was it pipelined, and behind which group-ending command. */
  pipelining(): { pipelined: boolean; afterGroupEnd: string | null } {
    let pipelined = false;
    let afterGroupEnd: string | null = null;
    for (let i = this.head; i < this.items.length; i++) {
      const v = this.items[i]!.cmd.verb;
      // The greeting is awaited, not a pipelined reply: sending before it is the early-talker fact.
      if (v === '<connect>') continue;
      pipelined = true;
      if (afterGroupEnd === null && endsGroup(v)) afterGroupEnd = v;
    }
    return { pipelined, afterGroupEnd };
  }

  /** Adds a command; returns the entry dropped to stay within the limit, if any. */
  push(p: Pending<C>): Pending<C> | null {
    this.items.push(p);
    if (this.size > LIMITS.maxPendingCommands) return this.shift();
    return null;
  }

  shift(): Pending<C> | null {
    if (this.head >= this.items.length) return null;
    const p = this.items[this.head]!;
    this.head++;
    // Compact now and then so the array does not grow with the session.
    if (this.head > 64 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return p;
  }

  peek(): Pending<C> | null {
    return this.items[this.head] ?? null;
  }

  /** Entries still waiting, oldest first. */
  list(): Pending<C>[] {
    return this.items.slice(this.head);
  }

  clear(): Pending<C>[] {
    const all = this.list();
    this.items = [];
    this.head = 0;
    return all;
  }
}
