/**
 * `keyway logs`: call records from the admin API's `/logs`, one line per call (or JSON lines with
 * `--json`), oldest at the top like a log file: the newest `--tail N`, and a note on stderr when more
 * records match. `--follow` keeps polling for new records: records are written in batches and stamped
 * with their arrival time, so each poll looks a little back (LOOKBACK_MS) and skips what it has already
 * printed. A node that restarts (or a network that blinks) does not end `--follow`: it says so once,
 * keeps trying, and carries on from where it was.
 */
import type { StoredCallRecord } from '../../observe/store/log-search.js';
import { AdminApiError, adminClient, answer, type AdminClient } from '../admin-client.js';
import { CliError, type CliContext } from '../context.js';

export interface LogsOptions {
  consumer?: string;
  route?: string;
  service?: string;
  status?: string;
  since?: string;
  until?: string;
  workspace?: string;
  /** How many of the newest records to print first (`--tail`, alias `--limit`). */
  tail?: string;
  follow?: boolean;
  /** Poll interval for --follow (tests shorten it); stops after `maxPolls` when given. */
  pollMs?: number;
  maxPolls?: number;
}

const LOOKBACK_MS = 10_000;
const SEEN_MAX = 50_000;
/** The admin API's page limit: the most `--tail` can ask for in one request. */
const TAIL_MAX = 1000;
/** While the node is away, polls slow down to this. */
const RETRY_MAX_MS = 5_000;

interface Page {
  data: StoredCallRecord[];
  next: string | null;
}

export function formatRecord(r: StoredCallRecord): string {
  const ms = (v: number | null): string => (v === null ? '-' : v.toFixed(1));
  const who = r.consumer ?? '-';
  const why = [r.error_code, r.auth_reason === null ? null : `auth:${r.auth_reason}`]
    .filter(Boolean)
    .join(' ');
  return [
    r.time,
    String(r.status),
    r.method,
    r.path,
    `route=${r.route ?? '-'}`,
    `consumer=${who}`,
    `target=${r.target ?? '-'}`,
    `${ms(r.latency_ms)}ms (gw ${ms(r.gateway_ms)} up ${ms(r.upstream_ms)})`,
    ...(r.retries > 0 ? [`retries=${r.retries}`] : []),
    ...(r.model === null ? [] : [aiPart(r)]),
    ...(why === '' ? [] : [why]),
    // Which access check denied the call (or would have, in shadow mode), and why.
    ...(r.access === null ? [] : [`access=[${r.access}]`]),
    r.request_id,
  ].join('  ');
}

/** An AI call: who served it, tokens in/out, and the cost when the model has a price. */
function aiPart(r: StoredCallRecord): string {
  const tokens = `tokens=${r.tokens_in ?? '-'}/${r.tokens_out ?? '-'}`;
  const cost = r.cost === null ? '' : `  cost=$${Number(r.cost).toFixed(6)}`;
  return `model=${r.provider ?? '-'}/${r.model ?? '-'}  ${tokens}${cost}`;
}

/** One page of the search: every workspace's calls, or `--workspace`'s. */
async function search(
  client: AdminClient,
  opts: LogsOptions,
  extra: { limit: number; order?: 'asc'; since?: string; after?: string },
): Promise<Page> {
  const filters: Record<string, string> = {};
  for (const k of ['consumer', 'route', 'service', 'status', 'since', 'until'] as const) {
    const v = opts[k];
    if (v !== undefined) filters[k] = v;
  }
  const query = { ...filters, ...extra };
  const page = await answer(
    opts.workspace === undefined
      ? client.GET('/logs', { params: { query } })
      : client.GET('/workspaces/{workspace}/logs', {
          params: { path: { workspace: opts.workspace }, query },
        }),
  );
  return page as unknown as Page;
}

function tailOf(opts: LogsOptions): number {
  if (opts.tail === undefined) return opts.follow === true ? 20 : 100;
  const n = Number(opts.tail);
  if (!/^[0-9]+$/.test(opts.tail) || n < 1 || n > TAIL_MAX)
    throw new CliError(`--tail must be a whole number from 1 to ${TAIL_MAX}, not "${opts.tail}"`, 2);
  return n;
}

/** Worth waiting out while following: the node is down, restarting, or not ready yet. */
function transient(err: unknown): boolean {
  if (err instanceof CliError) return err.code === 'KW_ERR_ADMIN_UNREACHABLE';
  return err instanceof AdminApiError && err.status >= 500;
}

export async function logsCommand(ctx: CliContext, opts: LogsOptions): Promise<number> {
  const client = adminClient(ctx);
  const print = (r: StoredCallRecord): void => ctx.output.out(ctx.json ? JSON.stringify(r) : formatRecord(r));
  const tail = tailOf(opts);
  const page = await search(client, opts, { limit: tail });
  const seen = new Set<string>();
  let newest = Date.now() - LOOKBACK_MS;
  for (const r of [...page.data].reverse()) {
    print(r);
    seen.add(`${r.at}.${r.id}`);
    newest = Math.max(newest, r.at);
  }
  if (page.next !== null)
    ctx.output.err(
      `(the newest ${tail} shown; more calls match: --tail N shows up to ${TAIL_MAX}, --since/--until narrow the window)`,
    );
  if (opts.follow !== true) return 0;

  const every = opts.pollMs ?? 1_000;
  let wait = every;
  let lost = false;
  for (let polls = 0; opts.maxPolls === undefined || polls < opts.maxPolls; polls++) {
    await new Promise((resolve) => setTimeout(resolve, wait));
    const since = new Date(newest - LOOKBACK_MS).toISOString();
    let after: string | null = null;
    try {
      do {
        const { since: _s, ...filters } = opts;
        const next: Page = await search(client, filters, {
          order: 'asc',
          since,
          limit: 1000,
          ...(after === null ? {} : { after }),
        });
        for (const r of next.data) {
          const key = `${r.at}.${r.id}`;
          if (seen.has(key)) continue;
          if (seen.size >= SEEN_MAX) seen.clear();
          seen.add(key);
          newest = Math.max(newest, r.at);
          print(r);
        }
        after = next.next;
      } while (after !== null);
    } catch (err) {
      if (!transient(err)) throw err;
      if (!lost) {
        const why = err instanceof Error ? err.message : String(err);
        ctx.output.err(`keyway logs: lost the admin API (${why}); still following, retrying`);
        lost = true;
      }
      wait = Math.min(wait * 2, RETRY_MAX_MS);
      continue;
    }
    if (lost) {
      ctx.output.err('keyway logs: reconnected');
      lost = false;
    }
    wait = every;
  }
  return 0;
}
