-- wrk script: POST /api/v1/registrants with a different synthetic registrant each time.
--
-- Timed mode (default): runs for wrk's -d duration.
-- Quota mode (BENCH_QUOTA=N, BENCH_THREADS=T): the T wrk threads together create exactly N
-- registrants, then go idle; each thread writes "$BENCH_MARK_DIR/done.<thread>" when its share
-- has been answered, so the caller can stop wrk (SIGINT) instead of waiting out -d.
--
-- BENCH_OFFSET makes bodies differ between runs (the counter starts there).

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(here .. "common.lua")

local offset = tonumber(os.getenv("BENCH_OFFSET") or "0")
local quota_total = tonumber(os.getenv("BENCH_QUOTA") or "0")
local thread_count = tonumber(os.getenv("BENCH_THREADS") or "1")
local mark_dir = os.getenv("BENCH_MARK_DIR")

setup = common.setup
done = common.done

local headers
local counter = 0
local quota, reserved, answered = nil, 0, 0

function init(args)
   headers = {
      ["Authorization"] = "Bearer " .. common.token,
      ["Content-Type"] = "application/json",
   }
   if quota_total > 0 then
      quota = math.floor(quota_total / thread_count)
      if thread_id < quota_total % thread_count then quota = quota + 1 end
   end
end

function request()
   -- Thread t numbers its registrants t, t+T, t+2T, ... so threads never repeat each other.
   local n = offset + thread_id + counter * thread_count
   counter = counter + 1
   return wrk.format("POST", "/api/v1/registrants", headers, common.registrant_body(n))
end

function response(status, hdrs, body)
   common.count(status, body)
   if quota then
      answered = answered + 1
      if answered >= quota then
         if mark_dir then
            local f = io.open(mark_dir .. "/done." .. thread_id, "w")
            if f then f:write(answered, "\n"); f:close() end
         end
         wrk.thread:stop()
      end
   end
end

if quota_total > 0 then
   -- Called before every request: hand out the thread's quota, then park the connections
   -- (for far longer than any run) so nothing beyond the quota is sent.
   function delay()
      if reserved < quota then
         reserved = reserved + 1
         return 0
      end
      return 3600000
   end
end
