/**
 * What a developer owns, and the one check that they own it. A developer is a consumer (the same
 * username in every published workspace); their apps are that consumer's apps, stored as
 * `<consumer>.<name>` so that two developers may each call an app `dashboard` (app names are unique per
 * workspace); keys belong to those apps. Anything else — another developer's app or key, a workspace the
 * portal does not publish — answers 404 as if it did not exist: the portal does not confirm what others have.
 */
import { KeywayError } from '../core/errors.js';
import type { ResourceView } from '../control/types.js';
import type { ApiKeyView } from '../keys/key-service.js';
import type { Developer } from '../store/portal.js';
import type { PortalContext } from './context.js';

export function storedAppName(dev: Developer, name: string): string {
  return `${dev.consumer}.${name}`;
}

/** The developer's name for one of their apps (the stored name without its consumer prefix). */
export function appLabel(dev: Developer, stored: string): string {
  const prefix = `${dev.consumer}.`;
  return stored.startsWith(prefix) ? stored.slice(prefix.length) : stored;
}

function notFound(kind: string, name: string): KeywayError {
  return new KeywayError('KW_ERR_NOT_FOUND', { kind, name });
}

/** Creates the developer's consumer in `workspace` the first time they need it there. */
export async function ensureConsumer(ctx: PortalContext, dev: Developer, workspace: string): Promise<void> {
  try {
    const c = await ctx.deps.config.get('consumers', workspace, dev.consumer);
    if (c.enabled === false) throw new KeywayError('KW_ERR_FORBIDDEN');
    return;
  } catch (err) {
    if (!(err instanceof KeywayError && err.code === 'KW_ERR_NOT_FOUND')) throw err;
  }
  try {
    await ctx.deps.config.create(
      'consumers',
      workspace,
      { username: dev.consumer, custom_id: dev.email, tags: ['portal'] },
      { name: `developer:${dev.email}` },
    );
  } catch (err) {
    // Two of the developer's first calls at once: the other one made it.
    if (!(err instanceof KeywayError && err.code === 'KW_ERR_CONFLICT')) throw err;
  }
}

export async function ownApp(
  ctx: PortalContext,
  dev: Developer,
  workspace: string,
  name: string,
): Promise<ResourceView<'apps'>> {
  const ws = ctx.workspace(workspace);
  try {
    const app = await ctx.deps.config.get('apps', ws, storedAppName(dev, name));
    if (app.consumer === dev.consumer) return app;
  } catch (err) {
    if (!(err instanceof KeywayError && err.code === 'KW_ERR_NOT_FOUND')) throw err;
  }
  throw notFound('app', name);
}

export async function ownKey(
  ctx: PortalContext,
  workspace: string,
  app: ResourceView<'apps'>,
  id: string,
): Promise<ApiKeyView> {
  try {
    const key = await ctx.deps.keys.get(workspace, id);
    if (key.app_id === app.id) return key;
  } catch (err) {
    if (!(err instanceof KeywayError && err.code === 'KW_ERR_NOT_FOUND')) throw err;
  }
  throw notFound('key', id);
}

/** A key as its developer sees it: the visible id, never the hash (the key service never gives it). */
export function keyView(dev: Developer, k: ApiKeyView): object {
  const { workspace: _ws, app_id: _appId, metadata: _m, source: _s, ...rest } = k;
  return { ...rest, app: appLabel(dev, k.app) };
}
