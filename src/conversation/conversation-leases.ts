/**
 * A per-conversation lease (a lock that expires): whoever holds it may load, change and save the
 * conversation; it expires `ttlMs` after the last renewal, so a holder that dies does not block the
 * conversation for ever. Tokens are random per acquisition; only the owner may renew or release.
 * Store failures reject with LegoError 'store-unavailable'.
 */
export interface ConversationLeases {
  /** A new token when the lease was free (or expired); undefined when someone else holds it. */
  acquire(key: string, ttlMs: number): Promise<string | undefined>;
  /** Extend the lease; false when `token` no longer owns it. */
  renew(key: string, token: string, ttlMs: number): Promise<boolean>;
  /** Release the lease if `token` still owns it; false otherwise. */
  release(key: string, token: string): Promise<boolean>;
  /**
   * At start: drop the leases whose token's owner is a dead process of this host (see lease-owner.ts);
   * resolves with how many. Stores whose leases die with the process (memory) have none.
   */
  clearDeadOwners?(isDead: (token: string) => boolean): Promise<number>;
}
