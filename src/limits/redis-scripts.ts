/**
 * The Lua scripts of the Redis CounterStore. One script per operation, so each is atomic on the server:
 * a read-decide-write done as separate commands would let two nodes both take the last unit.
 *
 * Time: rate scripts read the Redis server's clock (`TIME`), never the caller's, so nodes whose clocks
 * drift still agree on one schedule; the last argument `now_ms` overrides it only when it is not empty
 * (tests pin time that way: RedisStoreOptions.clock). Since Redis 5 scripts replicate their effects, not
 * the script, so a non-deterministic `TIME` is allowed (and Redis 7, which we run, only does effects).
 * Quotas take the period id from the caller: a calendar period in a time zone is the caller's concept and
 * every node names it the same way (src/core/quota-period.ts); the counter key carries the period id.
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
 * window of sliding-window.ts, step for step (that file says why and what it guarantees).
 *
 * The log is a binary string read and written in place (GETRANGE / SETRANGE): a 25-byte header — `W`,
 * then the units held, the index of the oldest live chunk and the number of chunks stored (doubles) —
 * and the chunks, 16 bytes each (units, time of the newest unit). Chunks that left the window stay
 * until they outnumber the live ones, then the live ones are rewritten to the front, so a key holds at
 * most twice its live chunks. A call touches a few dozen bytes whatever the log holds: decoding and
 * encoding the whole log (MessagePack, or one Lua string of it) cost 4 to 5 times the GCRA script at
 * 128 chunks, this about the same. The key lives until its newest unit leaves the window. Returns
 * {allowed (for a charge: within the limit), remaining, reset_ms, retry_after_ms}.
 */
export const WINDOW_SCRIPT = `${NOW(5)}
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local charge = ARGV[4] == '1'
local per = math.ceil(limit / ${WINDOW_CHUNKS})
local key = KEYS[1]
local used, head, n = 0, 0, 0
local hdr = redis.call('GETRANGE', key, 0, 24)
-- Anything else under the key (a GCRA time left by an older version) reads as an empty window; the
-- header written below covers it.
if #hdr == 25 and string.byte(hdr, 1) == 87 then used, head, n = struct.unpack('<ddd', hdr, 2) end
local function chunk(i)
  local at = 25 + 16 * i
  local u, t = struct.unpack('<dd', redis.call('GETRANGE', key, at, at + 15))
  return u, t
end
local function put(i, u, t)
  redis.call('SETRANGE', key, 25 + 16 * i, struct.pack('<dd', u, t))
end
-- Chunks whose newest unit is at or before now - window have left it.
local oldU, oldT
while head < n do
  local u, t = chunk(head)
  if t > now - window then
    oldU, oldT = u, t
    break
  end
  used = used - u
  head = head + 1
end
local function wait(k)
  if head >= n then return 0 end
  if oldU == nil then oldU, oldT = chunk(head) end
  if oldU >= k then return oldT + window - now end
  local freed = 0
  for i = head, n - 1 do
    local u, t = chunk(i)
    freed = freed + u
    if freed >= k then return t + window - now end
  end
  local _, t = chunk(n - 1)
  return t + window - now
end
local function reset()
  if used == 0 then return 0 end
  if used < limit then return wait(1) end
  return wait(used - limit + 1)
end
local newT
if cost > 0 then
  if not charge and used + cost > limit then
    local rem = limit - used
    if rem < 0 then rem = 0 end
    return {0, rem, reset(), wait(used + cost - limit)}
  end
  local u, t
  if n > head then u, t = chunk(n - 1) end
  if u ~= nil and (t >= now or u < per or n - head >= ${WINDOW_CHUNKS}) then
    if now > t then t = now end
    put(n - 1, u + cost, t)
    if n - 1 == head then oldU, oldT = u + cost, t end
    newT = t
  else
    put(n, cost, now)
    if n == head then oldU, oldT = cost, now end
    n = n + 1
    newT = now
  end
  used = used + cost
elseif cost < 0 then
  local back = -cost
  while back > 0 and n > head do
    local u, t = chunk(n - 1)
    if u > back then
      put(n - 1, u - back, t)
      used = used - back
      back = 0
    else
      back = back - u
      used = used - u
      n = n - 1
    end
  end
  oldU = nil
  if n > head then
    local _
    _, newT = chunk(n - 1)
  end
end
if cost ~= 0 then
  if n == head then
    redis.call('DEL', key)
  else
    local ttl = math.ceil(newT + window - now)
    if head > 0 and head >= n - head then
      local live = redis.call('GETRANGE', key, 25 + 16 * head, 24 + 16 * n)
      redis.call('SET', key, 'W' .. struct.pack('<ddd', used, 0, n - head) .. live, 'PX', ttl)
      n = n - head
      head = 0
    else
      redis.call('SETRANGE', key, 0, 'W' .. struct.pack('<ddd', used, head, n))
      redis.call('PEXPIRE', key, ttl)
    end
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
