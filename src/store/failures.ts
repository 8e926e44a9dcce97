/**
 * Which database errors mean "the store cannot serve right now" (KW_ERR_STORE_UNAVAILABLE, 503: retry
 * later) and which mean "the database refused this statement" (a constraint or a bug: the caller's to map,
 * else 500). The distinction decides what an operator sees during an outage: a 500 with a stack trace
 * says "bug", which an unreachable PostgreSQL is not.
 */

/**
 * SQLSTATE classes of an unavailable server (PostgreSQL appendix A): 08 connection exception, 53
 * insufficient resources, 57 operator intervention (admin shutdown, cannot connect now, query canceled),
 * 58 system error; and 40001/40P01 (serialization failure, deadlock), which succeed when retried.
 */
const PG_OUTAGE = /^(08|53|57|58)|^40001$|^40P01$/;

/** SQLite result codes of a store that cannot serve now, as opposed to a statement it refuses. */
const SQLITE_OUTAGE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|READONLY|NOMEM|PROTOCOL|CORRUPT|NOTADB)/;

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** pg's DatabaseError: the server answered with an error message (it has a severity and a SQLSTATE). */
function isPgServerError(err: unknown, code: string): boolean {
  return /^[0-9A-Z]{5}$/.test(code) && typeof (err as { severity?: unknown }).severity === 'string';
}

/** The database answered and refused this statement; the same statement would fail again. */
export function isStatementError(err: unknown): boolean {
  const code = codeOf(err);
  if (code === undefined) return false;
  if (code.startsWith('SQLITE_')) return !SQLITE_OUTAGE.test(code);
  return isPgServerError(err, code) && !PG_OUTAGE.test(code);
}

/**
 * The database could not serve: a refused or broken connection, a server shutting down, a full disk, a
 * lock held past the busy timeout. Errors of Keyway's own code (Kysely's NoResultError, a TypeError) are
 * neither this nor a statement error: they are bugs.
 */
export function isOutage(err: unknown): boolean {
  const code = codeOf(err);
  if (code !== undefined) {
    if (code.startsWith('SQLITE_')) return SQLITE_OUTAGE.test(code);
    if (isPgServerError(err, code)) return PG_OUTAGE.test(code);
    // Node system errors: ECONNREFUSED, ECONNRESET, ETIMEDOUT, EPIPE, ENOTFOUND, EHOSTUNREACH…
    if (/^E[A-Z0-9_]+$/.test(code)) return true;
  }
  // pg reports a lost or unusable connection in plain Errors, without a code.
  const message = err instanceof Error ? err.message : '';
  return /Connection terminated|not queryable|timeout exceeded when trying to connect|Connection closed|Cannot use a pool after calling end/i.test(
    message,
  );
}
