/**
 * The scope index must give, for any route and consumer, exactly the configs that filtering every plugin
 * of the workspace by route, service and consumer gave (what compile did per route before).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Stored } from '../model/index.js';
import { PluginScopes } from './plugin-scopes.js';

type Plugin = Stored<'plugins'>;

function filtered(plugins: Plugin[], route: string, service: string, consumer?: string): Plugin[] {
  return plugins.filter(
    (p) =>
      p.enabled !== false &&
      (p.route === undefined || p.route === route) &&
      (p.service === undefined || p.service === service) &&
      (p.consumer === undefined || p.consumer === consumer),
  );
}

const ids = (list: Plugin[]): string[] => list.map((p) => p.id).sort();

describe('plugin scopes', () => {
  it('finds the same configs as filtering them all, for every route, service and consumer', () => {
    const pick = <T>(i: number, list: readonly T[]): T => list[i % list.length];
    const ROUTES = [undefined, 'r1', 'r2'];
    const SERVICES = [undefined, 's1', 's2'];
    const CONSUMERS = [undefined, 'alice', 'bob'];
    const plugins: Plugin[] = [];
    let n = 0;
    for (const route of ROUTES)
      for (const service of SERVICES)
        for (const consumer of CONSUMERS)
          for (const enabled of [true, false]) {
            n++;
            plugins.push({
              id: `p${n}`,
              name: pick(n, ['cors', 'key-auth', 'rate-limit']),
              enabled,
              ...(route === undefined ? {} : { route }),
              ...(service === undefined ? {} : { service }),
              ...(consumer === undefined ? {} : { consumer }),
              created_at: '',
              updated_at: '',
            });
          }
    const scopes = new PluginScopes(plugins);
    let checked = 0;
    for (const route of ['r1', 'r2', 'r3'])
      for (const service of ['s1', 's2', 's3'])
        for (const consumer of [undefined, 'alice', 'bob', 'carol']) {
          assert.deepEqual(
            ids(scopes.applicable(route, service, consumer)),
            ids(filtered(plugins, route, service, consumer)),
            `${route} ${service} ${consumer ?? '-'}`,
          );
          checked++;
        }
    assert.equal(checked, 36);
  });

  it('names the consumers whose own configs apply to a route, and only those', () => {
    const base = { name: 'cors', created_at: '', updated_at: '' };
    const plugins = [
      { ...base, id: '1', consumer: 'everywhere' },
      { ...base, id: '2', consumer: 'on-s1', service: 's1' },
      { ...base, id: '3', consumer: 'on-r1', route: 'r1' },
      { ...base, id: '4', consumer: 'on-r1-of-s2', route: 'r1', service: 's2' },
      { ...base, id: '5', consumer: 'disabled', enabled: false },
      { ...base, id: '6' },
    ] as Plugin[];
    const scopes = new PluginScopes(plugins);
    assert.deepEqual([...scopes.consumersOn('r1', 's1')].sort(), ['everywhere', 'on-r1', 'on-s1']);
    assert.deepEqual([...scopes.consumersOn('r1', 's2')].sort(), ['everywhere', 'on-r1', 'on-r1-of-s2']);
    assert.deepEqual([...scopes.consumersOn('r2', 's3')], ['everywhere']);
    for (const route of ['r1', 'r2'])
      for (const service of ['s1', 's2', 's3'])
        for (const consumer of ['everywhere', 'on-s1', 'on-r1', 'on-r1-of-s2', 'disabled']) {
          const own = filtered(plugins, route, service, consumer).some((p) => p.consumer !== undefined);
          assert.equal(
            scopes.consumersOn(route, service).has(consumer),
            own,
            `${route} ${service} ${consumer}`,
          );
        }
  });
});
