/**
 * `GET /v1/models` in the OpenAI list format: the workspace's aliases, then `provider/model` for every
 * model a provider has a price for (the models the operator declared), each only if the policy lets this
 * caller see it. `owned_by` says which provider (or `keyway` for an alias).
 */
import type { RequestContext } from '../../pipeline/context.js';
import type { AiGateway } from '../engine-types.js';
import { sendAiJson } from './reply.js';

interface ModelEntry {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

export function listModels(ctx: RequestContext, gw: AiGateway): void {
  const data: ModelEntry[] = [];
  const add = (id: string, owner: string): void => {
    if (gw.policy.visible(ctx, id)) data.push({ id, object: 'model', created: 0, owned_by: owner });
  };
  for (const name of gw.catalog.aliases.keys()) add(name, 'keyway');
  for (const provider of gw.catalog.providers.values())
    for (const model of provider.prices.keys()) add(`${provider.name}/${model}`, provider.name);
  sendAiJson(ctx, { object: 'list', data }, undefined);
}
