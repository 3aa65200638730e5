import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { processAlive } from '../process-alive';

/**
 * Who holds a lease: `host:pid` in front of each lease token (`host:pid/uuid`). A process that starts
 * clears the leases of this host whose process is gone (killed with SIGKILL, crashed), instead of
 * letting the next turn of those conversations wait out the TTL. A lease of another host, or of a
 * pid that is alive again (reused), still waits for its TTL, which the holder's heartbeat keeps short.
 * Containers that share a store need distinct host names (their default).
 */
export interface LeaseOwner {
  host: string;
  pid: number;
}

/** This process as a lease owner. */
export function currentLeaseOwner(): LeaseOwner {
  return { host: hostname(), pid: process.pid };
}

/** A fresh lease token carrying its owner. */
export function newLeaseToken(owner: LeaseOwner = currentLeaseOwner()): string {
  return `${owner.host}:${owner.pid}/${randomUUID()}`;
}

/** The owner a token names, or undefined for tokens without one (written before owners were recorded). */
export function ownerOfToken(token: string): LeaseOwner | undefined {
  const slash = token.lastIndexOf('/');
  if (slash < 0) return undefined;
  const head = token.slice(0, slash);
  const colon = head.lastIndexOf(':');
  if (colon < 0) return undefined;
  const pid = Number(head.slice(colon + 1));
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  return { host: head.slice(0, colon), pid };
}

/** true when the token's owner is a process of this host that no longer runs. */
export function ownerIsDeadHere(token: string, here: LeaseOwner = currentLeaseOwner(), alive: (pid: number) => boolean = processAlive): boolean {
  const owner = ownerOfToken(token);
  if (owner === undefined || owner.host !== here.host) return false;
  if (owner.pid === here.pid) return false;
  return !alive(owner.pid);
}
