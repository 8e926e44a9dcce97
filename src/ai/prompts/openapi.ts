/**
 * The OpenAPI 3.1 document of a workspace's prompt APIs (`GET <ai route>/prompts/openapi.json`): one
 * `POST /prompts/{name}` operation per prompt API, its request body from the variables, its 200 answer
 * from the output format and response style, and the OpenAI-style error object for every error answer.
 *
 * `info.version` is a hash of every prompt API's contract (./compile.ts), so it moves when what callers
 * send or get changes and stays put when a template is reworded or a model swapped; each operation also
 * carries its own `x-keyway-contract-version` and current `x-keyway-prompt-version`.
 *
 * Output schemas are draft-07 (Keyway's validator) inside a 3.1 document (JSON Schema 2020-12 by
 * default): each goes under `components/schemas` with `$schema` saying draft-07, which OpenAPI 3.1
 * allows per schema, and its local `$ref`s (`#/definitions/x`) rewritten to point inside it, since `#`
 * in the document means the document.
 */
import type { AiCatalog } from '../catalog.js';
import type { CompiledPrompt } from './compile.js';
import { contentHash } from './hash.js';
import { outputComponents } from './openapi-schemas.js';

export interface DocumentOptions {
  /** Where the AI route serves `/prompts/…`, as the caller sees it: `/ai`, or '' at the root. */
  prefix: string;
  /** The route runs an identify plugin: say callers need a key. */
  secured: boolean;
}

const ERROR_RESPONSES: ReadonlyArray<[string, string, string]> = [
  [
    '400',
    'BadRequest',
    'The body is not a JSON object of this prompt API’s variables (KW_ERR_PROMPT_VARIABLES, KW_ERR_BAD_REQUEST).',
  ],
  ['401', 'Unauthorized', 'No valid Keyway key (KW_ERR_AUTH_MISSING, KW_ERR_AUTH_INVALID).'],
  [
    '403',
    'Forbidden',
    'The key may not use this prompt API or its model (KW_ERR_FORBIDDEN, KW_ERR_MODEL_NOT_ALLOWED).',
  ],
  ['404', 'NotFound', 'No prompt API of this name (KW_ERR_AI_ENDPOINT).'],
  ['413', 'TooLarge', 'The body is larger than the route allows (KW_ERR_PROMPT_TOO_LARGE).'],
  [
    '429',
    'TooManyRequests',
    'A request, token or spend limit was reached (KW_ERR_RATE_LIMITED, KW_ERR_TOKEN_LIMIT_EXCEEDED, KW_ERR_BUDGET_EXCEEDED).',
  ],
  [
    '502',
    'BadGateway',
    'The provider failed, or the model’s answer broke the output contract (KW_ERR_AI_PROVIDER).',
  ],
  ['503', 'Unavailable', 'No provider could serve the model (KW_ERR_AI_NO_PROVIDER).'],
  ['504', 'Timeout', 'The provider did not answer in time (KW_ERR_AI_PROVIDER_TIMEOUT).'],
];

export function promptsDocument(catalog: AiCatalog, opts: DocumentOptions): Record<string, unknown> {
  const prompts = [...catalog.prompts.values()].sort((a, b) => compare(a.def.name, b.def.name));
  const outputs = outputComponents(prompts);
  const paths: Record<string, unknown> = {};
  for (const p of prompts) paths[`/prompts/${p.def.name}`] = { post: operation(p, outputs.refs, opts) };
  return {
    openapi: '3.1.0',
    info: {
      title: `Prompt APIs of workspace ${catalog.workspace}`,
      version: contentHash(prompts.map((p) => [p.def.name, p.contract])),
      description:
        'Prompt APIs served by Keyway: POST the variables as a JSON object. Each answer carries ' +
        '`x-keyway-prompt-version`, the version of the prompt that produced it; this document’s ' +
        'version changes only when a prompt API’s contract (variables, output) does.',
    },
    servers: [{ url: opts.prefix === '' ? '/' : opts.prefix }],
    paths,
    components: {
      schemas: { ...outputs.schemas, Error: ERROR_SCHEMA, ChatCompletion: CHAT_COMPLETION_SCHEMA },
      responses: Object.fromEntries(
        ERROR_RESPONSES.map(([, name, description]) => [
          name,
          {
            description,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
          },
        ]),
      ),
      ...(opts.secured ? { securitySchemes: SECURITY_SCHEMES } : {}),
    },
    ...(opts.secured ? { security: [{ apiKey: [] }, { bearer: [] }] } : {}),
  };
}

function operation(
  p: CompiledPrompt,
  outputRefs: ReadonlyMap<string, string>,
  opts: DocumentOptions,
): Record<string, unknown> {
  const streams = p.response === 'openai' && p.output === 'text';
  const ok: Record<string, unknown> = {
    'application/json': { schema: answerSchema(p, outputRefs.get(p.def.name)) },
  };
  if (streams)
    ok['text/event-stream'] = {
      schema: {
        type: 'string',
        description: 'With `?stream=true`: `data: {chat.completion.chunk}` events, then `data: [DONE]`.',
      },
    };
  const errors = ERROR_RESPONSES.filter(([status]) => opts.secured || status !== '401');
  return {
    operationId: p.def.name,
    summary: p.def.description ?? `Prompt API ${p.def.name}`,
    ...(p.def.tags !== undefined && p.def.tags.length > 0 ? { tags: [...p.def.tags] } : {}),
    'x-keyway-prompt-version': p.version,
    'x-keyway-contract-version': p.contract,
    ...(streams
      ? {
          parameters: [
            {
              name: 'stream',
              in: 'query',
              required: false,
              description: 'Stream the chat completion as server-sent events.',
              schema: { type: 'boolean', default: false },
            },
          ],
        }
      : {}),
    requestBody: {
      required: true,
      content: { 'application/json': { schema: requestSchema(p) } },
    },
    responses: {
      '200': {
        description:
          p.response === 'result'
            ? 'The model’s answer as `result`.'
            : 'The chat completion, as OpenAI’s Chat Completions API returns it.',
        headers: SUCCESS_HEADERS,
        content: ok,
      },
      ...Object.fromEntries(
        errors.map(([status, name]) => [status, { $ref: `#/components/responses/${name}` }]),
      ),
    },
  };
}

function requestSchema(p: CompiledPrompt): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const v of p.variables.values()) {
    const description = p.def.variables?.[v.name]?.description;
    properties[v.name] = {
      type: ['string', 'number', 'boolean'],
      ...(description === undefined ? {} : { description }),
      ...(v.default === undefined ? {} : { default: v.default }),
      ...(v.maxLength === undefined ? {} : { maxLength: v.maxLength }),
    };
    if (v.required) required.push(v.name);
  }
  return {
    type: 'object',
    additionalProperties: false,
    properties,
    ...(required.length > 0 ? { required } : {}),
  };
}

function answerSchema(p: CompiledPrompt, outputRef: string | undefined): Record<string, unknown> {
  if (p.response === 'openai') return { $ref: '#/components/schemas/ChatCompletion' };
  const result =
    p.output === 'text'
      ? { type: 'string' }
      : outputRef !== undefined
        ? { $ref: outputRef }
        : { type: 'object' };
  return { type: 'object', additionalProperties: false, required: ['result'], properties: { result } };
}

const SUCCESS_HEADERS = {
  'x-keyway-prompt-version': {
    description: 'Version (content hash) of the prompt that produced this answer.',
    schema: { type: 'string' },
  },
  'x-keyway-ai-provider': { description: 'The provider that served the call.', schema: { type: 'string' } },
  'x-keyway-ai-model': {
    description: 'The provider’s model that served the call.',
    schema: { type: 'string' },
  },
  'x-request-id': { description: 'Keyway’s id of this call.', schema: { type: 'string' } },
};

const SECURITY_SCHEMES = {
  apiKey: { type: 'apiKey', in: 'header', name: 'apikey', description: 'A Keyway API key.' },
  bearer: { type: 'http', scheme: 'bearer', description: 'A Keyway API key (or a token the route accepts).' },
};

const ERROR_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['message', 'type', 'code'],
      properties: {
        message: { type: 'string' },
        type: { type: 'string' },
        param: { type: ['string', 'null'], description: 'The first field at fault, as a JSON pointer.' },
        code: { type: 'string', description: 'A Keyway error code, `KW_ERR_…`.' },
        details: {
          type: 'array',
          items: {
            type: 'object',
            required: ['path', 'message'],
            properties: { path: { type: 'string' }, message: { type: 'string' } },
          },
        },
      },
    },
    request_id: { type: 'string' },
  },
};

const CHAT_COMPLETION_SCHEMA = {
  type: 'object',
  required: ['id', 'object', 'created', 'model', 'choices'],
  properties: {
    id: { type: 'string' },
    object: { const: 'chat.completion' },
    created: { type: 'integer' },
    model: { type: 'string' },
    choices: {
      type: 'array',
      items: {
        type: 'object',
        required: ['index', 'message', 'finish_reason'],
        properties: {
          index: { type: 'integer' },
          message: {
            type: 'object',
            required: ['role', 'content'],
            properties: {
              role: { const: 'assistant' },
              content: { type: ['string', 'null'] },
              refusal: { type: ['string', 'null'] },
            },
          },
          finish_reason: { type: ['string', 'null'] },
        },
      },
    },
    usage: {
      type: 'object',
      properties: {
        prompt_tokens: { type: 'integer' },
        completion_tokens: { type: 'integer' },
        total_tokens: { type: 'integer' },
      },
    },
  },
};

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
