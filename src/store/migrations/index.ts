/**
 * Migrations live in code, not in files found at run time: the compiled package carries them and no
 * directory scan can pick up a stray file. Names sort in the order they run.
 */
import type { Migration, MigrationProvider } from 'kysely';
import type { Dialect } from '../types.js';
import { initialMigration } from './0001-initial.js';
import { appsMigration } from './0002-apps.js';
import { apiKeysMigration } from './0003-api-keys.js';
import { plansMigration } from './0004-plans.js';
import { observeMigration } from './0005-observe.js';
import { leasesMigration } from './0006-leases.js';
import { aiMigration } from './0007-ai.js';
import { rollupModelsMigration } from './0008-rollup-models.js';
import { alertKindsMigration } from './0009-alert-kinds.js';
import { adminUsersMigration } from './0010-admin-users.js';
import { configHistoryMigration } from './0011-config-history.js';
import { configChangesMigration } from './0012-config-changes.js';
import { subscriptionsMigration } from './0013-subscriptions.js';
import { adminUserDisabledMigration } from './0014-admin-user-disabled.js';
import { configHistoryDeltasMigration } from './0015-config-history-deltas.js';

export function migrations(dialect: Dialect): Record<string, Migration> {
  return {
    '0001-initial': initialMigration(dialect),
    '0002-apps': appsMigration(),
    '0003-api-keys': apiKeysMigration(dialect),
    '0004-plans': plansMigration(),
    '0005-observe': observeMigration(dialect),
    '0006-leases': leasesMigration(),
    '0007-ai': aiMigration(),
    '0008-rollup-models': rollupModelsMigration(),
    '0009-alert-kinds': alertKindsMigration(dialect),
    '0010-admin-users': adminUsersMigration(),
    '0011-config-history': configHistoryMigration(dialect),
    '0012-config-changes': configChangesMigration(dialect),
    '0013-subscriptions': subscriptionsMigration(),
    '0014-admin-user-disabled': adminUserDisabledMigration(),
    '0015-config-history-deltas': configHistoryDeltasMigration(),
  };
}

export class InCodeMigrationProvider implements MigrationProvider {
  readonly #migrations: Record<string, Migration>;

  constructor(dialect: Dialect) {
    this.#migrations = migrations(dialect);
  }

  getMigrations(): Promise<Record<string, Migration>> {
    return Promise.resolve(this.#migrations);
  }
}
