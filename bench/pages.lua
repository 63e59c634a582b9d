-- wrk script: one web page, again and again, as a signed-in person (the session cookie the
-- development sign-in gave), so wrk's latency is the server's time for that page. GET by
-- default; a POST sends BENCH_BODY as a form (the find page searches by POST so that searched
-- values never reach a URL).
--
-- BENCH_PATH: the page (path and query). BENCH_COOKIE: the Cookie header value.
-- BENCH_METHOD: GET (default) or POST. BENCH_BODY: the form body for a POST.
-- Anything but 200 (a redirect to the sign-in or the "Why are you accessing this?" page
-- included) is counted and reported by common.lua, and bench/pages.sh fails on it.

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(here .. "common.lua")

setup = common.setup
done = common.done

local req

function init(args)
   local path = os.getenv("BENCH_PATH") or error("BENCH_PATH is not set")
   local cookie = os.getenv("BENCH_COOKIE") or error("BENCH_COOKIE is not set")
   local method = os.getenv("BENCH_METHOD") or ""
   if method == "" then method = "GET" end
   local headers = { ["Cookie"] = cookie }
   local body = nil
   if method == "POST" then
      headers["Content-Type"] = "application/x-www-form-urlencoded"
      body = os.getenv("BENCH_BODY") or error("BENCH_BODY is not set")
   end
   -- The same request every time: build it once.
   req = wrk.format(method, path, headers, body)
end

function request()
   return req
end

function response(status, hdrs, body)
   -- Exactly 200: a 3xx would mean the page was never rendered.
   if status ~= 200 and status >= 200 and status <= 299 then status = 599 end
   common.count(status, body)
end
