import type Database from 'better-sqlite3';
import type { ApiKeyRecord } from '../../domain/roles';

/** Tables of the auth part of the store, created idempotently at start-up. */
export function createAuthSchema(db: Database.Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS api_keys (
      key_id TEXT PRIMARY KEY,
      doc TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS settings (
      name TEXT PRIMARY KEY,
      value TEXT NOT NULL
    );
  `);
}

/**
 * API keys and the token signing secret. Atomic: each write is one statement on a primary key
 * (INSERT OR IGNORE for "create unless it exists", UPDATE ... WHERE for "replace if it exists"),
 * and better-sqlite3 runs it synchronously in the engine's only process.
 */
export class SqliteApiKeys {
  constructor(private readonly db: Database.Database) {}

  create(key: ApiKeyRecord): boolean {
    return this.db.prepare(`INSERT OR IGNORE INTO api_keys (key_id, doc) VALUES (?, ?)`).run(key.keyId, JSON.stringify(key)).changes > 0;
  }

  update(key: ApiKeyRecord): boolean {
    return this.db.prepare(`UPDATE api_keys SET doc = ? WHERE key_id = ?`).run(JSON.stringify(key), key.keyId).changes > 0;
  }

  get(keyId: string): ApiKeyRecord | null {
    const row = this.db.prepare(`SELECT doc FROM api_keys WHERE key_id = ?`).get(keyId) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as ApiKeyRecord) : null;
  }

  list(): ApiKeyRecord[] {
    return (this.db.prepare(`SELECT doc FROM api_keys ORDER BY key_id`).all() as Array<{ doc: string }>).map(
      (r) => JSON.parse(r.doc) as ApiKeyRecord,
    );
  }

  delete(keyId: string): boolean {
    return this.db.prepare(`DELETE FROM api_keys WHERE key_id = ?`).run(keyId).changes > 0;
  }

  /** INSERT OR IGNORE keeps the first secret; the SELECT then reads whichever won. */
  tokenSigningSecret(candidate: string): string {
    return this.db.transaction(() => {
      this.db.prepare(`INSERT OR IGNORE INTO settings (name, value) VALUES ('token_signing_secret', ?)`).run(candidate);
      return (this.db.prepare(`SELECT value FROM settings WHERE name = 'token_signing_secret'`).get() as { value: string }).value;
    })();
  }
}
