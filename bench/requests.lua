-- wrk's script for the benchmark: GET requests taken in turn from a file of paths (one per
-- line), each with "__N__" replaced by a number no other request of the run has, so that a
-- request meant to miss every cache does; statuses counted by code; a JSON summary written to
-- the file BENCH_WRK_OUT names.
--
--   wrk -t1 -c4 -d10s --latency -s bench/requests.lua http://127.0.0.1:PORT -- paths.txt ACCEPT RUN
--
-- RUN names the run, so that numbers stay unique across the runs of one benchmark.

local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  for line in io.lines(args[1]) do
    if line ~= "" then table.insert(paths, line) end
  end
  if args[2] and args[2] ~= "" then wrk.headers["Accept"] = args[2] end
  run = args[3] or "run"
  statuses = {}
  position = 0
end

function request()
  position = position % #paths + 1
  counter = counter + 1
  local path = string.gsub(paths[position], "__N__", run .. "x" .. id .. "x" .. counter)
  return wrk.format("GET", path)
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for code, n in pairs(thread:get("statuses")) do counts[code] = (counts[code] or 0) + n end
  end
  local parts = {}
  for code, n in pairs(counts) do table.insert(parts, string.format('"%s": %d', code, n)) end
  local e = summary.errors
  local out = io.open(os.getenv("BENCH_WRK_OUT"), "w")
  out:write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "statuses": {%s}, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"p50": %d, "p90": %d, "p99": %d, "max": %d, "mean": %.1f}}\n',
    summary.requests, summary.duration, summary.bytes, table.concat(parts, ", "),
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
  out:close()
end
