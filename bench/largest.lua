-- wrk script: POST /api/v1/registrants with the largest registrant the API accepts, a different
-- one each time (bodies prepared by bench/stall.sh in BENCH_BODIES, one JSON per line).

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(here .. "common.lua")

setup = common.setup
done = common.done

local bodies, n, headers

function init(args)
   bodies = common.lines("BENCH_BODIES")
   n = thread_id or 0
   headers = { ["Authorization"] = "Bearer " .. common.token, ["Content-Type"] = "application/json" }
end

function request()
   n = n + 1
   return wrk.format("POST", "/api/v1/registrants", headers, bodies[(n % #bodies) + 1])
end

function response(status, headers, body)
   common.count(status, body)
end
