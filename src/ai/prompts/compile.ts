/**
 * A prompt API as the data plane serves it, built with the snapshot: templates parsed into parts, the
 * output schema compiled, the fixed part of the chat request assembled, and two hashes:
 * - `version`: everything that shapes the answer (model, template, system prompt, variables and their
 *   defaults, output, parameters, response style). Sent as `x-keyway-prompt-version`.
 * - `contract`: what a caller can rely on (path, variables with required/default/max_length, output
 *   format and schema, response style). Published in the OpenAPI document. Rewording the template or
 *   moving to another model changes the version and leaves the contract alone.
 * Hashes are over canonical JSON (sorted keys), so the same definition hashes the same on every node,
 * whatever key order the store or a YAML file gave it. Descriptions change neither hash.
 */
import type { ValidateFunction } from 'ajv';
import { PROMPT_API_DEFAULTS, type PromptApi } from '../../model/prompt-api.js';
import type { ChatRequest } from '../types.js';
import { contentHash } from './hash.js';
import { compileOutputSchema } from './output-schema.js';
import { parseTemplate, type TemplatePart } from './template.js';
import type { CompiledVariable } from './variables.js';

export interface CompiledPrompt {
  def: Readonly<PromptApi>;
  /** Content hash of what produces the answer. */
  version: string;
  /** Content hash of the caller-facing contract. */
  contract: string;
  template: readonly TemplatePart[];
  system: readonly TemplatePart[] | undefined;
  /** In declaration order. */
  variables: ReadonlyMap<string, CompiledVariable>;
  output: 'text' | 'json';
  /** JSON output with a schema: its validator. */
  validate: ValidateFunction | undefined;
  response: 'result' | 'openai';
  /** The request without its messages: model, parameters, response format. */
  base: Readonly<RequestBase>;
}

export type RequestBase = Pick<
  ChatRequest,
  'model' | 'temperature' | 'top_p' | 'max_tokens' | 'stop' | 'response_format'
>;

/** Reports one problem at a JSON pointer inside the prompt API resource. */
export type Report = (field: string, message: string) => void;

/** The compiled prompt, or undefined when it cannot be served (its problems were reported). */
export function compilePrompt(p: PromptApi, report: Report): CompiledPrompt | undefined {
  let servable = true;
  const fail: Report = (field, message) => {
    servable = false;
    report(field, message);
  };
  const template = parseTemplate(p.template);
  template.problems.forEach((m) => fail('/template', m));
  const system = p.system === undefined ? undefined : parseTemplate(p.system);
  system?.problems.forEach((m) => fail('/system', m));

  const declared = p.variables ?? {};
  const used = new Set([...template.names, ...(system?.names ?? [])]);
  for (const name of template.names)
    if (!Object.hasOwn(declared, name)) fail('/template', `{{${name}}} is not declared in variables`);
  for (const name of system?.names ?? [])
    if (!Object.hasOwn(declared, name)) fail('/system', `{{${name}}} is not declared in variables`);

  const variables = new Map<string, CompiledVariable>();
  for (const [name, v] of Object.entries(declared)) {
    const at = `/variables/${name}`;
    if (!used.has(name)) fail(at, 'is used neither in the template nor in the system prompt');
    if (v.required === true && v.default !== undefined)
      fail(`${at}/default`, 'a required variable never uses its default: drop one of them');
    if (v.default !== undefined && v.max_length !== undefined && [...v.default].length > v.max_length)
      fail(`${at}/default`, `is longer than max_length (${v.max_length})`);
    variables.set(name, {
      name,
      required: v.required === true,
      default: v.default,
      maxLength: v.max_length,
    });
  }

  const output = p.output?.format ?? 'text';
  let validate: ValidateFunction | undefined;
  if (p.output?.schema !== undefined) {
    if (output !== 'json') fail('/output/schema', 'applies to format "json" only');
    else {
      const compiled = compileOutputSchema(p.output.schema);
      if (compiled.error !== undefined) fail('/output/schema', compiled.error);
      else validate = compiled.validate;
    }
  }
  if (!servable) return undefined;

  const response = p.response ?? PROMPT_API_DEFAULTS.response;
  return {
    def: p,
    version: contentHash([
      p.model,
      p.template,
      p.system ?? null,
      variablesMaterial(p),
      p.output ?? null,
      p.parameters ?? null,
      response,
    ]),
    contract: contractVersion(p),
    template: template.parts,
    system: system?.parts,
    variables,
    output,
    validate,
    response,
    base: baseRequest(p),
  };
}

/** The contract hash alone (also what the OpenAPI document's `info.version` is made of). */
export function contractVersion(p: PromptApi): string {
  return contentHash([
    p.name,
    variablesMaterial(p),
    p.output?.format ?? 'text',
    p.output?.schema ?? null,
    p.response ?? PROMPT_API_DEFAULTS.response,
  ]);
}

/** Variables without their descriptions, in name order. */
function variablesMaterial(p: PromptApi): unknown {
  return Object.entries(p.variables ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, v]) => [name, v.required === true, v.default ?? null, v.max_length ?? null]);
}

function baseRequest(p: PromptApi): RequestBase {
  const base: RequestBase = { model: p.model };
  const params = p.parameters ?? {};
  if (params.temperature !== undefined) base.temperature = params.temperature;
  if (params.top_p !== undefined) base.top_p = params.top_p;
  if (params.max_tokens !== undefined) base.max_tokens = params.max_tokens;
  if (params.stop !== undefined && params.stop.length > 0) base.stop = [...params.stop];
  if (p.output?.format === 'json') {
    const schema = p.output.schema;
    base.response_format =
      schema === undefined
        ? { type: 'json_object' }
        : { type: 'json_schema', json_schema: { name: schemaName(p.name), schema: { ...schema } } };
  }
  return base;
}

/** OpenAI's `json_schema.name` allows `[A-Za-z0-9_-]{1,64}`; prompt names may also hold `.` and `~`. */
function schemaName(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
}
