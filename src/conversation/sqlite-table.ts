import type { SqliteQuery } from './sqlite-leases';

/**
 * One table of the conversations' SQLite file, created on first use: the name is checked once (it is
 * written into SQL), `CREATE TABLE IF NOT EXISTS` runs before the first statement, and a failed creation
 * is tried again by the next statement rather than remembered.
 */
export class SqliteTable {
  readonly name: string;
  readonly #query: SqliteQuery;
  readonly #columns: string;
  #ready: Promise<unknown> | undefined;

  constructor(query: SqliteQuery, name: string, columns: string) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`bad table name ${name}`);
    this.name = name;
    this.#query = query;
    this.#columns = columns;
  }

  /** Run one statement, after the table exists. */
  async run(sql: string, parameters: readonly unknown[]): Promise<unknown[]> {
    this.#ready ??= this.#query(`CREATE TABLE IF NOT EXISTS ${this.name} (${this.#columns})`).catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    await this.#ready;
    return this.#query(sql, ...parameters);
  }
}
