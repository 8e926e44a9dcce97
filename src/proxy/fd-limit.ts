/**
 * How many client connections a node holds by default: from the process's open-file limit, which Node raises
 * to the hard limit at start-up. Every client connection is a descriptor, and so is the upstream connection of
 * each request in flight, so half of what is left after a reserve (store, logs, record thread, DNS) goes to
 * clients. With a limit of 1,024 that is 480 connections, with 65,536 it is 32,736.
 */
import { readFileSync } from 'node:fs';

const RESERVED = 64;
/** Where the limit cannot be read (not Linux). */
const UNKNOWN_LIMIT_CONNECTIONS = 10_000;

/** The soft limit on open files, from /proc/self/limits; undefined where there is none to read. */
export function openFileLimit(): number | undefined {
  let text: string;
  try {
    text = readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return undefined;
  }
  const m = /^Max open files\s+(\d+|unlimited)/m.exec(text);
  if (m === null) return undefined;
  return m[1] === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(m[1]);
}

export function defaultMaxConnections(limit = openFileLimit()): number {
  if (limit === undefined) return UNKNOWN_LIMIT_CONNECTIONS;
  return Math.max(RESERVED, Math.min(1_000_000, Math.floor((limit - RESERVED) / 2)));
}
