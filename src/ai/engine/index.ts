import { KeywayError } from '../../core/errors.js';
import type { AiCatalog } from '../catalog.js';
import type { AiEngine, AiPolicy } from '../engine-types.js';

// Placeholder while the engine is written.
export function createEngine(_catalog: AiCatalog, _policy: AiPolicy): AiEngine {
  const no = () =>
    Promise.reject(
      new KeywayError('KW_ERR_AI_NO_PROVIDER', { model: '-', reason: 'engine not written yet' }),
    );
  return { chat: no, embeddings: no };
}
