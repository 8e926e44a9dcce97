/**
 * Every answer the gateway itself gives on an AI route comes in the shape the caller's SDK parses, with the
 * KW_ERR_* code reachable: the OpenAI shape on the OpenAI endpoints, the Anthropic shape on `/v1/messages`
 * — whoever refused: key-auth (401, 403), rate-limit and quota (429, with Retry-After), the AI policy
 * (model allow-list, budget), the AI endpoints (no such endpoint, body too large) and the provider behind.
 * Checked with the official `openai` and `@anthropic-ai/sdk` clients: the error class, the status, the
 * message and the code.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { ApiKeyResolver } from '../../src/keys/api-key-resolver.js';
import { generateKey } from '../../src/keys/key-format.js';
import { LocalCounterStore } from '../../src/limits/local-store.js';
import { MemoryKeys } from '../helpers/api-keys.js';
import { aiHarness } from './harness.js';
import { aiState, completion, openAiError } from './openai-fixtures.js';

const MESSAGE = [{ role: 'user' as const, content: 'hi' }];

/** An SDK error class (their constructors differ per status, so only `instanceof` is asked of them). */
type ErrorClass = abstract new (...args: never[]) => Error;

describe('gateway errors on AI routes, as the official SDKs see them', () => {
  const keys = new MemoryKeys();
  const resolver = new ApiKeyResolver(keys, keys.hasher, { pollMs: 0, negativeTtlMs: 0 });
  const local = new LocalCounterStore({ sweepMs: 0 });
  const h = aiHarness({
    responder: (req) =>
      (req.json as { model?: string } | undefined)?.model === 'gpt-4o'
        ? { status: 500, json: openAiError('The server had an error', 'server_error') }
        : { json: completion('ok', { usage: { prompt_tokens: 10, completion_tokens: 2 } }) },
    config: (fake) =>
      aiState({
        providers: [
          {
            name: 'oa',
            type: 'openai',
            base_url: `${fake.url}/v1`,
            keys: [{ id: 'k1', secret: 'sk-test-sdk-errors-0001' }],
            prices: [{ model: 'gpt-4o-mini', input: 1000, output: 1000 }],
          },
        ],
        models: [
          { name: 'fast', targets: [{ provider: 'oa', model: 'gpt-4o-mini' }] },
          { name: 'broken', targets: [{ provider: 'oa', model: 'gpt-4o' }], retries: 0 },
        ],
        config: { models: ['fast', 'broken'], max_body_bytes: 2048 },
        consumers: [
          { username: 'team' },
          { username: 'bursty' },
          { username: 'quota' },
          { username: 'broke' },
        ],
        apps: [
          { name: 'team-app', consumer: 'team' },
          { name: 'bursty-app', consumer: 'bursty' },
          { name: 'quota-app', consumer: 'quota' },
          { name: 'broke-app', consumer: 'broke' },
        ],
        plugins: [
          {
            name: 'key-auth',
            service: 'ai',
            config: { key_names: ['apikey', 'x-api-key'], required_scopes: ['ai'] },
          },
          {
            name: 'rate-limit',
            service: 'ai',
            consumer: 'bursty',
            config: { limits: [{ limit: 1, window: '1h' }] },
          },
          {
            name: 'quota',
            service: 'ai',
            consumer: 'quota',
            config: { quotas: [{ limit: 1, period: 'day' }] },
          },
          {
            name: 'ai-proxy',
            service: 'ai',
            consumer: 'broke',
            config: { models: ['fast'], budgets: [{ usd: 0.000001, period: 'month' }] },
          },
        ],
      }),
    gateway: { services: { apiKeys: resolver, counters: local, localCounters: local } },
  });

  const key: Record<string, string> = {};
  before(() => {
    for (const app of h.config.workspaces[0]?.apps ?? [])
      key[app.name] = keys.issue(app.id, { scopes: ['ai'] }).key;
    key['unscoped'] = keys.issue(h.config.workspaces[0]?.apps[0]?.id ?? '', { scopes: [] }).key;
  });
  const openai = (apiKey: string) => new OpenAI({ apiKey, baseURL: `${h.gw.url}/v1`, maxRetries: 0 });
  const anthropic = (apiKey: string) => new Anthropic({ apiKey, baseURL: h.gw.url, maxRetries: 0 });

  /** The rejection of `call`, checked to be an OpenAI APIError of `cls` with the status and code. */
  async function openAiRefusal(
    call: Promise<unknown>,
    cls: ErrorClass,
    status: number,
    code: string,
  ): Promise<InstanceType<typeof OpenAI.APIError>> {
    let caught: unknown;
    await assert.rejects(call, (err: unknown) => {
      caught = err;
      return true;
    });
    assert.ok(caught instanceof cls, `expected ${cls.name}, got ${String(caught)}`);
    assert.ok(caught instanceof OpenAI.APIError);
    assert.equal(caught.status, status);
    assert.equal(caught.code, code, JSON.stringify(caught.error));
    assert.equal(typeof caught.type, 'string');
    assert.equal(caught.requestID, (caught.headers as Headers | undefined)?.get('x-request-id'));
    assert.ok(caught.requestID !== undefined && caught.requestID !== null);
    return caught;
  }

  async function anthropicRefusal(
    call: Promise<unknown>,
    cls: ErrorClass,
    status: number,
    code: string,
    type: string,
  ): Promise<InstanceType<typeof Anthropic.APIError>> {
    let caught: unknown;
    await assert.rejects(call, (err: unknown) => {
      caught = err;
      return true;
    });
    assert.ok(caught instanceof cls, `expected ${cls.name}, got ${String(caught)}`);
    assert.ok(caught instanceof Anthropic.APIError);
    assert.equal(caught.status, status);
    assert.equal(caught.type, type);
    // The SDK's own field for a machine-readable code (`error.details.error_code`).
    assert.equal(caught.errorCode, code, JSON.stringify(caught.error));
    const body = caught.error as { type: string; error: { code: string }; request_id: string };
    assert.equal(body.type, 'error');
    assert.equal(body.error.code, code);
    assert.equal(body.request_id, (caught.headers as Headers | undefined)?.get('x-request-id'));
    return caught;
  }

  const chat = (apiKey: string, model = 'fast') =>
    openai(apiKey).chat.completions.create({ model, messages: MESSAGE });
  const message = (apiKey: string, model = 'fast', content = 'hi') =>
    anthropic(apiKey).messages.create({ model, max_tokens: 16, messages: [{ role: 'user', content }] });

  describe('OpenAI SDK', () => {
    it('no Keyway key: AuthenticationError KW_ERR_AUTH_MISSING', async () => {
      const err = await openAiRefusal(
        chat('not-a-keyway-key'),
        OpenAI.AuthenticationError,
        401,
        'KW_ERR_AUTH_MISSING',
      );
      assert.equal(err.type, 'authentication_error');
      assert.equal(err.message, '401 credentials are required');
      assert.ok(err.headers?.get('www-authenticate'));
    });

    it('an unknown key: AuthenticationError KW_ERR_AUTH_INVALID', async () => {
      await openAiRefusal(chat(generateKey('live')), OpenAI.AuthenticationError, 401, 'KW_ERR_AUTH_INVALID');
    });

    it('a key without the scope: PermissionDeniedError KW_ERR_FORBIDDEN', async () => {
      const err = await openAiRefusal(
        chat(key['unscoped'] ?? ''),
        OpenAI.PermissionDeniedError,
        403,
        'KW_ERR_FORBIDDEN',
      );
      assert.equal(err.type, 'permission_error');
    });

    it('a model the route does not allow: PermissionDeniedError KW_ERR_MODEL_NOT_ALLOWED', async () => {
      await openAiRefusal(
        chat(key['team-app'] ?? '', 'oa/gpt-4o'),
        OpenAI.PermissionDeniedError,
        403,
        'KW_ERR_MODEL_NOT_ALLOWED',
      );
    });

    it('rate-limit and quota plugins: RateLimitError with Retry-After', async () => {
      for (const [app, code] of [
        ['bursty-app', 'KW_ERR_RATE_LIMITED'],
        ['quota-app', 'KW_ERR_QUOTA_EXCEEDED'],
      ] as const) {
        await chat(key[app] ?? '');
        const err = await openAiRefusal(chat(key[app] ?? ''), OpenAI.RateLimitError, 429, code);
        assert.equal(err.type, 'rate_limit_error');
        assert.match(err.headers?.get('retry-after') ?? '', /^[1-9][0-9]*$/, code);
      }
    });

    it('a spent budget: RateLimitError KW_ERR_BUDGET_EXCEEDED with Retry-After', async () => {
      await chat(key['broke-app'] ?? '');
      const err = await openAiRefusal(
        chat(key['broke-app'] ?? ''),
        OpenAI.RateLimitError,
        429,
        'KW_ERR_BUDGET_EXCEEDED',
      );
      assert.match(err.headers?.get('retry-after') ?? '', /^[1-9][0-9]*$/);
    });

    it(
      'a refusal that renews in hours is not retried by the SDK (x-should-retry: false)',
      { timeout: 20_000 },
      async () => {
        // Both SDKs sleep for whatever Retry-After says before retrying: until the quota renews, here.
        let fetches = 0;
        const counting = new OpenAI({
          apiKey: key['quota-app'] ?? '',
          baseURL: `${h.gw.url}/v1`,
          maxRetries: 2,
          fetch: (url, init) => {
            fetches++;
            return fetch(url, init);
          },
        });
        await assert.rejects(
          counting.chat.completions.create({ model: 'fast', messages: MESSAGE }),
          (err: unknown) => err instanceof OpenAI.RateLimitError && err.code === 'KW_ERR_QUOTA_EXCEEDED',
        );
        assert.equal(fetches, 1);
      },
    );

    it('no such endpoint in the AI service: NotFoundError KW_ERR_AI_ENDPOINT', async () => {
      await openAiRefusal(
        openai(key['team-app'] ?? '').completions.create({ model: 'fast', prompt: 'hi' }),
        OpenAI.NotFoundError,
        404,
        'KW_ERR_AI_ENDPOINT',
      );
    });

    it('a body over max_body_bytes: APIError 413 KW_ERR_PROMPT_TOO_LARGE', async () => {
      const err = await openAiRefusal(
        openai(key['team-app'] ?? '').chat.completions.create({
          model: 'fast',
          messages: [{ role: 'user', content: 'x'.repeat(4096) }],
        }),
        OpenAI.APIError,
        413,
        'KW_ERR_PROMPT_TOO_LARGE',
      );
      assert.equal(err.type, 'invalid_request_error');
    });

    it('the provider failing: InternalServerError 502 KW_ERR_AI_PROVIDER', async () => {
      await openAiRefusal(
        chat(key['team-app'] ?? '', 'broken'),
        OpenAI.InternalServerError,
        502,
        'KW_ERR_AI_PROVIDER',
      );
    });
  });

  describe('Anthropic SDK', () => {
    it('an unknown key: AuthenticationError', async () => {
      const err = await anthropicRefusal(
        message(generateKey('live')),
        Anthropic.AuthenticationError,
        401,
        'KW_ERR_AUTH_INVALID',
        'authentication_error',
      );
      // The SDK's message is the whole body (as for Anthropic's own errors); the API's message is apart.
      assert.equal(err.apiMessage, 'invalid credentials');
    });

    it('a key without the scope: PermissionDeniedError', async () => {
      await anthropicRefusal(
        message(key['unscoped'] ?? ''),
        Anthropic.PermissionDeniedError,
        403,
        'KW_ERR_FORBIDDEN',
        'permission_error',
      );
    });

    it('the rate-limit plugin: RateLimitError with Retry-After', async () => {
      const burst = keys.issue(h.config.workspaces[0]?.apps[1]?.id ?? '', { scopes: ['ai'] }).key;
      await message(burst).catch(() => undefined);
      const err = await anthropicRefusal(
        message(burst),
        Anthropic.RateLimitError,
        429,
        'KW_ERR_RATE_LIMITED',
        'rate_limit_error',
      );
      assert.match(err.headers?.get('retry-after') ?? '', /^[1-9][0-9]*$/);
    });

    it('an unknown model: NotFoundError', async () => {
      await anthropicRefusal(
        message(key['team-app'] ?? '', 'nope'),
        Anthropic.NotFoundError,
        404,
        'KW_ERR_MODEL_NOT_FOUND',
        'not_found_error',
      );
    });

    it('a body over max_body_bytes: ContentTooLargeError request_too_large', async () => {
      await anthropicRefusal(
        message(key['team-app'] ?? '', 'fast', 'x'.repeat(4096)),
        Anthropic.ContentTooLargeError,
        413,
        'KW_ERR_PROMPT_TOO_LARGE',
        'request_too_large',
      );
    });

    it('the provider failing: InternalServerError api_error', async () => {
      await anthropicRefusal(
        message(key['team-app'] ?? '', 'broken'),
        Anthropic.InternalServerError,
        502,
        'KW_ERR_AI_PROVIDER',
        'api_error',
      );
    });
  });
});
