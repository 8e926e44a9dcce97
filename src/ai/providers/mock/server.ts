/**
 * The mock provider's "server": an undici Dispatcher that answers in the process instead of opening a
 * connection. The engine dispatches to it exactly as to a real provider's pool (src/ai/engine/upstream.ts),
 * so everything after the network — status handling, stream reading, back-pressure, timeouts, a caller
 * going away — runs the same code as in production. Nothing ever leaves the process.
 *
 * The answer is sent one piece per turn of the event loop (each SSE event of a stream apart, as a
 * provider generating tokens would), pausing while the reader applies back-pressure, and stopping when the
 * exchange is aborted (the caller left, a timeout).
 */
import { Dispatcher } from 'undici';
import { mockAnswer, type MockReply, type MockRequest } from './answers.js';

export class InProcessProvider extends Dispatcher {
  private readonly answer: (req: MockRequest) => MockReply;

  constructor(answer: (req: MockRequest) => MockReply = mockAnswer) {
    super();
    this.answer = answer;
  }

  override dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    new Exchange(handler).run(() =>
      this.answer({
        method: opts.method,
        path: opts.path,
        headers: headersOf(opts.headers),
        body: bodyOf(opts.body),
      }),
    );
    return true;
  }
}

/** One request and its answer, with the abort and pause undici's handler contract gives a dispatcher. */
class Exchange {
  private aborted: Error | undefined = undefined;
  private paused = false;
  private wake: (() => void) | undefined = undefined;

  constructor(private readonly handler: Dispatcher.DispatchHandler) {}

  run(answer: () => MockReply): void {
    this.handler.onConnect?.((err) => {
      this.aborted ??= err ?? new Error('aborted');
      this.resume();
    });
    void this.send(answer).catch((err: unknown) =>
      this.fail(err instanceof Error ? err : new Error(String(err))),
    );
  }

  private async send(answer: () => MockReply): Promise<void> {
    await turn();
    if (this.aborted !== undefined) return this.fail(this.aborted);
    const reply = answer();
    if (reply.cut === true && reply.body.length === 0) return this.fail(socketClosed());
    const raw: Buffer[] = [];
    for (const [k, v] of Object.entries(reply.headers)) raw.push(Buffer.from(k), Buffer.from(v));
    this.handler.onHeaders?.(reply.status, raw, () => this.resume(), '');
    for (const piece of reply.body) {
      await turn();
      while (this.paused && this.aborted === undefined) await new Promise<void>((r) => (this.wake = r));
      if (this.aborted !== undefined) return this.fail(this.aborted);
      if (this.handler.onData?.(Buffer.from(piece)) === false) this.paused = true;
    }
    await turn();
    if (this.aborted !== undefined) return this.fail(this.aborted);
    if (reply.cut === true) return this.fail(socketClosed());
    this.handler.onComplete?.(null);
  }

  private resume(): void {
    this.paused = false;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private fail(err: Error): void {
    this.handler.onError?.(err);
  }
}

/** What undici reports when a provider's connection drops mid-answer. */
function socketClosed(): Error {
  return Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
}

function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function headersOf(h: Dispatcher.DispatchOptions['headers']): Record<string, string | string[] | undefined> {
  const out: Record<string, string | string[] | undefined> = {};
  if (h === undefined || h === null) return out;
  if (Array.isArray(h)) {
    for (let i = 0; i + 1 < h.length; i += 2) out[String(h[i]).toLowerCase()] = String(h[i + 1]);
    return out;
  }
  const entries = Symbol.iterator in h ? [...(h as Iterable<[string, string]>)] : Object.entries(h);
  for (const [k, v] of entries) out[k.toLowerCase()] = v;
  return out;
}

function bodyOf(body: Dispatcher.DispatchOptions['body']): string {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  return '';
}
