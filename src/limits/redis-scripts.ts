/**
 * The Lua scripts of the Redis CounterStore. One script per operation, so each is atomic on the server:
 * a read-decide-write done as separate commands would let two nodes both take the last unit.
 *
 * Time: rate scripts read the Redis server's clock (`TIME`), never the caller's, so nodes whose clocks
 * drift still agree on one schedule; the last argument `now_ms` overrides it only when it is not empty
 * (tests pin time that way: RedisStoreOptions.clock). Since Redis 5 scripts replicate their effects, not
 * the script, so a non-deterministic `TIME` is allowed (and Redis 7, which we run, only does effects).
 * Quotas take the period id from the caller: a calendar period in a time zone is the caller's concept and
 * every node names it the same way (quota-period.ts); the counter key carries the period id.
 */

import { WINDOW_CHUNKS } from './sliding-window.js';

/** The clock of a script: `now_ms` in ARGV[n] when given, else the server's. */
const NOW = (n: number) => `
local now = tonumber(ARGV[${n}])
if now == nil then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end`;

/** KEYS[1] bucket; ARGV limit, window_ms, burst, cost, now_ms. Same arithmetic as gcra.ts. */
export const RATE_SCRIPT = `${NOW(5)}
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
 * KEYS[1] bucket; ARGV limit, window_ms, burst, cost, now_ms. Takes `cost` whatever the bucket holds
 * (debt), as gcraCharge in gcra.ts. Returns {within_limit, remaining, reset_ms, retry_after_ms}.
 */
export const CHARGE_RATE_SCRIPT = `${NOW(5)}
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

/**
 * KEYS[1] window log; ARGV limit, window_ms, cost, charge (1: take past the limit), now_ms. The sliding
 * window of sliding-window.ts, step for step (that file says why and what it guarantees). The log is a
 * MessagePack array {units, time, units, time, …}, oldest chunk first; the key lives until its newest
 * unit leaves the window. Returns {allowed (or within the limit, for a charge), remaining, reset_ms,
 * retry_after_ms}.
 */
export const WINDOW_SCRIPT = `${NOW(5)}
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local charge = ARGV[4] == '1'
local per = math.ceil(limit / ${WINDOW_CHUNKS})
local log = {}
local raw = redis.call('GET', KEYS[1])
if raw then
  -- Anything else under the key (a GCRA time left by an older version) reads as an empty window.
  local ok, v = pcall(cmsgpack.unpack, raw)
  if ok and type(v) == 'table' then log = v end
end
local c, used = {}, 0
local first, n = 1, #log
while first < n and log[first + 1] <= now - window do first = first + 2 end
for i = first, n - 1, 2 do
  c[#c + 1] = log[i]
  c[#c + 1] = log[i + 1]
  used = used + log[i]
end
local function wait(units)
  if #c == 0 then return 0 end
  local freed = 0
  for i = 1, #c, 2 do
    freed = freed + c[i]
    if freed >= units then return c[i + 1] + window - now end
  end
  return c[#c] + window - now
end
local function reset()
  if used == 0 then return 0 end
  if used < limit then return wait(1) end
  return wait(used - limit + 1)
end
if cost > 0 then
  if not charge and used + cost > limit then
    local rem = limit - used
    if rem < 0 then rem = 0 end
    return {0, rem, reset(), wait(used + cost - limit)}
  end
  local k = #c
  if k > 0 and (c[k] >= now or c[k - 1] < per or k >= ${2 * WINDOW_CHUNKS}) then
    c[k - 1] = c[k - 1] + cost
    if now > c[k] then c[k] = now end
  else
    c[k + 1] = cost
    c[k + 2] = now
  end
  used = used + cost
elseif cost < 0 then
  local back = -cost
  while back > 0 and #c > 0 do
    local k = #c
    if c[k - 1] > back then
      c[k - 1] = c[k - 1] - back
      used = used - back
      back = 0
    else
      back = back - c[k - 1]
      used = used - c[k - 1]
      c[k] = nil
      c[k - 1] = nil
    end
  end
end
if cost ~= 0 then
  if #c == 0 then
    redis.call('DEL', KEYS[1])
  else
    redis.call('SET', KEYS[1], cmsgpack.pack(c), 'PX', math.ceil(c[#c] + window - now))
  end
end
local rem = limit - used
if rem < 0 then rem = 0 end
local within = 1
if used > limit then within = 0 end
local retry = 0
if charge and used + 1 > limit then retry = wait(used + 1 - limit) end
return {within, rem, reset(), retry}
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
