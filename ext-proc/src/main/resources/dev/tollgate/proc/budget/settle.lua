-- Releases a reservation and charges the actual spend to the current bucket of every budget.
-- KEYS as in reserve.lua. ARGV: lease id, budget count; then per budget: actual spend, current
-- bucket, previous bucket, previous bucket's weight (ppm), counter ttl ms.
-- Returns {spent1, held1, spent2, held2, ...} after the settlement.
local lease, n = ARGV[1], tonumber(ARGV[2])

-- Redis wants integers as plain digits: Lua would write 1e+15, or -0 for a negated zero.
local function release(c, amount)
  local value = tonumber(amount)
  if value ~= 0 then
    redis.call('HINCRBY', c, 'h', string.format('%.0f', -value))
  end
end
local out = {}
for i = 1, n do
  local at = 2 + (i - 1) * 5
  local c, z, h = KEYS[3 * i - 2], KEYS[3 * i - 1], KEYS[3 * i]
  local amount = redis.call('HGET', h, lease)
  if amount then
    release(c, amount)
    redis.call('HDEL', h, lease)
    redis.call('ZREM', z, lease)
  end
  local cur, prev, weight = ARGV[at + 2], ARGV[at + 3], tonumber(ARGV[at + 4])
  redis.call('HINCRBY', c, 'b:' .. cur, ARGV[at + 1])
  -- Buckets older than the previous one no longer count: drop them, so the hash stays at most
  -- three fields however long the budget lives.
  for _, field in ipairs(redis.call('HKEYS', c)) do
    if field ~= 'h' and field ~= 'b:' .. cur and field ~= 'b:' .. prev then
      redis.call('HDEL', c, field)
    end
  end
  local ttl = tonumber(ARGV[at + 5])
  if redis.call('PTTL', c) < ttl then
    redis.call('PEXPIRE', c, ttl)
  end
  local s = tonumber(redis.call('HGET', c, 'b:' .. cur) or '0')
  if prev ~= cur then
    s = s + math.ceil(tonumber(redis.call('HGET', c, 'b:' .. prev) or '0') * weight / 1000000)
  end
  out[#out + 1] = s
  out[#out + 1] = tonumber(redis.call('HGET', c, 'h') or '0')
end
return out
