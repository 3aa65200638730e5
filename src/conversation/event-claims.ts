import type { ConversationLeases } from './conversation-leases';

/**
 * "Has any instance taken this event yet?", answered by the configured store so that a platform's retry
 * delivered to another instance is not answered twice (Slack retries a delivery it thinks was lost).
 */
export interface EventClaims {
  /** true for the first caller of `key` within `ttlMs`, on any instance sharing the store */
  claim(key: string, ttlMs: number): Promise<boolean>;
}

/** Claims as leases that are never released: the first `acquire` wins until the lease expires. */
export function eventClaimsFrom(leases: ConversationLeases): EventClaims {
  return {
    async claim(key, ttlMs) {
      return (await leases.acquire(`event:${key}`, ttlMs)) !== undefined;
    },
  };
}
