/** Lua run atomically by Redis: the lock, its lease (server time) and every fenced write. */

const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** KEYS lock, fence, locks; ARGV holder JSON, lease ms, scope, token of a holder known dead ('' if none). */
export const ACQUIRE = `${NOW}
local cur = redis.call('GET', KEYS[1])
if cur then
  local h = cjson.decode(cur)
  if tonumber(h.expiresAtMs) > now and tostring(h.token) ~= ARGV[4] then return {0, cur, ''} end
end
local h = cjson.decode(ARGV[1])
h.token = redis.call('INCR', KEYS[2])
h.expiresAtMs = now + tonumber(ARGV[2])
local s = cjson.encode(h)
redis.call('SET', KEYS[1], s)
redis.call('SADD', KEYS[3], ARGV[3])
return {1, s, cur or ''}`;

/** KEYS lock; ARGV token, lease ms, run id. */
export const RENEW = `${NOW}
local cur = redis.call('GET', KEYS[1])
if not cur then return {0, ''} end
local h = cjson.decode(cur)
if tostring(h.token) ~= ARGV[1] or h.runId ~= ARGV[3] then return {0, cur} end
h.expiresAtMs = now + tonumber(ARGV[2])
local s = cjson.encode(h)
redis.call('SET', KEYS[1], s)
return {1, s}`;

/** KEYS lock; ARGV token, run id. */
export const RELEASE = `local cur = redis.call('GET', KEYS[1])
if cur then
  local h = cjson.decode(cur)
  if tostring(h.token) == ARGV[1] and h.runId == ARGV[2] then redis.call('DEL', KEYS[1]) return 1 end
end
return 0`;

/** KEYS lock, target; ARGV token, 'rpush' | 'set', value, run id. Writes only while the lock has the token and run. */
export const FENCED_WRITE = `local cur = redis.call('GET', KEYS[1])
if not cur then return {0, ''} end
local h = cjson.decode(cur)
if tostring(h.token) ~= ARGV[1] or h.runId ~= ARGV[4] then return {0, cur} end
if ARGV[2] == 'rpush' then
  -- a retried append (its reply was lost) is not made twice: every record is unique (its seq)
  if redis.call('LINDEX', KEYS[2], -1) ~= ARGV[3] then redis.call('RPUSH', KEYS[2], ARGV[3]) end
else
  redis.call('SET', KEYS[2], ARGV[3])
end
return {1, ''}`;

/** KEYS lock. */
export const FORCE_UNLOCK = `local cur = redis.call('GET', KEYS[1])
redis.call('DEL', KEYS[1])
return cur or ''`;

/** KEYS journal; ARGV record JSON. An unfenced admin record (unlock --force): the next seq, atomically with the append. */
export const APPEND_ADMIN = `local last = redis.call('LINDEX', KEYS[1], -1)
local seq = 0
if last then
  local ok, r = pcall(cjson.decode, last)
  if ok and type(r) == 'table' and tonumber(r.seq) then seq = tonumber(r.seq) end
end
local rec = cjson.decode(ARGV[1])
rec.seq = seq + 1
redis.call('RPUSH', KEYS[1], cjson.encode(rec))
return rec.seq`;
