-- wrk -s bench/wrk-json.lua …: at the end of a run, one line "WRK_JSON {…}" that bench/pages.py
-- parses: requests, duration and bytes, the errors by kind (status = answers other than 2xx and
-- 3xx) and latency percentiles, all times in microseconds.
done = function(summary, latency, requests)
  local errors = summary.errors
  local function int(x) return math.floor(tonumber(x) or 0) end
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, '
      .. '"write": %d, "status": %d, "timeout": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, '
      .. '"max_us": %d}\n',
    int(summary.requests), int(summary.duration), int(summary.bytes), int(errors.connect),
    int(errors.read), int(errors.write), int(errors.status), int(errors.timeout),
    int(latency:percentile(50)), int(latency:percentile(90)), int(latency:percentile(99)),
    int(latency.max)))
end
