import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { state } from '../../../test/helpers/gateway.js';
import type { PromptApi } from '../../model/prompt-api.js';
import type { ConfigProblem } from '../../model/config-problem.js';
import { buildCatalog } from '../catalog.js';
import { compilePrompt, type CompiledPrompt } from './compile.js';
import { compileOutputSchema } from './output-schema.js';

const sentiment: PromptApi = {
  name: 'sentiment',
  model: 'oa/gpt-4o-mini',
  system: 'You classify {{lang}} reviews.',
  template: 'Review: {{text}}',
  variables: {
    text: { description: 'The review', required: true, max_length: 2000 },
    lang: { default: 'English' },
  },
  output: {
    format: 'json',
    schema: {
      type: 'object',
      required: ['sentiment'],
      properties: { sentiment: { enum: ['positive', 'negative', 'neutral'] } },
    },
  },
  parameters: { temperature: 0, max_tokens: 50, stop: ['\n\n'] },
};

function compile(p: PromptApi): { compiled: CompiledPrompt | undefined; problems: string[] } {
  const problems: string[] = [];
  const compiled = compilePrompt(p, (field, message) => problems.push(`${field}: ${message}`));
  return { compiled, problems };
}

describe('compiling prompt APIs', () => {
  it('compiles a valid prompt API: parts, variables, the fixed request', () => {
    const { compiled, problems } = compile(sentiment);
    assert.deepEqual(problems, []);
    assert.ok(compiled);
    assert.deepEqual(compiled.template, ['Review: ', { slot: 'text' }]);
    assert.deepEqual([...compiled.variables.keys()], ['text', 'lang']);
    assert.equal(compiled.output, 'json');
    assert.equal(compiled.response, 'result');
    assert.deepEqual(compiled.base, {
      model: 'oa/gpt-4o-mini',
      temperature: 0,
      max_tokens: 50,
      stop: ['\n\n'],
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'sentiment', schema: sentiment.output?.schema },
      },
    });
    assert.match(compiled.version, /^[A-Za-z0-9_-]{12}$/);
  });

  it('asks for json_object when JSON output has no schema, nothing for text', () => {
    const json = compile({ ...sentiment, output: { format: 'json' } }).compiled;
    assert.deepEqual(json?.base.response_format, { type: 'json_object' });
    const text = compile({ ...sentiment, output: { format: 'text' } }).compiled;
    assert.equal(text?.base.response_format, undefined);
    const named = compile({ ...sentiment, name: 'a.b~c' }).compiled;
    assert.equal(
      named?.base.response_format?.type === 'json_schema' && named.base.response_format.json_schema.name,
      'a_b_c',
    );
  });

  it('reports undeclared, unused and malformed placeholders, and bad defaults, at their field', () => {
    const { compiled, problems } = compile({
      name: 'bad',
      model: 'x/y',
      system: 'Be {{tone}}.',
      template: 'Say {{text}} in {{colour}} {{ oops! }}',
      variables: {
        text: { required: true, default: 'x' },
        unused: {},
        short: { default: 'too long', max_length: 3 },
      },
    });
    assert.equal(compiled, undefined);
    assert.deepEqual(problems, [
      '/template: line 1, column 28: "{{" starts no placeholder: write {{name}} with a declared variable, or \\{{ for a literal "{{"',
      '/template: {{colour}} is not declared in variables',
      '/system: {{tone}} is not declared in variables',
      '/variables/text/default: a required variable never uses its default: drop one of them',
      '/variables/unused: is used neither in the template nor in the system prompt',
      '/variables/short: is used neither in the template nor in the system prompt',
      '/variables/short/default: is longer than max_length (3)',
    ]);
  });

  it('reports an output schema that is not a JSON schema, or a schema on text output', () => {
    const invalid = compile({
      ...sentiment,
      output: { format: 'json', schema: { type: 'strnig', properties: { a: { minLength: -1 } } } },
    });
    assert.equal(invalid.compiled, undefined);
    assert.equal(invalid.problems.length, 1);
    assert.match(invalid.problems[0] ?? '', /^\/output\/schema: is not a valid JSON schema: schema/);
    const textWithSchema = compile({ ...sentiment, output: { format: 'text', schema: { type: 'object' } } });
    assert.deepEqual(textWithSchema.problems, ['/output/schema: applies to format "json" only']);
  });

  it('versions what produces the answer, and the contract separately', () => {
    const base = compile(sentiment).compiled;
    assert.ok(base);
    const variants: Array<[string, PromptApi, { version: boolean; contract: boolean }]> = [
      ['template', { ...sentiment, template: 'The review: {{text}}' }, { version: true, contract: false }],
      ['model', { ...sentiment, model: 'oa/gpt-4o' }, { version: true, contract: false }],
      ['system', { ...sentiment, system: 'Classify {{lang}}.' }, { version: true, contract: false }],
      ['parameters', { ...sentiment, parameters: { temperature: 1 } }, { version: true, contract: false }],
      [
        'a default',
        { ...sentiment, variables: { ...sentiment.variables, lang: { default: 'French' } } },
        { version: true, contract: true },
      ],
      [
        'a description',
        {
          ...sentiment,
          description: 'other',
          variables: { ...sentiment.variables, lang: { default: 'English', description: 'x' } },
        },
        { version: false, contract: false },
      ],
      ['response style', { ...sentiment, response: 'openai' }, { version: true, contract: true }],
      ['output format', { ...sentiment, output: { format: 'text' } }, { version: true, contract: true }],
      [
        'key order only',
        {
          ...sentiment,
          output: {
            schema: {
              properties: { sentiment: { enum: ['positive', 'negative', 'neutral'] } },
              required: ['sentiment'],
              type: 'object',
            },
            format: 'json',
          },
        },
        { version: false, contract: false },
      ],
    ];
    for (const [what, def, expect] of variants) {
      const c = compile(def).compiled;
      assert.ok(c, what);
      assert.equal(c.version !== base.version, expect.version, `${what} changes the version`);
      assert.equal(c.contract !== base.contract, expect.contract, `${what} changes the contract`);
    }
  });

  it('goes through the catalog: problems under prompt_apis, broken prompts not served', () => {
    const cfg = state({
      ai_providers: [{ name: 'oa', type: 'openai', keys: [{ id: 'k', secret: 'sk' }] }],
      prompt_apis: [sentiment, { name: 'broken', model: 'oa/m', template: '{{nope}}' }],
    });
    const problems: ConfigProblem[] = [];
    const catalog = buildCatalog(cfg.workspaces[0], {}, problems);
    assert.deepEqual(problems, [
      {
        workspace: 'default',
        kind: 'prompt_apis',
        key: 'broken',
        field: '/template',
        message: '{{nope}} is not declared in variables',
      },
    ]);
    assert.deepEqual([...catalog.prompts.keys()], ['sentiment']);
  });
});

describe('output schemas', () => {
  it('compiles equal schemas once, and schemas with an $id again and again', () => {
    const a = compileOutputSchema({ type: 'object', properties: { x: { type: 'string' } } });
    const b = compileOutputSchema({ properties: { x: { type: 'string' } }, type: 'object' });
    assert.ok(a.error === undefined && b.error === undefined);
    assert.equal(a.validate, b.validate);
    const withId = (n: number) => ({
      $id: 'https://example.test/answer.json',
      type: 'object',
      definitions: { n: { type: 'number', minimum: n } },
      properties: { n: { $ref: '#/definitions/n' } },
    });
    for (let i = 0; i < 3; i++) {
      const c = compileOutputSchema(withId(i));
      assert.equal(c.error, undefined);
      assert.equal(c.validate?.({ n: i }), true);
      assert.equal(c.validate?.({ n: i - 1 }), false);
    }
  });

  it('refuses a $ref it cannot resolve', () => {
    const c = compileOutputSchema({ $ref: 'https://example.test/elsewhere.json' });
    assert.match(c.error ?? '', /^is not a valid JSON schema/);
  });
});
