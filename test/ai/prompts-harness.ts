/**
 * The AI endpoints behind a real HTTP server with a scripted engine in place of src/ai/engine: what the
 * prompt endpoints send to the engine is recorded, and what the engine answers is up to the test. The
 * catalog is the real one, compiled from an in-memory workspace. Requests under `/ai` reach the AI
 * endpoints as a route on `/ai` with strip_path would.
 */
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Dispatcher } from 'undici';
import { buildCatalog } from '../../src/ai/catalog.js';
import { dispatchAi } from '../../src/ai/endpoints/dispatch.js';
import type { AiGateway, ChatOutcome, Served } from '../../src/ai/engine-types.js';
import type { ChatChunk, ChatRequest, ChatResponse } from '../../src/ai/types.js';
import type { PromptApi } from '../../src/model/prompt-api.js';
import { RequestContext } from '../../src/pipeline/context.js';
import { pluginErrorChannel, type PluginErrorMessage } from '../../src/pipeline/diagnostics.js';
import type { ConfigProblem } from '../../src/model/config-problem.js';
import type { CompiledRoute } from '../../src/pipeline/context.js';
import { state } from '../helpers/gateway.js';

export type Script = (req: ChatRequest) => ChatOutcome | Promise<ChatOutcome>;

export interface PromptHarness {
  url: string;
  gw: AiGateway;
  /** Requests the engine got, as it got them. */
  seen: ChatRequest[];
  bugs: unknown[];
  script: Script;
  close(): Promise<void>;
}

export const SERVED: Served = {
  requested: 'oa/gpt-4o-mini',
  provider: 'oa',
  model: 'gpt-4o-mini',
  attempts: 1,
};

export function completion(
  content: string | null,
  finish: ChatResponse['choices'][0]['finish_reason'] = 'stop',
): ChatResponse {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'oa/gpt-4o-mini',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: finish }],
    usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 },
  };
}

export function chunk(
  content: string | undefined,
  finish: ChatChunk['choices'][0]['finish_reason'] = null,
): ChatChunk {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: 'oa/gpt-4o-mini',
    choices: [{ index: 0, delta: content === undefined ? {} : { content }, finish_reason: finish }],
  };
}

export async function startPromptHarness(
  prompts: PromptApi[],
  opts: { secured?: boolean; maxBodyBytes?: number } = {},
): Promise<PromptHarness & { problems: ConfigProblem[] }> {
  const cfg = state({
    ai_providers: [{ name: 'oa', type: 'openai', keys: [{ id: 'k1', secret: 'sk-test' }] }],
    prompt_apis: prompts,
  });
  const problems: ConfigProblem[] = [];
  const catalog = buildCatalog(cfg.workspaces[0], {}, problems);
  const seen: ChatRequest[] = [];
  const bugs: unknown[] = [];
  const h = {
    script: (() => Promise.reject(new Error('no engine answer scripted'))) as Script,
  };
  const gw: AiGateway = {
    catalog,
    maxBodyBytes: opts.maxBodyBytes ?? 64 * 1024,
    engine: {
      async chat(_ctx, req) {
        seen.push(structuredClone(req));
        return h.script(req);
      },
      embeddings: () => Promise.reject(new Error('not used')),
    },
    policy: { admit: () => Promise.resolve(), settle: () => {}, visible: () => true },
  };
  const route = {
    name: 'ai',
    phases: { identify: opts.secured === true ? [() => undefined] : [], respond: [] },
  } as unknown as CompiledRoute;
  let seq = 0;
  const mine = new WeakSet<object>();
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const ctx = new RequestContext({
      req,
      res,
      requestId: `req-${++seq}`,
      startedAt: process.hrtime.bigint(),
      clientIp: '127.0.0.1',
      route,
      params: {},
      upstreamPath: path.startsWith('/ai/') ? path.slice(3) : path,
      upstreamQuery: q === -1 ? '' : url.slice(q),
      upstreamHeaders: {},
    });
    mine.add(ctx);
    void dispatchAi(ctx, gw);
  });
  // Bugs are published for the node's log (src/pipeline/diagnostics.ts); this server's are this harness's.
  const onBug = (message: unknown): void => {
    const { ctx, error } = message as PluginErrorMessage;
    if (mine.has(ctx)) bugs.push(error);
  };
  pluginErrorChannel.subscribe(onBug);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    gw,
    seen,
    bugs,
    problems,
    get script() {
      return h.script;
    },
    set script(s: Script) {
      h.script = s;
    },
    async close() {
      pluginErrorChannel.unsubscribe(onBug);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export const respond =
  (response: ChatResponse): Script =>
  () =>
    Promise.resolve({ served: SERVED, response });

/** An AI endpoint's error answer (OpenAI style). */
export interface ErrorAnswer {
  error: {
    code: string;
    message: string;
    type: string;
    param: string | null;
    details?: Array<{ path: string; message: string }>;
  };
  request_id: string;
}

/** An answer read whole: its status, headers and text, and the JSON or the error in it. */
export async function readAnswer(res: Dispatcher.ResponseData) {
  const text = await res.body.text();
  return {
    status: res.statusCode,
    headers: res.headers,
    text,
    json: (): unknown => JSON.parse(text),
    error: () => (JSON.parse(text) as ErrorAnswer).error,
  };
}

/** The parts of an OpenAPI 3.1 document the tests read. */
export interface OpenApiDoc {
  openapi: string;
  info: { title: string; version: string };
  servers?: Array<{ url: string }>;
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, SchemaNode>;
    responses: Record<string, ResponseNode>;
    securitySchemes?: Record<string, { type: string; in?: string; name?: string; scheme?: string }>;
  };
  security?: Array<Record<string, string[]>>;
}

export interface Operation {
  operationId: string;
  summary: string;
  tags?: string[];
  parameters?: Array<{ name: string; in: string; schema?: SchemaNode; content?: unknown }>;
  requestBody?: { content: Record<string, { schema?: SchemaNode }> };
  responses: Record<string, ResponseNode>;
  security?: Array<Record<string, string[]>>;
  'x-keyway-prompt-version': string;
  'x-keyway-contract-version': string;
}

export interface ResponseNode {
  $ref?: string;
  description?: string;
  headers?: Record<string, { schema?: SchemaNode }>;
  content?: Record<string, { schema?: SchemaNode }>;
}

/** A JSON schema as the document holds it. */
export interface SchemaNode {
  $ref?: string;
  $schema?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  [keyword: string]: unknown;
}
