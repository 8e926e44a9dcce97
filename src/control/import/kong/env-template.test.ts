import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeywayError } from '../../../core/errors.js';
import { renderEnvTemplates } from './env-template.js';

describe('kong import: decK environment templates', () => {
  it('fills ${{ env "DECK_…" }} from the environment, before the YAML is read', () => {
    const text = 'retries: ${{ env "DECK_RETRIES" }}\nkey: ${{env "DECK_KEY"}}\n';
    assert.equal(
      renderEnvTemplates('kong.yaml', text, { DECK_RETRIES: '3', DECK_KEY: 'k-123456789' }),
      'retries: 3\nkey: k-123456789\n',
    );
  });

  it('refuses a variable that is not set, or not a DECK_ one, naming the line and never a value', () => {
    const text = 'a: 1\nb: ${{ env "DECK_MISSING" }}\nc: ${{ env "HOME" }}\n';
    assert.throws(
      () => renderEnvTemplates('kong.yaml', text, { HOME: '/secret/home' }),
      (err: unknown) => {
        assert.ok(err instanceof KeywayError);
        assert.equal(err.code, 'KW_ERR_CONFIG_FILE');
        assert.deepEqual(err.details, [
          { path: 'line 2', message: 'environment variable DECK_MISSING is not set' },
          { path: 'line 3', message: 'HOME: decK reads only variables named DECK_…' },
        ]);
        assert.ok(!err.message.includes('/secret/home'));
        return true;
      },
    );
  });
});
