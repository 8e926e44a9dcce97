/**
 * The Lua scripts of the Redis CounterStore. One script per operation, so each is atomic on the server:
 * a read-decide-write done as separate commands would let two nodes both take the last unit.
 *
 * Time: rate and concurrency scripts read the Redis server's clock (`TIME`), never the caller's, so nodes
 * whose clocks drift still agree on one schedule. Since Redis 5 scripts replicate their effects, not the
 * script, so a non-deterministic `TIME` is allowed (and Redis 7, which we run, only does effects).
 * Quotas take the period id from the caller: a calendar period in a time zone is the caller's concept and
 * every node names it the same way (quota-period.ts); the counter key carries the period id.
 */

/** KEYS[1] bucket; ARGV limit, window_ms, burst, cost. Same arithmetic as gcra.ts. */
export const RATE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local period = tonumber(ARGV[2]) / limit
local tau = tonumber(ARGV[3]) * period
local cost = tonumber(ARGV[4])
local tat = tonumber(redis.call('GET', KEYS[1]))
if tat == nil or tat < now then tat = now end
local nxt = tat + cost * period
local allow_at = nxt - tau - period
if allow_at > now then
  -- Below zero when the bucket owes units (CHARGE_RATE_SCRIPT): none are available.
  local rem = math.floor((now + tau + period - tat) / period + 1e-9)
  if rem < 0 then rem = 0 end
  return {0, rem, math.ceil(tat - now), math.ceil(allow_at - now)}
end
if nxt > now then
  redis.call('SET', KEYS[1], string.format('%.3f', nxt), 'PX', math.ceil(nxt - now))
end
local rem = math.floor((now + tau + period - nxt) / period + 1e-9)
if rem < 0 then rem = 0 end
return {1, rem, math.ceil(nxt - now), 0}
`;

/**
 * KEYS[1] bucket; ARGV limit, window_ms, burst, cost. Takes `cost` whatever the bucket holds (debt), as
 * gcraCharge in gcra.ts. Returns {within_limit, remaining, reset_ms, retry_after_ms}.
 */
export const CHARGE_RATE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local period = tonumber(ARGV[2]) / limit
local tau = tonumber(ARGV[3]) * period
local cost = tonumber(ARGV[4])
local tat = tonumber(redis.call('GET', KEYS[1]))
if tat == nil or tat < now then tat = now end
local nxt = tat + cost * period
if nxt > now then
  redis.call('SET', KEYS[1], string.format('%.3f', nxt), 'PX', math.ceil(nxt - now))
else
  -- A refund (negative cost) that empties the schedule leaves a full bucket.
  redis.call('DEL', KEYS[1])
end
local rem = math.floor((now + tau + period - nxt) / period + 1e-9)
if rem < 0 then rem = 0 end
local within = 1
if nxt - tau - period > now then within = 0 end
local retry = math.ceil(nxt - tau - now)
if retry < 0 then retry = 0 end
return {within, rem, math.ceil(nxt - now), retry}
`;

/** KEYS[1] counter of one period; ARGV limit, cost, ttl_ms. Returns {allowed, used}. */
export const QUOTA_SCRIPT = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local limit = tonumber(ARGV[1])
local cost = tonumber(ARGV[2])
if used + cost > limit then return {0, used} end
if cost > 0 then
  used = redis.call('INCRBY', KEYS[1], cost)
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
return {1, used}
`;

/** KEYS[1] counter of one period; ARGV cost, ttl_ms. Adds unconditionally; returns {used}. */
export const CHARGE_QUOTA_SCRIPT = `
local cost = tonumber(ARGV[1])
if cost <= 0 then return {tonumber(redis.call('GET', KEYS[1]) or '0')} end
local used = redis.call('INCRBY', KEYS[1], cost)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {used}
`;

/** KEYS[1] slot count; ARGV max, ttl_ms. The TTL bounds what a crashed node can leave held. */
export const ACQUIRE_SCRIPT = `
local held = tonumber(redis.call('GET', KEYS[1]) or '0')
if held >= tonumber(ARGV[1]) then return 0 end
redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`;

/** KEYS[1] slot count. Never goes below zero, even if the key expired meanwhile. */
export const RELEASE_SCRIPT = `
local held = tonumber(redis.call('GET', KEYS[1]) or '0')
if held <= 1 then redis.call('DEL', KEYS[1]) else redis.call('DECR', KEYS[1]) end
return 1
`;
