/**
 * The upstream targets of the services a snapshot serves, with what their balancers know now (requests in
 * flight, health): what `/metrics` reports per target. Read at scrape time, never per request. `ai://`
 * services have no targets (their providers' calls are the AI gateway's).
 */
import type { UpstreamTargetState } from '../observe/metrics.js';
import type { Snapshot } from './compile.js';

export function* upstreamTargets(snapshot: Snapshot | undefined): Generator<UpstreamTargetState> {
  if (snapshot === undefined) return;
  for (const svc of snapshot.services.values()) {
    if (svc.ai) continue;
    for (const t of svc.balancer.targets)
      yield {
        workspace: svc.workspace,
        service: svc.name,
        target: t.address,
        inFlight: t.state.active,
        health: t.state.metricHealth,
      };
  }
}
