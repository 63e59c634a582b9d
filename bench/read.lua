-- wrk script: GET /api/v1/registrants/{id} for random existing ids (one registrant in full:
-- decrypted, and audited as a consultation in the same transaction).
--
-- BENCH_IDS_FILE: a file with one registrant id per line.
-- BENCH_READ_PATH: the path before the id (default /api/v1/registrants/; bench/bare.sh points it
-- at the bare stack's /people/).

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(here .. "common.lua")

setup = common.setup
done = common.done

local headers
local ids = {}
local path = os.getenv("BENCH_READ_PATH") or "/api/v1/registrants/"

function init(args)
   ids = common.lines("BENCH_IDS_FILE")
   math.randomseed(os.time() * 1000 + thread_id)
   headers = {
      ["Authorization"] = "Bearer " .. common.token,
      ["Vigil-Reason-Code"] = "OFFENDER_MANAGEMENT",
   }
end

function request()
   return wrk.format("GET", path .. ids[math.random(#ids)], headers)
end

function response(status, hdrs, body)
   common.count(status, body)
end
