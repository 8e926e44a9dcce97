/**
 * The admin API's request log: one line per request, when it ends, with method, URL, status and time
 * (Fastify's default writes two, one at each end). Reads that succeed log at debug: `keyway logs --follow`
 * and dashboards poll every second, and two info lines per second per poller buried the changes an
 * operator reads the log for. Writes, refusals and failures stay at info (errors at error).
 */
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

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
