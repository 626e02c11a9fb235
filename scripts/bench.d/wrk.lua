-- wrk script of every load scenario (scripts/bench), configured by environment variables:
--   BENCH_METHOD      GET (default) or POST
--   BENCH_BODY_FILE   request body (the GraphQL POST)
--   BENCH_AUTH        Authorization header of every request (e.g. "Token admin123")
--   BENCH_KEYS_FILE   API keys, one a line: each request then carries the next key
--                     ("Token <key>"), so concurrent requests come from different members
-- done() prints one line "BENCH_JSON {...}" that scripts/bench reads (times in microseconds).

wrk.method = os.getenv("BENCH_METHOD") or "GET"
local body_file = os.getenv("BENCH_BODY_FILE")
if body_file and body_file ~= "" then
  local f = assert(io.open(body_file, "rb"))
  wrk.body = f:read("*a")
  f:close()
  wrk.headers["Content-Type"] = "application/json"
end
local auth = os.getenv("BENCH_AUTH")
if auth and auth ~= "" then
  wrk.headers["Authorization"] = auth
end

local keys_file = os.getenv("BENCH_KEYS_FILE")
if keys_file and keys_file ~= "" then
  local keys = {}
  for line in io.lines(keys_file) do
    if line ~= "" then keys[#keys + 1] = "Token " .. line end
  end
  -- Each wrk thread has its own Lua state: setup() numbers the threads, init() starts each
  -- at a different key.
  local threads = 0
  function setup(thread)
    thread:set("thread_id", threads)
    threads = threads + 1
  end
  local n = 0
  function init(args)
    n = ((thread_id or 0) * 16) % #keys
  end
  -- A per-request function makes wrk build every request anew (slower than a fixed request,
  -- which is why only this scenario uses one).
  request = function()
    n = n % #keys + 1
    wrk.headers["Authorization"] = keys[n]
    return wrk.format()
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"p50_us":%d,"p90_us":%d,' ..
    '"p99_us":%d,"max_us":%d,"err_connect":%d,"err_read":%d,"err_write":%d,' ..
    '"err_status":%d,"err_timeout":%d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
