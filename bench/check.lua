-- wrk script: POST /api/v1/reports/{id}/checks for random recorded crime reports (a whole
-- register check: blind-index lookups, decrypting candidates, scoring, storing the run and its
-- audit entry, answering with candidates and explanations).
--
-- BENCH_IDS_FILE: a file with one crime report id per line.
-- BENCH_TOKENS_FILE: bearer tokens, one per line, one per user; each request picks one at random
-- (the check limit is per user, as it is for real officers).

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(here .. "common.lua")

setup = common.setup
done = common.done

local headers
local ids = {}
local tokens = {}

function init(args)
   ids = common.lines("BENCH_IDS_FILE")
   tokens = common.lines("BENCH_TOKENS_FILE")
   math.randomseed(os.time() * 1000 + thread_id)
   headers = {
      ["Authorization"] = "Bearer " .. common.token,
      ["Vigil-Reason-Code"] = "INVESTIGATION",
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
