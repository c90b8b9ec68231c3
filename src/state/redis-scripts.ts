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

/** KEYS lock; ARGV token, lease ms. */
export const RENEW = `${NOW}
local cur = redis.call('GET', KEYS[1])
if not cur then return {0, ''} end
local h = cjson.decode(cur)
if tostring(h.token) ~= ARGV[1] then return {0, cur} end
h.expiresAtMs = now + tonumber(ARGV[2])
local s = cjson.encode(h)
redis.call('SET', KEYS[1], s)
return {1, s}`;

/** KEYS lock; ARGV token. */
export const RELEASE = `local cur = redis.call('GET', KEYS[1])
if cur and tostring(cjson.decode(cur).token) == ARGV[1] then redis.call('DEL', KEYS[1]) return 1 end
return 0`;

/** KEYS lock, target; ARGV token, 'rpush' | 'set', value. Writes only while the lock has the token. */
export const FENCED_WRITE = `local cur = redis.call('GET', KEYS[1])
if not cur or tostring(cjson.decode(cur).token) ~= ARGV[1] then return {0, cur or ''} end
if ARGV[2] == 'rpush' then redis.call('RPUSH', KEYS[2], ARGV[3]) else redis.call('SET', KEYS[2], ARGV[3]) end
return {1, ''}`;

/** KEYS lock. */
export const FORCE_UNLOCK = `local cur = redis.call('GET', KEYS[1])
redis.call('DEL', KEYS[1])
return cur or ''`;
