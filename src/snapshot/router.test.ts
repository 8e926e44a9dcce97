/**
 * The router registers each path pattern once, with a method bitmask, instead of once per method; its
 * answers must be exactly those of one tree per method. The named cases pin each routing rule; the
 * generated ones compare every answer with the per-method router it replaced (test/helpers/reference-router.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HTTP_METHODS } from '../model/route.js';
import type { Route } from '../model/index.js';
import { Router, type RouteMatch } from './router.js';
import { runNow } from './slices.js';
import { ReferenceRouter } from '../../test/helpers/reference-router.js';
import type { CompiledRoute } from '../pipeline/context.js';

function route(def: Partial<Route> & { name: string }): CompiledRoute {
  return {
    workspace: 'default',
    id: def.name,
    name: def.name,
    def: { service: 's', ...def },
    service: {} as CompiledRoute['service'],
    phases: {} as CompiledRoute['phases'],
    consumerPhases: undefined,
  };
}

function answer(m: RouteMatch | undefined): unknown {
  if (m === undefined) return undefined;
  return { route: m.route.name, params: { ...m.params }, rest: m.rest };
}

function matcher(router: Router) {
  return (method: string, path: string, host?: string, headers: Record<string, string> = {}) =>
    answer(router.match(method, host, path, headers));
}

describe('router', () => {
  it('prefix routes match whole segments and give the rest; exact beats prefix', () => {
    const m = matcher(
      new Router([
        route({ name: 'weather', paths: ['/weather'] }),
        route({ name: 'today', paths: ['=/weather/today'] }),
        route({ name: 'slash', paths: ['/dir/'] }),
      ]),
    );
    assert.deepEqual(m('GET', '/weather/today/hourly'), {
      route: 'weather',
      params: { '*': 'today/hourly' },
      rest: '/today/hourly',
    });
    assert.deepEqual(m('GET', '/weather/today'), { route: 'today', params: {}, rest: '' });
    assert.deepEqual(m('GET', '/weather'), { route: 'weather', params: {}, rest: '' });
    assert.equal(m('GET', '/weathervane'), undefined);
    assert.deepEqual(m('GET', '/dir/x'), { route: 'slash', params: { '*': 'x' }, rest: '/x' });
  });

  it('parameters and regexes; regexes first, by priority', () => {
    const m = matcher(
      new Router([
        route({ name: 'users', paths: ['/users/:id'] }),
        route({ name: 'low', paths: ['~^/users/(?<n>[0-9]+)'], priority: 1 }),
        route({ name: 'high', paths: ['~^/users/(?<n>[0-9]{2})'], priority: 5 }),
      ]),
    );
    assert.deepEqual(m('GET', '/users/ab/photos'), {
      route: 'users',
      params: { id: 'ab', '*': 'photos' },
      rest: '/photos',
    });
    assert.deepEqual(m('GET', '/users/42/x'), { route: 'high', params: { n: '42' }, rest: '/x' });
    assert.deepEqual(m('GET', '/users/7'), { route: 'low', params: { n: '7' }, rest: '' });
  });

  it('exact hosts (port ignored), then the most specific wildcard, then routes without hosts', () => {
    const m = matcher(
      new Router([
        route({ name: 'exact', hosts: ['api.example.com'], paths: ['/w'] }),
        route({ name: 'wild', hosts: ['*.example.com'], paths: ['/'] }),
        route({ name: 'deeper', hosts: ['*.eu.example.com'], paths: ['/'] }),
        route({ name: 'any', paths: ['/'] }),
      ]),
    );
    assert.equal((m('GET', '/w/x', 'api.example.com:8000') as { route: string }).route, 'exact');
    assert.equal((m('GET', '/other', 'api.example.com') as { route: string }).route, 'wild');
    assert.equal((m('GET', '/', 'a.eu.example.com') as { route: string }).route, 'deeper');
    assert.equal((m('GET', '/', 'unknown.test') as { route: string }).route, 'any');
    assert.equal((m('GET', '/') as { route: string }).route, 'any');
  });

  it('methods: other methods do not match, HEAD is not GET, unknown methods reach regexes only', () => {
    const m = matcher(
      new Router([
        route({ name: 'post', methods: ['POST'], paths: ['/submit'] }),
        route({ name: 'get', methods: ['GET'], paths: ['/read'] }),
        route({ name: 'all', paths: ['/any'] }),
        route({ name: 'rx', paths: ['~^/rx'] }),
      ]),
    );
    assert.equal(m('GET', '/submit'), undefined);
    assert.equal((m('POST', '/submit') as { route: string }).route, 'post');
    assert.equal(m('HEAD', '/read'), undefined, 'a GET-only route does not answer HEAD');
    assert.equal((m('HEAD', '/any') as { route: string }).route, 'all');
    for (const method of HTTP_METHODS) assert.equal((m(method, '/any') as { route: string }).route, 'all');
    assert.equal(m('PROPFIND', '/any'), undefined);
    assert.equal((m('PROPFIND', '/rx') as { route: string }).route, 'rx');
  });

  it('a pattern for other methods is skipped for the next best one', () => {
    const m = matcher(
      new Router([
        route({ name: 'item-post', methods: ['POST'], paths: ['=/a/:id'] }),
        route({ name: 'exact-put', methods: ['PUT'], paths: ['=/a/b'] }),
        route({ name: 'prefix', methods: ['GET', 'PUT'], paths: ['/a'] }),
      ]),
    );
    assert.deepEqual(m('GET', '/a/5'), { route: 'prefix', params: { '*': '5' }, rest: '/5' });
    assert.deepEqual(m('POST', '/a/5'), { route: 'item-post', params: { id: '5' }, rest: '' });
    assert.deepEqual(m('GET', '/a/b'), { route: 'prefix', params: { '*': 'b' }, rest: '/b' });
    assert.deepEqual(m('PUT', '/a/b'), { route: 'exact-put', params: {}, rest: '' });
    assert.equal(m('POST', '/a'), undefined);
  });

  it('header conditions: the most conditions that hold win; else the next best route', () => {
    const m = matcher(
      new Router([
        route({ name: 'plain', paths: ['/w'] }),
        route({ name: 'beta', paths: ['/w/beta'], headers: { 'x-channel': ['beta'] } }),
        route({
          name: 'beta-eu',
          paths: ['/w/beta'],
          headers: { 'x-channel': ['beta'], 'x-region': ['eu'] },
        }),
      ]),
    );
    assert.equal(
      (m('GET', '/w/beta/x', undefined, { 'x-channel': 'BETA' }) as { route: string }).route,
      'beta',
    );
    assert.equal(
      (m('GET', '/w/beta', undefined, { 'x-channel': 'beta', 'x-region': 'eu' }) as { route: string }).route,
      'beta-eu',
    );
    assert.deepEqual(m('GET', '/w/beta/x'), { route: 'plain', params: {}, rest: '/beta/x' });
  });

  it('patterns differing only in parameter names refuse as before when they share a method', () => {
    const a = route({ name: 'a', paths: ['/u/:id'], headers: { x: ['1'] } });
    const b = route({ name: 'b', paths: ['/u/:uid'], headers: { x: ['2'] } });
    assert.throws(() => new Router([a, b]), /already declared/);
    assert.throws(() => new ReferenceRouter([a, b]), /already declared/);
    const get = route({ name: 'get', methods: ['GET'], paths: ['/u/:id'] });
    const post = route({ name: 'post', methods: ['POST'], paths: ['/u/:uid'] });
    const m = matcher(new Router([get, post]));
    assert.deepEqual(m('POST', '/u/7'), { route: 'post', params: { uid: '7' }, rest: '' });
    assert.deepEqual(m('GET', '/u/7'), { route: 'get', params: { id: '7' }, rest: '' });
  });

  it('a rebuilt route list that routes alike shares the structure and answers with the new routes', () => {
    const list = () => [
      route({ name: 'a', paths: ['/a'], methods: ['GET'] }),
      route({ name: 'b', paths: ['/b/:id'], hosts: ['api.test'], headers: { x: ['1'] } }),
      route({ name: 'c', paths: ['~^/c(?<n>[0-9]+)$'], priority: 2 }),
    ];
    const first = new Router(list());
    const again = list();
    const second = runNow(Router.build(again, first));
    assert.ok(second.sharesIndexWith(first), 'nothing routing-related changed');
    assert.equal(second.match('GET', undefined, '/a/x', {})?.route, again[0]);
    assert.equal(second.match('GET', 'api.test', '/b/7', { x: '1' })?.route, again[1]);
    assert.equal(second.match('GET', undefined, '/c42', {})?.route, again[2]);
    assert.equal(first.match('GET', undefined, '/a/x', {})?.route.name, 'a', 'the old router is unchanged');
    assert.notEqual(first.match('GET', undefined, '/a/x', {})?.route, again[0]);

    // Any routing field, the order or a name: a structure of its own, built for the new list.
    const changes: Array<[string, CompiledRoute[]]> = [
      ['path', [route({ name: 'a', paths: ['/z'], methods: ['GET'] }), ...again.slice(1)]],
      ['methods', [route({ name: 'a', paths: ['/a'], methods: ['POST'] }), ...again.slice(1)]],
      ['order', [again[1], again[0], again[2]]],
      ['name', [route({ name: 'a2', paths: ['/a'], methods: ['GET'] }), ...again.slice(1)]],
      ['headers', [again[0], route({ name: 'b', paths: ['/b/:id'], hosts: ['api.test'] }), again[2]]],
      ['priority', [...again.slice(0, 2), route({ name: 'c', paths: ['~^/c(?<n>[0-9]+)$'] })]],
      ['one more route', [...again, route({ name: 'd', paths: ['/d'] })]],
    ];
    for (const [what, routes] of changes) {
      const r = runNow(Router.build(routes, second));
      assert.ok(!r.sharesIndexWith(second), what);
      const fresh = new Router(routes);
      for (const [method, host, path, headers] of [
        ['GET', undefined, '/a', {}],
        ['POST', undefined, '/a', {}],
        ['GET', undefined, '/z', {}],
        ['GET', 'api.test', '/b/1', { x: '1' }],
        ['GET', 'api.test', '/b/1', {}],
        ['GET', undefined, '/c1', {}],
        ['GET', undefined, '/d', {}],
      ] as const)
        assert.equal(
          r.match(method, host, path, headers)?.route,
          fresh.match(method, host, path, headers)?.route,
          `${what}: ${method} ${path}`,
        );
    }
  });

  it('the sliced build yields between units and builds the same router', () => {
    const routes = [route({ name: 'a', paths: ['/a'] }), route({ name: 'b', paths: ['/b', '=/c'] })];
    const work = Router.build(routes);
    let yields = 0;
    for (let step = work.next(); step.done !== true; step = work.next()) yields++;
    assert.ok(yields >= routes.length, `${yields} yields`);
    const sliced = runNow(Router.build(routes));
    assert.equal(sliced.size, 2);
    assert.deepEqual(answer(sliced.match('GET', undefined, '/c', {})), { route: 'b', params: {}, rest: '' });
  });

  it('answers as the per-method router on generated configurations', () => {
    const rnd = prng(20);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)];
    const PATHS = [
      '/',
      '/a',
      '/a/b',
      '=/a',
      '=/a/b',
      '/a/:id',
      '/a/:id/c',
      '=/a/:id',
      '/b/',
      '/a/b/:x',
      '~^/r/(?<n>[0-9]+)',
      '~^/a/b',
    ];
    const HOSTS = [undefined, undefined, ['x.test'], ['*.y.test'], ['x.test', '*.test']];
    const HEADERS = [undefined, undefined, { 'x-v': ['1'] }, { 'x-v': ['2'], 'x-w': ['a', 'b'] }];
    const REQ_PATHS = ['/', '/a', '/a/', '/a/b', '/a/b/c', '/a/5', '/a/5/c', '/a/5/c/d', '/b', '/b/x'];
    const MORE_PATHS = ['/r/12/z', '/ab', '/a/b/7', '/a/%2F', '/a/b/7/8'];
    const REQ_HOSTS = [undefined, 'x.test', 'X.test:80', 'z.y.test', 'q.test', 'other'];
    const REQ_HEADERS = [{}, { 'x-v': '1' }, { 'x-v': '2', 'x-w': 'B' }, { 'x-v': ['3', '2'], 'x-w': 'a' }];
    let compared = 0;
    let matched = 0;
    for (let config = 0; config < 300; config++) {
      const routes: CompiledRoute[] = [];
      const n = 1 + Math.floor(rnd() * 8);
      for (let i = 0; i < n; i++) {
        const methods =
          rnd() < 0.5
            ? undefined
            : HTTP_METHODS.filter(() => rnd() < 0.3).slice(0, 1 + Math.floor(rnd() * 3));
        routes.push(
          route({
            name: `r${i}`,
            paths: [pick(PATHS), ...(rnd() < 0.3 ? [pick(PATHS)] : [])],
            ...(methods === undefined ? {} : { methods: methods }),
            ...(pick(HOSTS) === undefined ? {} : { hosts: pick(HOSTS) }),
            ...(pick(HEADERS) === undefined ? {} : { headers: pick(HEADERS) as Record<string, string[]> }),
            ...(rnd() < 0.3 ? { priority: Math.floor(rnd() * 3) } : {}),
          }),
        );
      }
      const reference = new ReferenceRouter(routes);
      const router = new Router(routes);
      for (let q = 0; q < 150; q++) {
        const method = rnd() < 0.05 ? 'PROPFIND' : pick(HTTP_METHODS);
        const path = pick(rnd() < 0.8 ? REQ_PATHS : MORE_PATHS);
        const host = pick(REQ_HOSTS);
        const headers = pick(REQ_HEADERS);
        const want = answer(reference.match(method, host, path, headers));
        const got = answer(router.match(method, host, path, headers));
        if (want !== undefined) matched++;
        assert.deepEqual(
          got,
          want,
          `${method} ${host ?? ''}${path} ${JSON.stringify(headers)} on ${JSON.stringify(routes.map((r) => r.def))}`,
        );
        compared++;
      }
    }
    assert.equal(compared, 300 * 150);
    assert.ok(matched > compared / 4, `only ${matched} of ${compared} requests matched a route`);
  });
});

/** Small seeded generator (mulberry32): the generated cases are the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
