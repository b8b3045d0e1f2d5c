-- every request a unique URL (a cache miss), one token
local counter = 1
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/api/v1/demand/timeseries?item_id=" .. (n % 50 + 1) .. "&nocache=" .. id .. "-" .. n, {["Authorization"] = "Bearer " .. os.getenv("TOKEN")})
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d non2xx=%d errors=%d p50_ms=%.2f p99_ms=%.2f\n", summary.requests, summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, latency:percentile(50)/1000, latency:percentile(99)/1000))
end
