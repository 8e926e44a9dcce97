/**
 * The config thread: admin writes on a large configuration, and every large body, run here rather than
 * on the proxy's thread — parsing (src/core/json-text.ts), validation, the whole-configuration check,
 * the diff and the writes of an apply. It is the same `createConfigService` the node runs inline, over
 * its own store connection, with the node's secret box and a key importer hashing under the node's
 * secret. What the node must hear (a committed version, keys to forget) is posted back as messages;
 * config-thread.ts is the other side.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { lowerThreadPriority } from '../../core/thread-priority.js';
import { ApiKeyResolver } from '../../keys/api-key-resolver.js';
import { KeyHasher } from '../../keys/key-secret.js';
import { KeyService } from '../../keys/key-service.js';
import { SecretBox } from '../../keys/secret-box.js';
import { openStore } from '../../store/open-store.js';
import type { Store } from '../../store/types.js';
import { createConfigService } from '../config-service.js';
import type { ConfigService } from '../types.js';
import {
  fromWireArg,
  invoke,
  toWireError,
  type ConfigThreadSettings,
  type FromThread,
  type ToThread,
} from './protocol.js';

const settings = workerData as ConfigThreadSettings;
const port = parentPort;
const post = (msg: FromThread): void => port?.postMessage(msg);

lowerThreadPriority();

interface Opened {
  store: Store;
  resolver: ApiKeyResolver;
  service: ConfigService;
}

async function open(): Promise<Opened> {
  const store = await openStore(settings.store);
  const secret = Buffer.from(settings.secret);
  // Only its hashing is used here (imported keys); the node's own resolver holds the caches and hears
  // about imported keys through 'forget'. No polling, minimal caches.
  const resolver = new ApiKeyResolver(store, new KeyHasher(secret), {
    cacheSize: 1,
    negativeCacheSize: 1,
    pollMs: 0,
  });
  const keys = new KeyService(store, resolver);
  keys.onEvict((hashes) => post({ type: 'forget', hashes }));
  const service = createConfigService(store, {
    onChange: (version) => post({ type: 'changed', version }),
    keys,
    secrets: new SecretBox(secret, settings.env),
    ...(settings.historyKeep === undefined ? {} : { historyKeep: settings.historyKeep }),
  });
  return { store, resolver, service };
}

const opened = open();
// A store that cannot be opened fails each call with its error (KW_ERR_STORE_UNAVAILABLE), not the thread.
opened.catch(() => undefined);

async function call(msg: Extract<ToThread, { type: 'call' }>): Promise<FromThread> {
  try {
    const { service } = await opened;
    const value = await invoke(service, msg.method, msg.args.map(fromWireArg));
    if (msg.text) return { type: 'text', id: msg.id, text: JSON.stringify(value) };
    return { type: 'result', id: msg.id, value };
  } catch (err) {
    return { type: 'error', id: msg.id, error: toWireError(err) };
  }
}

async function close(): Promise<void> {
  try {
    const { store, resolver } = await opened;
    await resolver.close();
    await store.close();
  } catch {
    // Nothing was opened, or it is gone already.
  }
  post({ type: 'closed' });
  port?.close();
}

port?.on('message', (msg: ToThread) => {
  if (msg.type === 'close') void close();
  else void call(msg).then(post);
});
