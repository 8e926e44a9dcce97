/**
 * The config service as the node runs it: reads and writes on a small configuration inline (they cost
 * well under a millisecond), and writes on a large one, or with a large body, on the config thread
 * (config-thread-entry.ts) so the proxy's event loop keeps answering. Measured before this: a 5 MB apply
 * held the proxy's thread for 10–16 s, and 100 concurrent writes on a 16k-resource configuration pushed
 * its p99 to over a second (each write loads and checks the whole configuration).
 *
 * The thread starts on first use and ends after `idleMs` without a call: it costs 30–40 MB of RSS, which
 * a node that is never administered at scale should not pay. Once it runs, every write goes to it, so
 * writes made while a large apply is under way queue behind it in one place.
 */
import { Worker } from 'node:worker_threads';
import { JsonText, RawJson } from '../../core/json-text.js';
import type {
  AdminConfigService,
  ApplyResult,
  ConfigService,
  DeclarativeDoc,
  SerializedAnswers,
} from '../types.js';
import {
  fromWireError,
  invoke,
  toWireArg,
  type ConfigThreadSettings,
  type FromThread,
  type Method,
  type ToThread,
} from './protocol.js';

/** Routes plus services from which writes leave the proxy's thread (a check then takes milliseconds). */
export const LARGE_CONFIG_RESOURCES = 500;
const DEFAULT_IDLE_MS = 60_000;

export interface IdleTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: IdleTimers = {
  set: (fn, ms) => setTimeout(fn, ms).unref(),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface ConfigThreadOptions {
  /** The service on the proxy's thread, for reads and small writes. */
  inline: ConfigService;
  settings: ConfigThreadSettings;
  /** Routes plus services the node serves now (its snapshot): cheap, and exact enough for a threshold. */
  size: () => number;
  /** A change the thread committed (the inline service's `onChange`, for changes made there). */
  onChange: (version: number) => void | Promise<void>;
  /** API keys the thread imported, for the node's key caches. */
  onForget: (hashes: string[]) => void;
  idleMs?: number;
  timers?: IdleTimers;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

/** One running thread and the calls it has not answered yet. */
interface Running {
  worker: Worker;
  pending: Map<number, Pending>;
  exited: Promise<void>;
  /** Called when no call is in flight any more (a close waits for that). */
  drained: Array<() => void>;
  /** Settles once the node serves the last change the thread reported. */
  served: Promise<unknown>;
}

export class ConfigThread implements AdminConfigService {
  readonly #opts: ConfigThreadOptions;
  readonly #timers: IdleTimers;
  #running: Running | undefined;
  #idle: unknown;
  #seq = 0;
  /** Threads started so far (tests read it). */
  starts = 0;

  constructor(opts: ConfigThreadOptions) {
    this.#opts = opts;
    this.#timers = opts.timers ?? realTimers;
  }

  get running(): boolean {
    return this.#running !== undefined;
  }

  // --- reads: inline (one resource or one page) ---------------------------------------------------
  listWorkspaces: ConfigService['listWorkspaces'] = () => this.#opts.inline.listWorkspaces();
  getWorkspace: ConfigService['getWorkspace'] = (name) => this.#opts.inline.getWorkspace(name);
  list: ConfigService['list'] = (kind, workspace, query) => this.#opts.inline.list(kind, workspace, query);
  get: ConfigService['get'] = (kind, workspace, idOrKey) => this.#opts.inline.get(kind, workspace, idOrKey);

  // --- writes ----------------------------------------------------------------------------------------
  createWorkspace: ConfigService['createWorkspace'] = (...args) => this.#write('createWorkspace', args);
  updateWorkspace: ConfigService['updateWorkspace'] = (...args) => this.#write('updateWorkspace', args);
  deleteWorkspace: ConfigService['deleteWorkspace'] = (...args) => this.#write('deleteWorkspace', args);
  create: ConfigService['create'] = (...args) => this.#write('create', args);
  replace: ConfigService['replace'] = (...args) => this.#write('replace', args);
  patch: ConfigService['patch'] = (...args) => this.#write('patch', args);
  delete: ConfigService['delete'] = (...args) => this.#write('delete', args);
  transition: ConfigService['transition'] = (...args) => this.#write('transition', args);
  apply: ConfigService['apply'] = (...args) => this.#write('apply', args);
  // An export of a large configuration builds a document the size of it: off the proxy's thread too.
  export: ConfigService['export'] = (...args) => this.#write('export', args);

  /** Apply and export answered as JSON text when they ran on the thread. */
  readonly answers: SerializedAnswers = {
    apply: (doc, opts) => this.#write<ApplyResult | JsonText>('apply', [doc, opts], true),
    export: (workspace, selectTags) =>
      this.#write<DeclarativeDoc | JsonText>('export', [workspace, selectTags], true),
  };

  /** Ends the thread (node shutdown), after the calls it has in hand. */
  async close(): Promise<void> {
    this.#timers.clear(this.#idle);
    const running = this.#running;
    if (running === undefined) return;
    this.#running = undefined;
    await this.#stop(running);
  }

  #onThread(args: unknown[]): boolean {
    return (
      this.#running !== undefined ||
      args.some((a) => a instanceof RawJson) ||
      this.#opts.size() >= LARGE_CONFIG_RESOURCES
    );
  }

  #write<T>(method: Method, args: unknown[], text = false): Promise<T> {
    if (!this.#onThread(args)) return invoke(this.#opts.inline, method, args) as Promise<T>;
    return this.#call<T>(method, args, text);
  }

  #call<T>(method: Method, args: unknown[], text: boolean): Promise<T> {
    const running = (this.#running ??= this.#start());
    this.#timers.clear(this.#idle);
    const id = ++this.#seq;
    return new Promise<unknown>((resolve, reject) => {
      // Referenced while a call is in flight: a node stopping mid-apply waits for its answer.
      if (running.pending.size === 0) running.worker.ref();
      running.pending.set(id, { resolve, reject });
      const msg: ToThread = { type: 'call', id, method, args: args.map(toWireArg), text };
      running.worker.postMessage(msg);
    }).then((value) => (text && typeof value === 'string' ? new JsonText(value) : value) as T);
  }

  #start(): Running {
    this.starts++;
    const worker = new Worker(new URL('./config-thread-entry.js', import.meta.url), {
      workerData: this.#opts.settings,
    });
    const pending = new Map<number, Pending>();
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    const running: Running = { worker, pending, exited, drained: [], served: Promise.resolve() };
    worker.on('message', (msg: FromThread) => this.#heard(running, msg));
    const fail = (err: Error): void => {
      for (const p of pending.values()) p.reject(err);
      pending.clear();
      // The next write starts a new thread.
      if (this.#running === running) this.#running = undefined;
      for (const done of running.drained.splice(0)) done();
    };
    worker.on('error', fail);
    worker.on('exit', () => fail(new Error('config thread exited')));
    worker.unref();
    return running;
  }

  #heard(running: Running, msg: FromThread): void {
    switch (msg.type) {
      case 'changed':
        // Answers wait until the node serves the change (read your writes; see SnapshotManager.served).
        running.served = Promise.resolve(this.#opts.onChange(msg.version)).catch(() => undefined);
        return;
      case 'forget':
        this.#opts.onForget(msg.hashes);
        return;
      case 'closed':
        return;
      default:
        break;
    }
    const p = running.pending.get(msg.id);
    running.pending.delete(msg.id);
    if (running.pending.size === 0) {
      running.worker.unref();
      for (const done of running.drained.splice(0)) done();
      if (this.#running === running) this.#armIdle(running);
    }
    if (p === undefined) return;
    void running.served.then(() => {
      if (msg.type === 'error') p.reject(fromWireError(msg.error));
      else p.resolve(msg.type === 'text' ? msg.text : msg.value);
    });
  }

  #armIdle(running: Running): void {
    this.#timers.clear(this.#idle);
    this.#idle = this.#timers.set(() => {
      if (this.#running !== running || running.pending.size > 0) return;
      this.#running = undefined;
      void this.#stop(running);
    }, this.#opts.idleMs ?? DEFAULT_IDLE_MS);
  }

  async #stop(running: Running): Promise<void> {
    // The thread closes its store on 'close': calls it is still making finish first.
    if (running.pending.size > 0) await new Promise<void>((resolve) => running.drained.push(resolve));
    running.worker.ref();
    running.worker.postMessage({ type: 'close' } satisfies ToThread);
    await running.exited;
  }
}
