/**
 * The one place an admin request is authorised. Every endpoint declares what it touches in its route
 * config, `config: { permission: { area, action } }`, and this hook checks the caller's grants against
 * the permission table (permissions.ts) before the handler runs. A route registered without a permission
 * (and not public) stops the admin app from starting: a new endpoint cannot forget its check.
 *
 * The workspace a request touches is its `:workspace` path parameter, else where the route says it names
 * one (`workspace(req)`: the `?workspace=` of a log search, the document's `workspace` for
 * `POST /config`). Only a route that reads the query's workspace declares it so: a query parameter the
 * handler ignores must not be what the check reads. When none is named it is `default` (the top-level resource routes) or every workspace
 * (`absent: 'all'`: a log search or audit listing across workspaces, which only a grant on `*` may make).
 */
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { KeywayError } from '../core/errors.js';
import { RawJson } from '../core/json-text.js';
import { DEFAULT_WORKSPACE } from '../model/index.js';
import type { Principal } from './auth.js';
import { ALL_WORKSPACES, PERMISSIONS, allowed, isNodeArea, type Action, type Area } from './permissions.js';

export interface RoutePermission {
  area: Area;
  action: Action;
  /** Where the route reads its workspace when it has no `:workspace` (its query, a body field). */
  workspace?: (req: FastifyRequest) => string | undefined;
  /**
   * What a request naming no workspace touches. Default: the default workspace. `all`: every workspace
   * (only a grant on `*` may). `visible`: whichever the caller may see; the handler filters by grants.
   */
  absent?: 'default' | 'all' | 'visible';
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What the endpoint reads or changes, for the role check (authorize.ts). */
    permission?: RoutePermission;
  }
}

function named(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Stands for "the workspaces the caller may see" (not a valid workspace name, so never a real one). */
const VISIBLE = '?visible';

/** The workspace a request touches, or `*` for every workspace (or none: node-wide areas). */
export function workspaceOf(req: FastifyRequest, p: RoutePermission): string {
  if (isNodeArea(p.area)) return ALL_WORKSPACES;
  const params = req.params as Record<string, unknown> | undefined;
  const ws = named(params?.workspace) ?? p.workspace?.(req);
  if (ws !== undefined) return ws;
  if (p.absent === 'visible') return VISIBLE;
  return p.absent === 'all' ? ALL_WORKSPACES : DEFAULT_WORKSPACE;
}

/** `?workspace=`; repeated (an array), it stands for every workspace, which only `*` may touch. */
export function queryWorkspace(req: FastifyRequest): string | undefined {
  const value = (req.query as Record<string, unknown> | undefined)?.workspace;
  if (value === undefined) return undefined;
  return named(value) ?? ALL_WORKSPACES;
}

/** The `workspace` field of a JSON body, parsed or (a large one) still bytes. */
export function bodyWorkspace(req: FastifyRequest): string | undefined {
  let body = req.body;
  if (body instanceof RawJson) {
    try {
      body = JSON.parse(Buffer.from(body.bytes).toString('utf8')) as unknown;
    } catch {
      return undefined; // the config service answers the parse error itself
    }
  }
  return typeof body === 'object' && body !== null
    ? named((body as Record<string, unknown>).workspace)
    : undefined;
}

export function forbidden(p: RoutePermission, workspace: string): KeywayError {
  const where =
    workspace === ALL_WORKSPACES
      ? 'every workspace'
      : workspace === VISIBLE
        ? 'any workspace'
        : `workspace "${workspace}"`;
  return new KeywayError('KW_ERR_ADMIN_FORBIDDEN', { action: p.action, area: p.area, where });
}

/** The `name` field of a JSON body (`POST /workspaces` names the workspace it creates there). */
export function bodyName(req: FastifyRequest): string | undefined {
  const body = req.body;
  return typeof body === 'object' && body !== null
    ? named((body as Record<string, unknown>).name)
    : undefined;
}

/** Throws KW_ERR_ADMIN_FORBIDDEN unless the principal may make this request. */
export function authorize(req: FastifyRequest, principal: Principal): void {
  const p = req.routeOptions.config.permission;
  // Unreachable for a registered route (checkDeclared refuses it at start); refuse rather than allow.
  if (p === undefined)
    throw new KeywayError('KW_ERR_ADMIN_FORBIDDEN', {
      action: 'use',
      area: 'this endpoint',
      where: 'any workspace',
    });
  const ws = workspaceOf(req, p);
  if (ws === VISIBLE) {
    if (!principal.grants.some((g) => PERMISSIONS[g.role][p.area].includes(p.action))) throw forbidden(p, ws);
    return;
  }
  if (!allowed(principal.grants, p.area, p.action, ws)) throw forbidden(p, ws);
}

export interface DeclaredRoute {
  method: string;
  url: string;
  /** Absent for a public route. */
  permission?: RoutePermission;
  /** Declared `config.public`: it authenticates on its own terms (the console's files and sign-in). */
  public?: boolean;
  /** Left out of the OpenAPI document (`schema.hide`): the console's pages, the document itself. */
  hidden?: boolean;
}

const declared = new WeakMap<FastifyInstance, DeclaredRoute[]>();

/** Every route of the app as Fastify registered it, with its permission (the role table test walks it). */
export function declaredRoutes(app: FastifyInstance): readonly DeclaredRoute[] {
  return declared.get(app) ?? [];
}

/** Refuses, at registration, a route that neither is public nor declares its permission. */
export function requirePermissions(app: FastifyInstance, isPublic: (url: string) => boolean): void {
  const routes: DeclaredRoute[] = [];
  declared.set(app, routes);
  app.addHook('onRoute', (route: RouteOptions) => {
    const permission = route.config?.permission;
    const open = route.config?.public === true;
    for (const method of [route.method].flat())
      routes.push({
        method,
        url: route.url,
        ...(permission === undefined ? {} : { permission }),
        ...(open ? { public: true } : {}),
        ...(route.schema?.hide === true ? { hidden: true } : {}),
      });
    if (open || isPublic(route.url)) return;
    if (permission === undefined)
      throw new Error(`admin route ${String(route.method)} ${route.url} declares no permission`);
  });
}
