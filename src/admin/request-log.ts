/**
 * The admin API's request log.
 *
 * What it says about a request: Fastify's default serializer logs the full URL, query string included, at
 * info level: a token sent the wrong way (`/status?token=…`) would land in every log pipeline. Only the
 * path is logged; no admin route takes anything secret in a query string, and none takes anything a log
 * needs there either. Headers are never logged (the admin token is one).
 *
 * When it says it: one line per request, when it ends, with method, path, status and time (Fastify's
 * default writes two, one at each end). Reads that succeed log at debug: `keyway logs --follow` and
 * dashboards poll every second, and two info lines per second per poller buried the changes an operator
 * reads the log for. Writes, refusals and failures stay at info (errors at error).
 */
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

export interface LoggedRequest {
  method: string;
  url: string;
  host: string | undefined;
  remoteAddress: string;
  remotePort: number | undefined;
}

export function logRequest(req: FastifyRequest): LoggedRequest {
  return {
    method: req.method,
    url: pathOnly(req.url),
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket.remotePort,
  };
}

/** The request target without its query string (and fragment, which clients should not send). */
export function pathOnly(url: string): string {
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

export class AdminRequestLog extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    if (this.isLogDisabled(request)) return;
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (this.isLogDisabled(request)) return;
    const fields = { req: request, res: reply, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...fields, err: error }, 'request errored');
    else if (READS.has(request.method) && reply.statusCode < 400)
      reply.log.debug(fields, 'request completed');
    else reply.log.info(fields, 'request completed');
  }
}
