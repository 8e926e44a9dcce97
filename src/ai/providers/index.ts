/** The provider adapters, one per wire protocol (docs/ai-gateway.md lists what each maps). */
import type { AiProviderType } from '../../model/ai-provider.js';
import type { ProviderAdapter } from '../types.js';
import { anthropicAdapter } from './anthropic.js';
import { azureAdapter } from './azure.js';
import { geminiAdapter } from './gemini.js';
import { mistralAdapter } from './mistral.js';
import { mockAdapter } from './mock/index.js';
import { ollamaAdapter } from './ollama.js';
import { openaiAdapter } from './openai.js';
import { openaiCompatibleAdapter } from './openai-compatible.js';

const ADAPTERS: Record<AiProviderType, ProviderAdapter> = {
  openai: openaiAdapter,
  azure: azureAdapter,
  anthropic: anthropicAdapter,
  gemini: geminiAdapter,
  mistral: mistralAdapter,
  ollama: ollamaAdapter,
  openai_compatible: openaiCompatibleAdapter,
  mock: mockAdapter,
};

export function adapterFor(type: AiProviderType): ProviderAdapter {
  return ADAPTERS[type];
}
