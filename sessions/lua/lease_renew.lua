--! use common/lua/clock.lua
--! keys: procs
--! args: proc
redis.call('ZADD', KEY.procs, now_ms(), ARG.proc)
