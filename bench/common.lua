-- Shared by the wrk scripts in bench/: status counting per thread and a machine-readable
-- summary line. Load with dofile(); the bench scripts find this file next to themselves.
--
-- Environment: BENCH_TOKEN (bearer token, for the API scripts; pages.lua signs in with a session
-- cookie instead), BENCH_LABEL (name printed in the summary).

local M = {}

M.token = os.getenv("BENCH_TOKEN")
M.label = os.getenv("BENCH_LABEL") or "run"

local threads = {}

-- The non-empty lines of the file named by environment variable `name` (ids, tokens).
function M.lines(name)
   local path = os.getenv(name) or error(name .. " is not set")
   local out = {}
   for line in io.lines(path) do
      if #line > 0 then table.insert(out, line) end
   end
   if #out == 0 then error("no lines in " .. path) end
   return out
end
local next_id = 0

-- setup() runs in the main Lua state once per wrk thread, before init().
function M.setup(thread)
   thread:set("thread_id", next_id)
   next_id = next_id + 1
   table.insert(threads, thread)
end

-- Per-thread status counts (each wrk thread has its own Lua state), and the first response
-- that was not 2xx, to say why.
statuses = {}
first_error = nil

function M.count(status, body)
   statuses[status] = (statuses[status] or 0) + 1
   if first_error == nil and (status < 200 or status > 299) then
      first_error = status .. " " .. string.sub(string.gsub(body or "", "%s+", " "), 1, 400)
   end
end

-- done() runs in the main Lua state after all threads have stopped.
function M.done(summary, latency, requests)
   local merged, total, non2xx = {}, 0, 0
   for _, t in ipairs(threads) do
      local fe = t:get("first_error")
      if fe then io.write("BENCH_FIRST_ERROR label=", M.label, " ", fe, "\n") end
      local s = t:get("statuses") or {}
      for code, n in pairs(s) do
         merged[code] = (merged[code] or 0) + n
      end
   end
   local codes = {}
   for code, n in pairs(merged) do
      table.insert(codes, code)
      total = total + n
      if code < 200 or code > 299 then non2xx = non2xx + n end
   end
   table.sort(codes)
   local parts = {}
   for _, code in ipairs(codes) do table.insert(parts, code .. ":" .. merged[code]) end
   local e = summary.errors
   local socket_errors = e.connect + e.read + e.write + e.timeout
   local seconds = summary.duration / 1e6
   io.write(string.format(
      "BENCH_RESULT label=%s requests=%d seconds=%.2f rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f non2xx=%d socket_errors=%d timeouts=%d statuses=%s\n",
      M.label, summary.requests, seconds, summary.requests / seconds,
      latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
      latency.max / 1000, non2xx, socket_errors, e.timeout, table.concat(parts, ",")))
end

-- A synthetic registrant, different for every n: invented names, phone numbers only from
-- Ofcom's drama range 07700 900000-900999, e-mail addresses at example.org.
local GIVEN = { "Alex", "Sam", "Jordan", "Casey", "Robin", "Morgan", "Jamie", "Taylor", "Charlie", "Drew", "Rowan", "Quinn" }
local FAMILY = { "Ashdown", "Brackley", "Corran", "Dunmore", "Elstow", "Farrow", "Garside", "Holloway", "Ilsley", "Jarrow", "Kettering", "Lydford" }
local TOWNS = { { "Exampleton", "EX1 1AA" }, { "Sampleford", "SF2 3BD" }, { "Testbury", "TB4 5EF" }, { "Mockley", "MK6 7GH" } }
local RISK = { "low", "medium", "high", "very_high" }

-- n in base 26 as lower-case letters, so the family names stay letters only.
local function letters(n)
   local s = ""
   repeat
      s = string.char(97 + n % 26) .. s
      n = math.floor(n / 26)
   until n == 0
   return s
end

function M.registrant_body(n)
   local given = GIVEN[n % #GIVEN + 1]
   local family = FAMILY[math.floor(n / #GIVEN) % #FAMILY + 1] .. letters(n)
   local town = TOWNS[n % #TOWNS + 1]
   local handle = string.lower(given) .. "_" .. string.lower(family)
   return string.format([[{
"supervising_org": "probation-london",
"risk": {"level": "%s", "tool": "SRP", "next_review_on": "2027-01-31"},
"mappa": {"category": 2, "level": 1},
"names": [{"kind": "primary", "given": "%s", "family": "%s"}, {"kind": "alias", "given": "%s", "family": "%s"}],
"birth_dates": ["%04d-%02d-%02d"],
"descriptors": [{"kind": "height", "value": "%d cm"}],
"addresses": [{"kind": "home", "lines": ["%d Fiction Road"], "town": "%s", "postcode": "%s", "valid_from": "2025-01-01"}],
"identifiers": [
  {"kind": "phone", "value": "07700 900%03d"},
  {"kind": "email", "value": "%s.%s@example.org"},
  {"kind": "online_handle", "platform": "instagram", "value": "@%s"}
],
"notes": "synthetic benchmark registrant %d"
}]],
      RISK[n % #RISK + 1], given, family, GIVEN[(n + 5) % #GIVEN + 1], family,
      1965 + n % 37, 1 + n % 12, 1 + n % 28, 155 + n % 40, 1 + n % 199, town[1], town[2],
      n % 1000, string.lower(given), string.lower(family), handle, n)
end

return M
