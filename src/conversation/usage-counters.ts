import type { SqliteQuery } from './sqlite-leases';
import type { RedisSend } from './redis-leases';
import { SqliteTable } from './sqlite-table';
import { callStore } from './store-call';

/**
 * Counters that expire, kept in the configured store so that every instance of the bot sees the same
 * figures (per-user limits: turns per minute, media bytes per day). `add` is atomic in the store: two
 * instances adding at once both count. A counter lives until `ttlMs` after its first `add`; callers put
 * the time window into the key (`turns:<user>:<minute>`), so a new window starts a new counter.
 */
export interface UsageCounters {
  /** Add `amount` (may be negative) and return the new total. */
  add(key: string, amount: number, ttlMs: number): Promise<number>;
  /** The current total (0 when there is none). */
  get(key: string): Promise<number>;
}

/** In this process only (the memory store): a Map with expiry times. */
export class MemoryUsageCounters implements UsageCounters {
  readonly #values = new Map<string, { value: number; expires: number }>();
  readonly #now: () => number;

  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
  }

  async add(key: string, amount: number, ttlMs: number): Promise<number> {
    const now = this.#now();
    this.#sweep(now);
    const current = this.#values.get(key);
    const entry = current !== undefined && current.expires > now ? current : { value: 0, expires: now + ttlMs };
    entry.value += amount;
    this.#values.set(key, entry);
    return entry.value;
  }

  async get(key: string): Promise<number> {
    const entry = this.#values.get(key);
    return entry !== undefined && entry.expires > this.#now() ? entry.value : 0;
  }

  #sweep(now: number): void {
    if (this.#values.size < 1_000) return;
    for (const [key, entry] of this.#values) if (entry.expires <= now) this.#values.delete(key);
  }
}

// INCRBY and set the expiry with the first add, in one atomic step.
const ADD_SCRIPT =
  "local v = redis.call('incrby', KEYS[1], ARGV[1]); if redis.call('pttl', KEYS[1]) < 0 then redis.call('pexpire', KEYS[1], ARGV[2]) end; return v";

/** In Redis: INCRBY with the expiry set on first use; expiry is Redis's own. */
export class RedisUsageCounters implements UsageCounters {
  readonly #send: RedisSend;
  readonly #namespace: string;
  readonly #timeoutMs: number;

  constructor(send: RedisSend, options: { namespace: string; timeoutMs: number }) {
    this.#send = send;
    this.#namespace = options.namespace;
    this.#timeoutMs = options.timeoutMs;
  }

  #key(key: string): string {
    return `${this.#namespace}:usage:${key}`;
  }

  async add(key: string, amount: number, ttlMs: number): Promise<number> {
    const reply = await callStore('count usage', this.#timeoutMs, () =>
      this.#send(['EVAL', ADD_SCRIPT, '1', this.#key(key), String(Math.round(amount)), String(Math.ceil(ttlMs))]),
    );
    return Number(reply);
  }

  async get(key: string): Promise<number> {
    const reply = await callStore('read usage', this.#timeoutMs, () => this.#send(['GET', this.#key(key)]));
    return reply === null || reply === undefined ? 0 : Number(reply);
  }
}

/** In a table of the SQLite file (processes on one host share it); one UPSERT per add. */
export class SqliteUsageCounters implements UsageCounters {
  readonly #table: SqliteTable;
  readonly #timeoutMs: number;
  readonly #now: () => number;

  constructor(query: SqliteQuery, options: { table: string; timeoutMs: number; now?: () => number }) {
    this.#table = new SqliteTable(query, options.table, 'key TEXT PRIMARY KEY, value INTEGER NOT NULL, expires INTEGER NOT NULL');
    this.#timeoutMs = options.timeoutMs;
    this.#now = options.now ?? Date.now;
  }


  async add(key: string, amount: number, ttlMs: number): Promise<number> {
    const now = this.#now();
    const t = this.#table.name;
    const rows = await callStore('count usage', this.#timeoutMs, () =>
      this.#table.run(
        `INSERT INTO ${t} (key, value, expires) VALUES (?, ?, ?)
         ON CONFLICT(key) DO UPDATE SET
           value = CASE WHEN ${t}.expires <= ? THEN excluded.value ELSE ${t}.value + excluded.value END,
           expires = CASE WHEN ${t}.expires <= ? THEN excluded.expires ELSE ${t}.expires END
         RETURNING value`,
        [key, Math.round(amount), now + Math.ceil(ttlMs), now, now],
      ),
    );
    return Number((rows[0] as { value?: unknown } | undefined)?.value ?? 0);
  }

  async get(key: string): Promise<number> {
    const rows = await callStore('read usage', this.#timeoutMs, () =>
      this.#table.run(`SELECT value FROM ${this.#table.name} WHERE key = ? AND expires > ?`, [key, this.#now()]),
    );
    return Number((rows[0] as { value?: unknown } | undefined)?.value ?? 0);
  }
}
