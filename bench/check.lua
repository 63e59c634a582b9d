-- wrk script: POST /api/v1/reports/{id}/checks for random recorded crime reports (a whole
-- register check: blind-index lookups, decrypting candidates, scoring, storing the run and its
-- audit entry, answering with candidates and explanations).
--
-- BENCH_IDS_FILE: a file with one crime report id per line.
-- BENCH_TOKENS_FILE: bearer tokens, one per line, one per user; each request picks one at random
-- (the check limit is per user, as it is for real officers).

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(here .. "common.lua")

local ids_file = os.getenv("BENCH_IDS_FILE") or error("BENCH_IDS_FILE is not set")

setup = common.setup
done = common.done

local headers
local ids = {}
local tokens = {}

function init(args)
   for line in io.lines(ids_file) do
      if #line > 0 then table.insert(ids, line) end
   end
   if #ids == 0 then error("no ids in " .. ids_file) end
   for line in io.lines(os.getenv("BENCH_TOKENS_FILE") or error("BENCH_TOKENS_FILE is not set")) do
      if #line > 0 then table.insert(tokens, line) end
   end
   math.randomseed(os.time() * 1000 + thread_id)
   headers = {
      ["Authorization"] = "Bearer " .. common.token,
      ["Vigil-Reason-Code"] = "BENCH",
      ["Vigil-Crime-Reference"] = "BENCH-1",
      ["Content-Type"] = "application/json",
   }
end

function request()
   headers["Authorization"] = "Bearer " .. tokens[math.random(#tokens)]
   return wrk.format("POST", "/api/v1/reports/" .. ids[math.random(#ids)] .. "/checks", headers, "{}")
end

function response(status, hdrs, body)
   common.count(status, body)
end
