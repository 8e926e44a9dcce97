/**
 * `keyway subscriptions list|approve|reject|suspend|resume|revoke`: the subscription workflow through the
 * admin API (docs/subscriptions.md). A subscription is named by its id or `app@service`; reject, suspend
 * and revoke need `--reason`.
 */
import type { components } from '../../admin/openapi/admin-api.js';
import { adminClient, answer } from '../admin-client.js';
import { printColumns } from '../columns.js';
import { CliError, type CliContext } from '../context.js';

type SubscriptionView = components['schemas']['Subscription'];

export interface SubscriptionsOptions {
  sub: string | undefined;
  id: string | undefined;
  status?: string;
  app?: string;
  service?: string;
  reason?: string;
  workspace?: string;
}

const ACTIONS = ['approve', 'reject', 'suspend', 'resume', 'revoke'] as const;
const SUBCOMMANDS = ['list', ...ACTIONS];
/** What each action says it did, after the subscription's key. */
const DONE: Record<(typeof ACTIONS)[number], string> = {
  approve: 'approved: its app’s calls get through on every node within a second',
  reject: 'rejected',
  suspend: 'suspended: its app’s calls get 403 KW_ERR_NOT_SUBSCRIBED',
  resume: 'resumed: approved again',
  revoke: 'revoked (final): its app’s calls get 403 KW_ERR_NOT_SUBSCRIBED',
};

export async function subscriptionsCommand(ctx: CliContext, opts: SubscriptionsOptions): Promise<number> {
  const client = adminClient(ctx);
  const workspace = opts.workspace ?? 'default';
  const sub = opts.sub;
  if (sub === undefined || !SUBCOMMANDS.includes(sub)) {
    throw new CliError(
      sub === undefined
        ? `needs a subcommand: ${SUBCOMMANDS.join(', ')}`
        : `unknown subcommand "${sub}"; the subcommands are ${SUBCOMMANDS.join(', ')}`,
      2,
    );
  }
  if (sub === 'list') {
    if (opts.id !== undefined) throw new CliError(`unexpected argument "${opts.id}" (list takes no ID)`, 2);
    if (opts.reason !== undefined) throw new CliError('list takes no --reason', 2);
    const filters: Record<string, string> = {};
    for (const f of ['status', 'app', 'service'] as const) {
      const v = opts[f];
      if (v !== undefined) filters[f] = v;
    }
    const rows: SubscriptionView[] = [];
    for (let after: string | null = ''; after !== null;) {
      const query: Record<string, string> = { ...filters, ...(after === '' ? {} : { after }) };
      const page: { data: SubscriptionView[]; next: string | null } = await answer(
        client.GET('/workspaces/{workspace}/subscriptions', { params: { path: { workspace }, query } }),
      );
      rows.push(...page.data);
      after = page.next;
    }
    if (ctx.json) ctx.output.out(JSON.stringify(rows, null, 2));
    else printTable(ctx, rows);
    return 0;
  }
  const action = sub as (typeof ACTIONS)[number];
  if (opts.id === undefined) throw new CliError(`${action} needs the subscription's ID or APP@SERVICE`, 2);
  for (const f of ['status', 'app', 'service'] as const)
    if (opts[f] !== undefined) throw new CliError(`${action} takes no --${f}`, 2);
  const body = opts.reason === undefined ? {} : { reason: opts.reason };
  const s: SubscriptionView = await answer(
    client.POST(`/workspaces/{workspace}/subscriptions/{idOrKey}/${action}`, {
      params: { path: { workspace, idOrKey: opts.id } },
      body,
    }),
  );
  if (ctx.json) ctx.output.out(JSON.stringify(s, null, 2));
  else ctx.output.out(`subscription ${s.app}@${s.service} ${DONE[action]}`);
  return 0;
}

function printTable(ctx: CliContext, rows: SubscriptionView[]): void {
  if (rows.length === 0) {
    ctx.output.out('no subscriptions');
    return;
  }
  const table = [
    ['APP@SERVICE', 'STATUS', 'PLAN', 'DECIDED BY', 'DECIDED AT', 'REASON'],
    ...rows.map((r) => [
      `${r.app}@${r.service}`,
      r.status ?? 'pending',
      r.plan ?? '-',
      r.decided_by ?? '-',
      r.decided_at ?? '-',
      r.reason ?? '',
    ]),
  ];
  printColumns(ctx, table);
}
