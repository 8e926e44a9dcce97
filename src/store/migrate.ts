/**
 * Runs the in-code migrations. On PostgreSQL several nodes may start at once: a session advisory lock,
 * held on its own pooled connection for the whole run, makes them take turns, and the later ones find
 * nothing left to do.
 */
import { Migrator, sql } from 'kysely';
import { KeywayError } from '../core/errors.js';
import { InCodeMigrationProvider } from './migrations/index.js';
import { errorText, type Connection } from './connection.js';

export async function runMigrations(conn: Connection): Promise<void> {
  const { db, dialect, schema } = conn;
  const migrator = new Migrator({
    db,
    provider: new InCodeMigrationProvider(dialect),
    migrationTableName: 'keyway_migrations',
    migrationLockTableName: 'keyway_migrations_lock',
    // Kysely looks for its bookkeeping table in every schema unless told which: name ours explicitly so a
    // Keyway in another schema of the same database is not mistaken for this one.
    ...(dialect === 'postgres' ? { migrationTableSchema: schema ?? 'public' } : {}),
  });

  const migrate = async (): Promise<void> => {
    const { error, results } = await migrator.migrateToLatest();
    if (error !== undefined) {
      const failed = results?.find((r) => r.status === 'Error');
      throw new KeywayError(
        'KW_ERR_STORE_UNAVAILABLE',
        { reason: `migration ${failed?.migrationName ?? '(setup)'} failed: ${errorText(error)}` },
        { cause: error },
      );
    }
  };

  if (dialect !== 'postgres') {
    await migrate();
    return;
  }

  const lockKey = `keyway:migrate:${schema ?? 'public'}`;
  await db.connection().execute(async (lockConn) => {
    await sql`select pg_advisory_lock(hashtext(${lockKey}))`.execute(lockConn);
    try {
      if (schema !== undefined) await sql`create schema if not exists ${sql.id(schema)}`.execute(lockConn);
      await migrate();
    } finally {
      await sql`select pg_advisory_unlock(hashtext(${lockKey}))`.execute(lockConn);
    }
  });
}
