/**
 * JSON schemas of the admin API that are not resource schemas themselves: list queries, pages, errors,
 * and the declarative document. Resource schemas come from `KINDS` so the admin API, the declarative
 * file and the store can never disagree on what a field is.
 */
import {
  DOCUMENT_KINDS,
  KINDS,
  workspaceSchema,
  type JsonSchema,
  type ResourceKind,
} from '../model/index.js';
import { nameSchema } from '../model/common.js';
import { ERRORS } from '../core/errors.js';
import { importKeyBody } from '../keys/key-schemas.js';
import { componentName, named } from './openapi/components.js';

const meta = {
  id: { type: 'string' },
  created_at: { type: 'string' },
  updated_at: { type: 'string' },
} as const;

function properties(schema: JsonSchema): Record<string, JsonSchema> {
  return (schema['properties'] ?? {}) as Record<string, JsonSchema>;
}

function without(props: Record<string, JsonSchema>, drop: readonly string[]): Record<string, JsonSchema> {
  return Object.fromEntries(Object.entries(props).filter(([k]) => !drop.includes(k)));
}

/** The component name of a kind in the OpenAPI document: `ai_providers` is `AiProvider`. */
export function kindSchemaName(kind: ResourceKind): string {
  return KINDS[kind].singular
    .split(/[\s_]+/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase())
    .join('');
}

/** Body of PUT and POST: the resource exactly as the model defines it (AI providers: see below). */
export function createBody(kind: ResourceKind): JsonSchema {
  return named(`${kindSchemaName(kind)}Input`, kind === 'ai_providers' ? providerInput : KINDS[kind].schema);
}

/** A resource as answers show it: stored fields plus id and timestamps, AI provider keys redacted. */
export function responseSchema(kind: ResourceKind): JsonSchema {
  return named(
    kindSchemaName(kind),
    storedSchema(kind === 'ai_providers' ? providerView : KINDS[kind].schema),
  );
}

// The schemas below are made once per input schema: the same object for every route that declares it
// (the top-level and the workspace-scoped twin), so the OpenAPI document shows it once (openapi/).
const patched = new WeakMap<JsonSchema, JsonSchema>();
const stored = new WeakMap<JsonSchema, JsonSchema>();
const pages = new WeakMap<JsonSchema, JsonSchema>();

function once(cache: WeakMap<JsonSchema, JsonSchema>, key: JsonSchema, make: () => JsonSchema): JsonSchema {
  let made = cache.get(key);
  if (made === undefined) cache.set(key, (made = make()));
  return made;
}

/** Body of PATCH: the same fields, none required (missing ones keep their value). */
export function patchBody(schema: JsonSchema): JsonSchema {
  return once(patched, schema, () => {
    const patch = { ...schema, required: [], minProperties: 1 };
    const name = componentName(schema)?.replace(/Input$/, '');
    return name === undefined ? patch : named(`${name}Patch`, patch);
  });
}

/** A stored resource as returned: the model's fields plus Keyway's id and timestamps. */
export function storedSchema(schema: JsonSchema): JsonSchema {
  // What the model requires, a stored resource has: it was checked against the model when written.
  const required = (schema['required'] ?? []) as string[];
  return once(stored, schema, () => ({
    type: 'object',
    required: [...required, 'id', 'created_at', 'updated_at'],
    properties: { ...properties(schema), ...meta },
  }));
}

/** A page of a list: `data`, the cursor of the next page and the total; named after its item's schema. */
export function pageSchema(item: JsonSchema): JsonSchema {
  return once(pages, item, () => {
    const page = {
      type: 'object',
      required: ['data', 'next', 'total'],
      properties: {
        data: { type: 'array', items: item },
        next: { type: ['string', 'null'], description: 'Cursor for `after`, null on the last page.' },
        total: { type: 'integer' },
      },
    };
    const name = componentName(item);
    return name === undefined ? page : named(`${name}Page`, page);
  });
}

export const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
    after: { type: 'string', maxLength: 64, description: 'The `next` cursor of the previous page.' },
    name: { type: 'string', maxLength: 512, description: 'Exact key (name, username or plugin key).' },
    tag: { type: 'string', maxLength: 64, description: 'Only resources carrying this tag.' },
  },
} as const;

export const emptyQuery = { type: 'object', additionalProperties: false, properties: {} } as const;

export const workspaceParams = {
  type: 'object',
  required: ['workspace'],
  properties: { workspace: nameSchema },
} as const;

/** Every error answer's body: `{"error": {"code", "message", "request_id", "details"}}` (src/core/errors.ts). */
export const errorBody = named('Error', {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', enum: Object.keys(ERRORS) },
        message: { type: 'string' },
        request_id: { type: 'string' },
        details: {
          type: 'array',
          items: {
            type: 'object',
            required: ['path', 'message'],
            properties: {
              path: { type: 'string', description: 'JSON pointer into the request body.' },
              message: { type: 'string' },
            },
          },
        },
      },
    },
  },
} as const);

/** The error responses every authenticated route can give, for the OpenAPI document. */
export const errorResponses = {
  400: errorBody,
  401: errorBody,
  404: errorBody,
  409: errorBody,
  500: errorBody,
} as const;

named('WorkspaceInput', workspaceSchema);
export const storedWorkspace = named('Workspace', storedSchema(workspaceSchema));

// --- AI provider keys: write-only (docs/ai-secrets.md) ------------------------------------------

const providerKeyInput = (properties(KINDS.ai_providers.schema)['keys'] as { items: JsonSchema }).items;
const keyProps = properties(providerKeyInput);

/** Input: the model's key fields, described, plus the `sealed` marker a GET shows (accepted, ignored). */
const providerInput: JsonSchema = {
  ...KINDS.ai_providers.schema,
  properties: {
    ...properties(KINDS.ai_providers.schema),
    keys: {
      type: 'array',
      maxItems: 64,
      description:
        'The key pool. Left out on update: the stored pool is kept. A key listed by id without a secret keeps its stored secret.',
      items: {
        ...providerKeyInput,
        properties: {
          ...keyProps,
          secret: {
            ...keyProps['secret'],
            description: 'The key in clear: sealed before it is stored, never returned.',
          },
          secret_enc: {
            ...keyProps['secret_enc'],
            description: 'A key sealed by a node with the same server secret (what export writes).',
          },
          secret_env: {
            ...keyProps['secret_env'],
            description: 'Read the key from this environment variable.',
          },
          sealed: {
            const: true,
            description:
              'Read-only marker shown by GET; sent back it is ignored and the stored secret is kept.',
          },
        },
      },
    },
  },
};

/** Output: a key shows whether it is sealed or read from the environment, never the secret. */
const providerKeyView: JsonSchema = {
  type: 'object',
  required: ['id'],
  properties: {
    id: keyProps['id'],
    secret_env: keyProps['secret_env'],
    sealed: { const: true, description: 'The secret is stored sealed (AES-256-GCM); it is never returned.' },
    enabled: keyProps['enabled'],
  },
};

const providerView: JsonSchema = {
  ...KINDS.ai_providers.schema,
  properties: {
    ...properties(KINDS.ai_providers.schema),
    keys: { type: 'array', items: providerKeyView },
  },
};

// --- the declarative document (docs/declarative-config.md) ------------------------------------

const nestedPlugin: JsonSchema = {
  ...KINDS.plugins.schema,
  properties: without(properties(KINDS.plugins.schema), ['service', 'route', 'consumer']),
};
const pluginList = { type: 'array', items: nestedPlugin };
/** Apps may list existing keys to import (docs/keys.md); they are never exported. */
const appWithKeys: JsonSchema = {
  ...KINDS.apps.schema,
  properties: { ...properties(KINDS.apps.schema), keys: { type: 'array', items: importKeyBody } },
};

/** Entries of the document that are not the kind's resource as is: nested, or with write-only fields. */
const documentEntries: Partial<Record<ResourceKind, JsonSchema>> = {
  services: {
    ...KINDS.services.schema,
    properties: {
      ...properties(KINDS.services.schema),
      routes: {
        type: 'array',
        items: {
          ...KINDS.routes.schema,
          required: ['name'],
          properties: { ...properties(KINDS.routes.schema), plugins: pluginList },
        },
      },
      plugins: pluginList,
    },
  },
  consumers: {
    ...KINDS.consumers.schema,
    properties: {
      ...properties(KINDS.consumers.schema),
      plugins: pluginList,
      apps: { type: 'array', items: { ...appWithKeys, required: ['name'] } },
    },
  },
  apps: appWithKeys,
  ai_providers: providerInput,
};

/**
 * Schemas that document a body for OpenAPI but are not enforced by Fastify, because the service behind
 * the route checks more than a schema can (duplicates, references inside the file) and reports every
 * problem in one answer; a schema pass first would stop at the shape errors and hide the rest.
 */
export const documentationOnly = new WeakSet<object>();

export const declarativeDoc: JsonSchema = named('DeclarativeDocument', {
  type: 'object',
  additionalProperties: false,
  required: ['_format_version'],
  properties: {
    _format_version: { enum: ['1'], description: 'Always the string "1".' },
    _info: {
      type: 'object',
      additionalProperties: false,
      properties: {
        select_tags: {
          type: 'array',
          items: { type: 'string' },
          description: 'The document manages only the resources carrying all of these tags.',
        },
      },
    },
    workspace: { ...nameSchema, description: 'Workspace this document describes (default: "default").' },
    description: { type: 'string', maxLength: 1024 },
    ...Object.fromEntries(
      DOCUMENT_KINDS.map((kind) => [
        kind,
        { type: 'array', items: documentEntries[kind] ?? KINDS[kind].schema },
      ]),
    ),
  },
});
documentationOnly.add(declarativeDoc);

const change = {
  type: 'object',
  required: ['action', 'kind', 'key'],
  properties: {
    action: { enum: ['create', 'update', 'delete'] },
    kind: { enum: Object.keys(KINDS) },
    key: { type: 'string' },
    fields: { type: 'array', items: { type: 'string' } },
    before: {},
    after: {},
    keys: {
      type: 'integer',
      description: 'For a deleted app: its API keys that still work, deleted with it.',
    },
  },
} as const;

export const applyResult = named('ApplyResult', {
  type: 'object',
  required: ['workspace', 'dry_run', 'changes', 'version'],
  properties: {
    workspace: { type: 'string' },
    dry_run: { type: 'boolean' },
    changes: { type: 'array', items: change },
    version: { type: 'integer' },
    workspace_action: {
      enum: ['create', 'update'],
      description: 'Present when the workspace itself is (or would be) created or its description changed.',
    },
  },
} as const);
