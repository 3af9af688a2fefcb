-- Reserves one request's worst case in every budget that counts it, or nothing if one has no room.
-- Per budget i: KEYS[3i-2] counter hash (field h: held by live leases, b:<bucket start>: settled
-- spend), KEYS[3i-1] lease expiry zset, KEYS[3i] lease amount hash.
-- ARGV: lease id, lease expiry ms, now ms, lease ms, budget count, prompt tokens, prompt nano-USD,
-- completion tokens per choice, choices, completion nano-USD per million tokens, fewest tokens per
-- choice the request can go with, the whole request's worst case in tokens and in nano-USD (exact,
-- worked out by the caller); then per budget: unit (t|n), limit, current bucket, previous bucket,
-- previous bucket's weight (ppm), counter ttl ms.
-- Returns {1, tokens per choice granted, spent1, held1, ...} or {0, index refused, spent, held}.
local lease, expiry, now, leaseMs = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local n = tonumber(ARGV[5])
local promptTokens, promptNanos = tonumber(ARGV[6]), tonumber(ARGV[7])
local granted, choices, rate, fewest = tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10]), tonumber(ARGV[11])
local asked = granted
local whole = {t = tonumber(ARGV[12]), n = tonumber(ARGV[13])}
local FIRST = 13

-- Redis wants integers as plain digits: Lua would write 1e+15, or -0 for a negated zero.
local function release(c, amount)
  local n = tonumber(amount)
  if n ~= 0 then
    redis.call('HINCRBY', c, 'h', string.format('%.0f', -n))
  end
end

local function purge(c, z, h)
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', z, '-inf', now)) do
    local amount = redis.call('HGET', h, id)
    if amount then
      release(c, amount)
      redis.call('HDEL', h, id)
    end
    redis.call('ZREM', z, id)
  end
end

local function spent(c, cur, prev, weight)
  local current = tonumber(redis.call('HGET', c, 'b:' .. cur) or '0')
  if prev == cur then
    return current
  end
  local previous = tonumber(redis.call('HGET', c, 'b:' .. prev) or '0')
  return current + math.ceil(previous * weight / 1000000)
end

local standing = {}
for i = 1, n do
  local at = FIRST + (i - 1) * 6
  local unit, limit = ARGV[at + 1], tonumber(ARGV[at + 2])
  local c, z, h = KEYS[3 * i - 2], KEYS[3 * i - 1], KEYS[3 * i]
  purge(c, z, h)
  local s = spent(c, ARGV[at + 3], ARGV[at + 4], tonumber(ARGV[at + 5]))
  local held = tonumber(redis.call('HGET', c, 'h') or '0')
  local room = limit - s - held
  local fixed = promptNanos
  if unit == 't' then
    fixed = promptTokens
  end
  local fits
  if whole[unit] <= room then
    -- The whole request fits, compared exactly (integers below 2^53): no margin needed.
    fits = asked
  elseif room < fixed then
    fits = -1
  elseif unit == 't' then
    fits = math.floor((room - fixed) / choices)
  elseif rate == 0 then
    fits = granted
  else
    -- Lua numbers are doubles: one token less than the quotient keeps the cost inside the room.
    fits = math.max(0, math.floor((room - fixed) * 1000000 / rate / choices) - 1)
  end
  if fits < 0 or fits < fewest then
    return {0, i, s, held}
  end
  if fits < granted then
    granted = fits
  end
  standing[i] = {s, held}
end

local out = {1, granted}
for i = 1, n do
  local at = FIRST + (i - 1) * 6
  local c, z, h = KEYS[3 * i - 2], KEYS[3 * i - 1], KEYS[3 * i]
  local amount
  if granted == asked then
    amount = whole[ARGV[at + 1]]
  elseif ARGV[at + 1] == 't' then
    amount = promptTokens + granted * choices
  else
    amount = promptNanos + math.ceil(granted * choices * rate / 1000000)
  end
  amount = string.format('%.0f', amount)
  redis.call('HINCRBY', c, 'h', amount)
  redis.call('HSET', h, lease, amount)
  redis.call('ZADD', z, expiry, lease)
  local ttl = tonumber(ARGV[at + 6])
  redis.call('PEXPIRE', c, math.max(ttl, leaseMs))
  redis.call('PEXPIRE', z, leaseMs + 60000)
  redis.call('PEXPIRE', h, leaseMs + 60000)
  out[#out + 1] = standing[i][1]
  out[#out + 1] = standing[i][2] + tonumber(amount)
end
return out
