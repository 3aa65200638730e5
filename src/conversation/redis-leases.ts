import type { ConversationLeases } from './conversation-leases';
import { newLeaseToken } from './lease-owner';
import { callStore } from './store-call';

/** Sends one raw command to Redis (node-redis: `(args) => client.sendCommand(args)`). */
export type RedisSend = (args: string[]) => Promise<unknown>;

// Renew and release must check the owner and act in one step: a Lua script runs atomically in Redis.
const RENEW_SCRIPT = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
const RELEASE_SCRIPT = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/** Leases in Redis: `SET key token NX PX ttl`; expiry is Redis's own. */
export class RedisLeases implements ConversationLeases {
  readonly #send: RedisSend;
  readonly #namespace: string;
  readonly #timeoutMs: number;

  constructor(send: RedisSend, options: { namespace: string; timeoutMs: number }) {
    this.#send = send;
    this.#namespace = options.namespace;
    this.#timeoutMs = options.timeoutMs;
  }

  #leaseKey(key: string): string {
    return `${this.#namespace}:lease:${key}`;
  }

  async acquire(key: string, ttlMs: number): Promise<string | undefined> {
    const token = newLeaseToken();
    const sent = this.#send(['SET', this.#leaseKey(key), token, 'NX', 'PX', String(Math.ceil(ttlMs))]);
    try {
      const reply = await callStore('take conversation lease', this.#timeoutMs, () => sent);
      return reply === 'OK' ? token : undefined;
    } catch (error) {
      // Timed out, but the command may still run when Redis wakes up: give that lease back at once
      // rather than leaving the conversation locked by a token nobody holds.
      sent.then((reply) => (reply === 'OK' ? this.release(key, token) : undefined)).catch(() => undefined);
      throw error;
    }
  }

  async renew(key: string, token: string, ttlMs: number): Promise<boolean> {
    const reply = await callStore('renew conversation lease', this.#timeoutMs, () =>
      this.#send(['EVAL', RENEW_SCRIPT, '1', this.#leaseKey(key), token, String(Math.ceil(ttlMs))]),
    );
    return Number(reply) === 1;
  }

  async clearDeadOwners(isDead: (token: string) => boolean): Promise<number> {
    const prefix = this.#leaseKey('');
    let cursor = '0';
    let cleared = 0;
    do {
      const reply = (await callStore('scan conversation leases', this.#timeoutMs, () =>
        this.#send(['SCAN', cursor, 'MATCH', `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`, 'COUNT', '200']),
      )) as [string, string[]];
      cursor = String(reply[0]);
      for (const leaseKey of reply[1]) {
        const token = await callStore('read a conversation lease', this.#timeoutMs, () => this.#send(['GET', leaseKey]));
        if (typeof token !== 'string' || !isDead(token)) continue;
        // only if it still holds that token (a live process may have taken it meanwhile)
        const gone = await callStore('clear a dead lease', this.#timeoutMs, () => this.#send(['EVAL', RELEASE_SCRIPT, '1', leaseKey, token]));
        cleared += Number(gone) === 1 ? 1 : 0;
      }
    } while (cursor !== '0');
    return cleared;
  }

  async release(key: string, token: string): Promise<boolean> {
    const reply = await callStore('release conversation lease', this.#timeoutMs, () =>
      this.#send(['EVAL', RELEASE_SCRIPT, '1', this.#leaseKey(key), token]),
    );
    return Number(reply) === 1;
  }
}
