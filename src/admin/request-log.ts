/**
 * What the admin API's request log says about a request. Fastify's default serializer logs the full URL,
 * query string included, at info level: a token sent the wrong way (`/status?token=…`) would land in
 * every log pipeline. Only the path is logged; no admin route takes anything secret in a query string,
 * and none takes anything a log needs there either. Headers are never logged (the admin token is one).
 */
import type { FastifyRequest } from 'fastify';

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
