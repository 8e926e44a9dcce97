/**
 * `GET <ai route>/prompts/openapi.json`: an OpenAPI 3.1 document a generic tool accepts (checked here
 * against the rules of the specification a validator applies: required fields, status-code keys, unique
 * operation ids, component names, resolvable `$ref`s, security schemes that exist), whose schemas
 * describe what the endpoint really answers (real answers validated against them), and whose
 * `info.version` follows the contracts, not the prompts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { request } from 'undici';
import { buildCatalog } from '../../src/ai/catalog.js';
import { promptsDocument } from '../../src/ai/prompts/openapi.js';
import type { PromptApi } from '../../src/model/prompt-api.js';
import { state } from '../helpers/gateway.js';
import {
  completion,
  respond,
  startPromptHarness,
  type OpenApiDoc,
  type Operation,
  type PromptHarness,
  type ResponseNode,
  type SchemaNode,
} from './prompts-harness.js';

const sentiment: PromptApi = {
  name: 'sentiment',
  model: 'oa/gpt-4o-mini',
  description: 'Sentiment of a review',
  tags: ['reviews'],
  template: 'Classify {{text}} ({{lang}})',
  variables: {
    text: { description: 'The review', required: true, max_length: 500 },
    lang: { description: 'Its language', default: 'en' },
  },
  output: {
    format: 'json',
    schema: {
      type: 'object',
      required: ['sentiment', 'spans'],
      definitions: { span: { type: 'object', properties: { from: { type: 'integer' } } } },
      properties: {
        sentiment: { enum: ['positive', 'negative'] },
        spans: { type: 'array', items: { $ref: '#/definitions/span' } },
      },
    },
  },
};
const echo: PromptApi = { name: 'echo~v2', model: 'oa/m', template: 'Repeat {{x}}', variables: { x: {} } };
const raw: PromptApi = { name: 'raw', model: 'oa/m', template: 'Hi', response: 'openai' };

type Doc = OpenApiDoc;

/** The POST operation of a path, which must exist. */
function postOf(doc: Doc, path: string): Operation {
  const op = doc.paths[path]?.['post'];
  assert.ok(op, `${path} has a POST operation`);
  return op;
}
let h: PromptHarness;

async function get(path: string, headers: Record<string, string> = {}, method: 'GET' | 'HEAD' = 'GET') {
  const res = await request(`${h.url}${path}`, { method, headers });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text };
}

describe('prompt APIs OpenAPI document', () => {
  before(async () => {
    h = await startPromptHarness([sentiment, echo, raw]);
  });
  after(() => h.close());

  it('is served with an ETag, 304 when unchanged, no body on HEAD', async () => {
    const r = await get('/ai/prompts/openapi.json');
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/json');
    const etag = String(r.headers['etag']);
    assert.match(etag, /^"[A-Za-z0-9_-]+"$/);
    assert.equal((await get('/ai/prompts/openapi.json', { 'if-none-match': etag })).status, 304);
    const head = await get('/ai/prompts/openapi.json', {}, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.text, '');
    const v1 = await get('/ai/v1/prompts/openapi.json');
    assert.equal((JSON.parse(v1.text) as Doc).servers?.[0]?.url, '/ai');
  });

  it('follows the OpenAPI 3.1 rules a validator checks', async () => {
    const doc = JSON.parse((await get('/ai/prompts/openapi.json')).text) as Doc;
    assertOpenApi31(doc);
    assert.equal(doc.servers?.[0]?.url, '/ai');
    assert.deepEqual(Object.keys(doc.paths), ['/prompts/echo~v2', '/prompts/raw', '/prompts/sentiment']);
    const op = postOf(doc, '/prompts/sentiment');
    assert.equal(op.summary, 'Sentiment of a review');
    assert.deepEqual(op.tags, ['reviews']);
    assert.equal(op['x-keyway-prompt-version'], h.gw.catalog.prompts.get('sentiment')?.version);
    assert.deepEqual(op.requestBody?.content['application/json']?.schema, {
      type: 'object',
      additionalProperties: false,
      properties: {
        text: { type: ['string', 'number', 'boolean'], description: 'The review', maxLength: 500 },
        lang: { type: ['string', 'number', 'boolean'], description: 'Its language', default: 'en' },
      },
      required: ['text'],
    });
    assert.equal(op.responses['400']?.$ref, '#/components/responses/BadRequest');
    assert.equal(op.responses['401'], undefined, 'no auth on this route, no 401');
    assert.equal(doc.security, undefined);
    const out = doc.components.schemas['sentiment.output'];
    assert.equal(out?.$schema, 'http://json-schema.org/draft-07/schema#');
    assert.equal(
      out?.properties?.['spans']?.items?.$ref,
      '#/components/schemas/sentiment.output/definitions/span',
    );
    assert.ok(doc.components.schemas['echo_v2.output'] === undefined, 'text output has no component');
    assert.ok(postOf(doc, '/prompts/raw').responses['200']?.content?.['text/event-stream']);
    assert.equal(postOf(doc, '/prompts/raw').parameters?.[0]?.name, 'stream');
  });

  it('describes what the endpoint really answers', async () => {
    const doc = JSON.parse((await get('/ai/prompts/openapi.json')).text) as Doc;
    const ajv = new Ajv({ strict: false, allErrors: true });
    ajv.addSchema(doc, 'doc');
    const esc = (path: string): string => path.replace(/~/g, '~0').replace(/\//g, '~1');
    const schemaAt = (at: string) => ajv.compile({ $ref: `doc#${at}/content/application~1json/schema` });
    const responseSchema = (path: string, status: string) => {
      const ref = postOf(doc, path).responses[status]?.$ref;
      return schemaAt(ref !== undefined ? ref.slice(1) : `/paths/${esc(path)}/post/responses/${status}`);
    };
    const requestSchema = (path: string) => schemaAt(`/paths/${esc(path)}/post/requestBody`);

    const body = { text: 'great', lang: 'en' };
    assert.equal(requestSchema('/prompts/sentiment')(body), true);
    assert.equal(requestSchema('/prompts/sentiment')({ text: 'x', colour: 'red' }), false);
    assert.equal(requestSchema('/prompts/sentiment')({}), false);

    const answers: Array<[string, unknown, string]> = [
      ['/prompts/sentiment', body, '{"sentiment":"positive","spans":[{"from":1}]}'],
      ['/prompts/echo~v2', { x: 'a' }, 'a'],
      ['/prompts/raw', {}, 'hello'],
    ];
    for (const [path, sent, content] of answers) {
      h.script = respond(completion(content));
      const r = await request(`${h.url}/ai${path}`, { method: 'POST', body: JSON.stringify(sent) });
      const json: unknown = await r.body.json();
      assert.equal(r.statusCode, 200, path);
      const ok = responseSchema(path, '200');
      assert.equal(ok(json), true, `${path}: ${JSON.stringify((ok as { errors?: unknown }).errors)}`);
      for (const header of Object.keys(postOf(doc, path).responses['200']?.headers ?? {}))
        assert.ok(r.headers[header] !== undefined, `${path} sends ${header}`);
    }
    const bad = await request(`${h.url}/ai/prompts/sentiment`, { method: 'POST', body: '{"nope":1}' });
    assert.equal(bad.statusCode, 400);
    const refusal: unknown = await bad.body.json();
    assert.equal(responseSchema('/prompts/sentiment', '400')(refusal), true);
  });

  it('versions the contracts: a new template keeps info.version, a new variable changes it', () => {
    const doc = (prompts: PromptApi[], secured = false): Doc => {
      const catalog = buildCatalog(
        state({ ai_providers: [{ name: 'oa', type: 'openai' }], prompt_apis: prompts }).workspaces[0],
        {},
        [],
      );
      return promptsDocument(catalog, { prefix: '', secured }) as unknown as Doc;
    };
    const before = doc([sentiment, echo]);
    const reworded = doc([
      { ...sentiment, template: 'Tell me how {{text}} feels ({{lang}})', model: 'oa/other' },
      echo,
    ]);
    assert.equal(reworded.info.version, before.info.version);
    const op = (d: Doc) => postOf(d, '/prompts/sentiment');
    assert.equal(op(reworded)['x-keyway-contract-version'], op(before)['x-keyway-contract-version']);
    assert.notEqual(op(reworded)['x-keyway-prompt-version'], op(before)['x-keyway-prompt-version']);
    const widened = doc([
      {
        ...sentiment,
        template: '{{text}} {{lang}} {{tone}}',
        variables: { ...sentiment.variables, tone: {} },
      },
      echo,
    ]);
    assert.notEqual(widened.info.version, before.info.version);
    assert.notEqual(doc([sentiment]).info.version, before.info.version);

    const secured = doc([sentiment], true);
    assertOpenApi31(secured);
    assert.equal(secured.servers?.[0]?.url, '/');
    assert.deepEqual(secured.security, [{ apiKey: [] }, { bearer: [] }]);
    assert.equal(op(secured).responses['401']?.$ref, '#/components/responses/Unauthorized');
  });
});

/** The structural rules of OpenAPI 3.1.0 (spec §4.8) that validators enforce, for what Keyway emits. */
function assertOpenApi31(doc: Doc): void {
  assert.match(doc.openapi, /^3\.1\.\d+$/);
  assert.equal(typeof doc.info.title, 'string');
  assert.equal(typeof doc.info.version, 'string');
  for (const s of doc.servers ?? []) assert.equal(typeof s.url, 'string');
  const ids = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths)) {
    assert.match(path, /^\//);
    for (const [method, op] of Object.entries(item)) {
      assert.ok(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'].includes(method));
      assert.ok(!ids.has(op.operationId), `operationId ${op.operationId} is unique`);
      ids.add(op.operationId);
      for (const p of op.parameters ?? []) {
        assert.ok(['query', 'header', 'path', 'cookie'].includes(p.in));
        assert.ok(p.schema !== undefined || p.content !== undefined);
      }
      if (op.requestBody !== undefined) assert.ok(Object.keys(op.requestBody.content).length > 0);
      assert.ok(Object.keys(op.responses).length > 0);
      for (const [status, r] of Object.entries(op.responses)) {
        assert.match(status, /^([1-5]\d\d|[1-5]XX|default)$/);
        const res = r.$ref !== undefined ? (resolve(doc, r.$ref) as ResponseNode) : r;
        assert.equal(typeof res.description, 'string', `${path} ${status} has a description`);
        for (const h of Object.values(res.headers ?? {})) assert.ok(h.schema);
        for (const media of Object.values(res.content ?? {})) assert.ok(media.schema);
      }
      for (const req of op.security ?? doc.security ?? [])
        for (const name of Object.keys(req)) assert.ok(doc.components.securitySchemes?.[name], name);
    }
  }
  for (const section of Object.values(doc.components))
    for (const name of Object.keys(section ?? {})) assert.match(name, /^[a-zA-Z0-9.\-_]+$/);
  for (const scheme of Object.values(doc.components.securitySchemes ?? {})) {
    assert.ok(['apiKey', 'http', 'mutualTLS', 'oauth2', 'openIdConnect'].includes(scheme.type));
    if (scheme.type === 'apiKey')
      assert.ok(scheme.name !== undefined && ['query', 'header', 'cookie'].includes(scheme.in ?? ''));
    if (scheme.type === 'http') assert.equal(typeof scheme.scheme, 'string');
  }
  // Every $ref points at something in the document.
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (typeof node !== 'object' || node === null) return;
    for (const [k, v] of Object.entries(node as SchemaNode)) {
      if (k === '$ref' && typeof v === 'string') assert.ok(resolve(doc, v) !== undefined, `${v} resolves`);
      else walk(v);
    }
  };
  walk(doc);
}

/** The value a local `$ref` (`#/a/b~1c`) points at, or undefined. */
function resolve(doc: Doc, ref: string): unknown {
  assert.match(ref, /^#\//);
  let node: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node;
}
