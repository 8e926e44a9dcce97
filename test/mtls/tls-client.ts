/** A real TLS client for the mTLS tests: node:https with an optional client certificate. */
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { IncomingHttpHeaders } from 'node:http';
import type { Echo } from '../helpers/upstream.js';

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The upstream's view of the request, when the gateway forwarded it. */
  echo: Echo | undefined;
  socket: TLSSocket;
}

export interface ClientCert {
  /** PEM: the certificate, then any intermediates to send. */
  cert: string;
  key: string;
}

export function httpsGet(
  url: string,
  opts: { ca: string; client?: ClientCert; agent?: https.Agent | false; headers?: Record<string, string> } = {
    ca: '',
  },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      url,
      {
        ca: opts.ca,
        agent: opts.agent ?? false,
        ...(opts.headers === undefined ? {} : { headers: opts.headers }),
        ...(opts.client === undefined ? {} : { cert: opts.client.cert, key: opts.client.key }),
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c));
        res.on('end', () => {
          let echo: Echo | undefined;
          if (res.headers['x-upstream'] !== undefined) echo = JSON.parse(text) as Echo;
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            echo,
            socket: res.socket as TLSSocket,
          });
        });
      },
    );
    req.on('error', reject);
  });
}
