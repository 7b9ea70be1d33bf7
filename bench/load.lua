-- wrk script: each request takes the next of a few read paths a visitor or an
-- integration would hit (pages and API), or the one path given after "--" (load.sh's
-- third argument); non-2xx/3xx answers are counted. Headers given to wrk with -H (the
-- session cookie or API token of load.sh's fourth argument) go with every request.
local paths = {
  "/",
  "/institutions/",
  "/agreements/",
  "/api/agreements/?page_size=50",
  "/api/institutions/?q=atyrau",
  "/health/",
}
init = function(args)
  if #args > 0 then paths = { args[1] } end
end
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format("requests=%d errors_socket=%d timeouts=%d (non-2xx/3xx: wrk's 'Non-2xx' line)\n",
    summary.requests, summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout, summary.errors.timeout))
  for _, p in pairs({50, 90, 95, 99}) do
    io.write(string.format("p%d=%.1fms\n", p, latency:percentile(p) / 1000))
  end
end
