-- bench_votes.py's load for wrk: one request file, one request per line, picked at random.
--   wrk -t1 -cN -dSs -s bench/votes.lua URL -- REQUESTS [RATE [SEED]]
-- A line is "PATH" (a GET) or "PATH TOKEN" (a POST with Authorization: Bearer TOKEN, no body).
-- RATE > 0 paces the requests (per wrk thread: run it with -t1) to RATE a second: each one
-- waits for its own slot on a fixed schedule, so a slow answer does not lower the rate while
-- connections are free. 0 (default): as fast as the server answers.
-- `done` prints one parseable WRKVOTES line.

local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } pb_timespec;
int clock_gettime(int clk_id, pb_timespec *tp);
]]
local ts = ffi.new("pb_timespec")

local function now_ms()
  ffi.C.clock_gettime(1, ts)  -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local lines = {}
local interval = 0  -- ms between two requests' slots (0: no pacing)
local next_slot = nil
local statuses = 0

function init(args)
  for line in io.lines(args[1]) do
    local path, token = line:match("^(%S+)%s+(%S+)$")
    if path then
      lines[#lines + 1] = wrk.format("POST", path,
        {["Authorization"] = "Bearer " .. token, ["Content-Length"] = "0"})
    else
      lines[#lines + 1] = wrk.format("GET", line)
    end
  end
  local rate = tonumber(args[2] or "0")
  if rate > 0 then interval = 1000 / rate end
  math.randomseed(os.time() + (tonumber(args[3] or "0")))
end

function request()
  return lines[math.random(#lines)]
end

function delay()
  if interval == 0 then return 0 end
  local t = now_ms()
  if next_slot == nil or next_slot < t - 1000 then next_slot = t end  -- no catch-up bursts
  local wait = next_slot - t
  next_slot = next_slot + interval
  return math.max(0, math.floor(wait + 0.5))
end

function response(status, headers, body)
  if status ~= 200 then statuses = statuses + 1 end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRKVOTES requests=%d duration_us=%d connect=%d read=%d write=%d status=%d timeout=%d"
    .. " p50_us=%d p99_us=%d\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
