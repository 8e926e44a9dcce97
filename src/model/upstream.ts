import { nameSchema, tagsSchema } from './common.js';

/** A named pool of targets a service can point at (`url: http://<upstream-name>/…`). */
export interface Upstream {
  name: string;
  algorithm?: 'round-robin' | 'least-connections';
  targets: Target[];
  tags?: string[];
}

export interface Target {
  /** `host:port` (IPv6 as `[::1]:8080`). */
  target: string;
  /** Relative share of traffic; 0 keeps the target configured but unused. */
  weight?: number;
}

export const UPSTREAM_DEFAULTS = { algorithm: 'round-robin', weight: 100 } as const;

export const upstreamSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'targets'],
  properties: {
    name: nameSchema,
    algorithm: { enum: ['round-robin', 'least-connections'] },
    targets: {
      type: 'array',
      maxItems: 1024,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['target'],
        properties: {
          target: {
            type: 'string',
            minLength: 3,
            maxLength: 300,
            pattern: '^(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+):[0-9]{1,5}$',
          },
          weight: { type: 'integer', minimum: 0, maximum: 65535 },
        },
      },
    },
    tags: tagsSchema,
  },
} as const;
