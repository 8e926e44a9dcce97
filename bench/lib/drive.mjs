// A fixed number of requests rather than a fixed duration: the figures per request of the counting
// benches (instructions.mjs, allocations.mjs) divide by it, and the load generator runs in the bench's
// process, outside what they count.
import http from 'node:http';

/** Sends `n` GETs over `c` keep-alive connections, each starting the next when its answer is read. */
export async function drive(url, headers, n, c) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: c });
  let left = n;
  let bad = 0;
  const one = () =>
    new Promise((resolve, reject) => {
      const req = http.get(url, { agent, headers }, (res) => {
        if (res.statusCode !== 200) bad++;
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
    });
  await Promise.all(
    Array.from({ length: c }, async () => {
      while (left > 0) {
        left--;
        await one();
      }
    }),
  );
  agent.destroy();
  if (bad > 0) throw new Error(`${bad} of ${n} requests did not answer 200`);
}
