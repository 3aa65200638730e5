import type { ConversationLeases } from './conversation-leases';
import { newLeaseToken } from './lease-owner';
import { SqliteTable } from './sqlite-table';
import { callStore } from './store-call';

/** The query function of @keyv/sqlite (`database.all`, promisified). */
export type SqliteQuery = (sql: string, ...parameters: unknown[]) => Promise<unknown[]>;

/**
 * Leases in a table of the SQLite file the conversations live in, so several processes on one host
 * sharing the file exclude each other. Each statement is atomic in SQLite; `RETURNING` says whether
 * it took effect. Expiry compares wall-clock times of the processes (same host).
 */
export class SqliteLeases implements ConversationLeases {
  readonly #table: SqliteTable;
  readonly #timeoutMs: number;
  readonly #now: () => number;

  constructor(query: SqliteQuery, options: { table: string; timeoutMs: number; now?: () => number }) {
    this.#table = new SqliteTable(query, options.table, 'key TEXT PRIMARY KEY, token TEXT NOT NULL, expires INTEGER NOT NULL');
    this.#timeoutMs = options.timeoutMs;
    this.#now = options.now ?? Date.now;
  }

  /** Run a statement within the store time-out. */
  async #run(what: string, sql: string, ...parameters: unknown[]): Promise<unknown[]> {
    return callStore(what, this.#timeoutMs, () => this.#statement(sql, parameters));
  }

  #statement(sql: string, parameters: unknown[]): Promise<unknown[]> {
    return this.#table.run(sql, parameters);
  }

  async acquire(key: string, ttlMs: number): Promise<string | undefined> {
    const token = newLeaseToken();
    const now = this.#now();
    const sent = this.#statement(
      `INSERT INTO ${this.#table.name} (key, token, expires) VALUES (?, ?, ?)
       ON CONFLICT(key) DO UPDATE SET token = excluded.token, expires = excluded.expires
       WHERE ${this.#table.name}.expires <= ? RETURNING token`,
      [key, token, now + Math.ceil(ttlMs), now],
    );
    try {
      const rows = await callStore('take conversation lease', this.#timeoutMs, () => sent);
      return rows.length === 1 ? token : undefined;
    } catch (error) {
      // Timed out but may still complete: give such a lease back rather than leave it locked.
      sent.then((rows) => (rows.length === 1 ? this.release(key, token) : undefined)).catch(() => undefined);
      throw error;
    }
  }

  async renew(key: string, token: string, ttlMs: number): Promise<boolean> {
    const now = this.#now();
    const rows = await this.#run(
      'renew conversation lease',
      `UPDATE ${this.#table.name} SET expires = ? WHERE key = ? AND token = ? AND expires > ? RETURNING key`,
      now + Math.ceil(ttlMs),
      key,
      token,
      now,
    );
    return rows.length === 1;
  }

  async clearDeadOwners(isDead: (token: string) => boolean): Promise<number> {
    const rows = (await this.#run('read conversation leases', `SELECT key, token FROM ${this.#table.name}`)) as { key: string; token: string }[];
    let cleared = 0;
    for (const row of rows) {
      if (!isDead(row.token)) continue;
      const gone = await this.#run('clear a dead lease', `DELETE FROM ${this.#table.name} WHERE key = ? AND token = ? RETURNING key`, row.key, row.token);
      cleared += gone.length;
    }
    return cleared;
  }

  async release(key: string, token: string): Promise<boolean> {
    const rows = await this.#run(
      'release conversation lease',
      `DELETE FROM ${this.#table.name} WHERE key = ? AND token = ? RETURNING expires`,
      key,
      token,
    );
    const expires = (rows[0] as { expires?: unknown } | undefined)?.expires;
    return typeof expires === 'number' && expires > this.#now();
  }
}
