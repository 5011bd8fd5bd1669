"""The Lua scripts behind jobs/redis_store.py: each runs atomically in Redis. Job fields
are JSON-encoded (a state is `"queued"`, with its quotes). KEYS[1] is the job's hash,
ARGV[1] the key prefix; every script ends by putting the job in the indexes its fields
say it belongs to (`reindex`)."""

from __future__ import annotations

_COMMON = """
local key = KEYS[1]
local p = ARGV[1]
local STATES = {'queued', 'running', 'succeeded', 'failed', 'cancelled'}

local function unquote(value)
  if not value then return nil end
  return string.sub(value, 2, -2)
end

local function reindex()
  local h = redis.call('hmget', key, 'id', 'seq', 'state', 'lease_until', 'expires_at',
                       'expired', 'webhook')
  local id = unquote(h[1])
  local seq = tonumber(h[2])
  local state = unquote(h[3])
  local expired = h[6] == 'true'
  for _, s in ipairs(STATES) do
    if s == state and not expired then
      redis.call('zadd', p .. 'state:' .. s, seq, id)
    else
      redis.call('zrem', p .. 'state:' .. s, id)
    end
  end
  if expired then
    redis.call('zrem', p .. 'jobs', id)
  else
    redis.call('zadd', p .. 'jobs', seq, id)
  end
  if state == 'running' then
    redis.call('zadd', p .. 'leases', tonumber(h[4]) or 0, id)
  else
    redis.call('zrem', p .. 'leases', id)
  end
  local expires = tonumber(h[5])
  if expires then
    redis.call('zadd', p .. 'expiry', expires, id)
  else
    redis.call('zrem', p .. 'expiry', id)
  end
  if h[7] and string.find(h[7], '"state": *"pending"') then
    redis.call('zadd', p .. 'webhooks', seq, id)
  else
    redis.call('zrem', p .. 'webhooks', id)
  end
end

local function set_pairs(from)
  for i = from, #ARGV, 2 do
    redis.call('hset', key, ARGV[i], ARGV[i + 1])
  end
end
"""

# ARGV: prefix, max_queued, field, value, … → the new job's seq, or 0 when the queue is full.
ADD = (
    _COMMON
    + """
if redis.call('zcard', p .. 'state:queued') >= tonumber(ARGV[2]) then return 0 end
local seq = redis.call('incr', p .. 'seq')
redis.call('hset', key, 'seq', seq)
set_pairs(3)
reindex()
return seq
"""
)

# ARGV: prefix, allowed states ('' any, else space-separated), attempt ('' any), field,
# value, … → 1 when the job was there, in an allowed state, under that attempt, and changed.
UPDATE = (
    _COMMON
    + """
local h = redis.call('hmget', key, 'state', 'attempt')
if not h[1] then return 0 end
if ARGV[2] ~= '' then
  local state = unquote(h[1])
  local allowed = false
  for s in string.gmatch(ARGV[2], '%S+') do
    if s == state then allowed = true end
  end
  if not allowed then return 0 end
end
if ARGV[3] ~= '' and tonumber(h[2]) ~= tonumber(ARGV[3]) then return 0 end
set_pairs(4)
reindex()
return 1
"""
)

# ARGV: prefix, now, lease_until, max_attempts, the failure message (JSON), ttl
# → {outcome, value}: claimed (the new attempt), held (when its lease ends), failed,
# finished, missing.
CLAIM = (
    _COMMON
    + """
local now = tonumber(ARGV[2])
local h = redis.call('hmget', key, 'state', 'attempt', 'lease_until')
if not h[1] then return {'missing', '0'} end
local state = unquote(h[1])
local attempt = tonumber(h[2]) or 0
local lease = tonumber(h[3]) or 0
if state ~= 'queued' and state ~= 'running' then return {'finished', '0'} end
if state == 'running' and lease > now then return {'held', h[3]} end
if state == 'running' and attempt >= tonumber(ARGV[4]) then
  redis.call('hset', key, 'state', '"failed"', 'finished_at', ARGV[2],
             'expires_at', tostring(now + tonumber(ARGV[6])),
             'error_code', '"interrupted"', 'error_message', ARGV[5])
  reindex()
  return {'failed', '0'}
end
redis.call('hset', key, 'state', '"running"', 'attempt', tostring(attempt + 1),
           'started_at', ARGV[2], 'pages_done', '0', 'lease_until', ARGV[3])
reindex()
return {'claimed', tostring(attempt + 1)}
"""
)
