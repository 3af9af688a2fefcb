-- One limit decision, atomic in Redis: check every limit, then take from all or from none.
-- KEYS[2i-1]: bucket hash of check i (fields t = tokens, ts = last update, ms)
-- KEYS[2i]:   slot set of check i (zset: lease id -> expiry, ms)
-- ARGV[1] lease id, ARGV[2] lease ms, ARGV[3] number of checks n,
-- then per check i: ARGV[3i+1] requests per minute (0: no rate limit), ARGV[3i+2] burst,
-- ARGV[3i+3] max concurrent (0: no cap).
-- Returns { allowed 1|0, index of the first refusing check (0 if none), 'rate'|'concurrency'|'',
--           ms until the refused buckets have a whole token, tokens of each check as strings }.
-- Redis's clock, not the gateways': replicas with skewed clocks still share one bucket fairly.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local lease = ARGV[1]
local lease_ms = tonumber(ARGV[2])
local n = tonumber(ARGV[3])
local tokens = {}
local refused = 0
local refused_kind = ''
local retry_ms = 0
for i = 1, n do
  local rpm = tonumber(ARGV[3 * i + 1])
  local burst = tonumber(ARGV[3 * i + 2])
  local max_concurrent = tonumber(ARGV[3 * i + 3])
  tokens[i] = -1
  if rpm > 0 then
    local state = redis.call('HMGET', KEYS[2 * i - 1], 't', 'ts')
    local t = tonumber(state[1])
    local ts = tonumber(state[2])
    if t == nil or ts == nil then
      t = burst
    else
      t = math.min(burst, t + math.max(0, now - ts) * rpm / 60000)
    end
    tokens[i] = t
    if t < 1 then
      local wait = math.ceil((1 - t) * 60000 / rpm)
      if wait > retry_ms then retry_ms = wait end
      if refused == 0 then refused = i; refused_kind = 'rate' end
    end
  end
  if max_concurrent > 0 then
    redis.call('ZREMRANGEBYSCORE', KEYS[2 * i], '-inf', now)
    if refused == 0 and redis.call('ZCARD', KEYS[2 * i]) >= max_concurrent then
      refused = i; refused_kind = 'concurrency'
    end
  end
end
if refused == 0 then
  for i = 1, n do
    local rpm = tonumber(ARGV[3 * i + 1])
    local burst = tonumber(ARGV[3 * i + 2])
    if rpm > 0 then
      tokens[i] = tokens[i] - 1
      redis.call('HSET', KEYS[2 * i - 1], 't', tostring(tokens[i]), 'ts', now)
      -- Gone once it would be full anyway: a missing bucket reads as full.
      redis.call('PEXPIRE', KEYS[2 * i - 1], math.ceil((burst - tokens[i]) * 60000 / rpm) + 1000)
    end
    if tonumber(ARGV[3 * i + 3]) > 0 then
      redis.call('ZADD', KEYS[2 * i], now + lease_ms, lease)
      if redis.call('PTTL', KEYS[2 * i]) < lease_ms + 1000 then
        redis.call('PEXPIRE', KEYS[2 * i], lease_ms + 1000)
      end
    end
  end
end
local result = { refused == 0 and 1 or 0, refused, refused_kind, retry_ms }
for i = 1, n do
  result[4 + i] = tostring(tokens[i])
end
return result
