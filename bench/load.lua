-- wrk script: each request takes the next of a few read paths a visitor or an
-- integration would hit (pages and API), and non-2xx/3xx answers are counted.
local paths = {
  "/",
  "/institutions/",
  "/agreements/",
  "/api/agreements/?page_size=50",
  "/api/institutions/?q=atyrau",
  "/health/",
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
local bad = 0
response = function(status, headers, body)
  if status >= 400 then bad = bad + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("requests=%d errors_socket=%d non2xx_3xx_seen_by_thread_ctx=%s\n",
    summary.requests, summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout, "see 'Non-2xx' line"))
  for _, p in pairs({50, 90, 95, 99}) do
    io.write(string.format("p%d=%.1fms\n", p, latency:percentile(p) / 1000))
  end
end
