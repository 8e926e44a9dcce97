/**
 * Azure OpenAI (https://learn.microsoft.com/azure/ai-foundry/openai/reference): the OpenAI format served
 * per deployment. `base_url` is the resource endpoint (`https://RESOURCE.openai.azure.com`); a target's
 * model is the *deployment name*; calls go to
 *
 *   {base_url}/openai/deployments/{deployment}/chat/completions?api-version={api_version}
 *   {base_url}/openai/deployments/{deployment}/embeddings?api-version={api_version}
 *
 * with the key in the `api-key` header. `api_version` defaults to the latest GA data-plane inference
 * version (2024-10-21, which has `stream_options.include_usage`). The deployment decides the model, so
 * the body's `model` is left out. Azure-only behaviour the engine copes with: a first stream chunk with
 * `choices: []` and `prompt_filter_results` (absorbed), `finish_reason: "content_filter"` (passed on),
 * `retry-after-ms` on 429 (honoured).
 */
import type { ProviderAdapter } from '../types.js';
import { openAiWireAdapter } from './openai-wire.js';

export const AZURE_DEFAULT_API_VERSION = '2024-10-21';

export const azureAdapter: ProviderAdapter = openAiWireAdapter({
  type: 'azure',
  defaultBaseUrl: undefined,
  url: (target, operation) =>
    `${target.provider.baseUrl}/openai/deployments/${encodeURIComponent(target.model)}/${operation}` +
    `?api-version=${encodeURIComponent(target.provider.apiVersion ?? AZURE_DEFAULT_API_VERSION)}`,
  auth: (key): Record<string, string> => (key === undefined ? {} : { 'api-key': key }),
  chatBody: (body) => {
    delete body.model;
  },
  embeddingsBody: (body) => {
    delete body.model;
  },
});
