-- issue 8's load mix for wrk (bench/bench_mix.py writes the three path files and runs it):
--   wrk -t2 -c200 -d60s --timeout 10s --latency -s bench/mix.lua URL \
--       -- PAPERS SEARCHES LISTS THREADS [PAPER_SHARE SEARCH_SHARE]
-- 30 % paper pages and 30 % searches (by default), each path taken once across all threads
-- (so uncached), the rest lists and feeds picked at random. `done` prints one parseable WRKMIX line.

local counter = 1
local threads = {}

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  threads[#threads + 1] = thread
end

local function read(path)
  local t = {}
  for line in io.lines(path) do t[#t + 1] = line end
  return t
end

local papers, searches, lists
local np, ns = 0, 0
degraded = 0  -- searches answered keywords-only because the encoder was busy (the header)
searched = 0  -- searches sent
local nthreads
local paper_share, search_share

function init(args)
  papers, searches, lists = read(args[1]), read(args[2]), read(args[3])
  nthreads = tonumber(args[4])
  paper_share = tonumber(args[5] or "0.3")
  search_share = tonumber(args[6] or "0.3")
  math.randomseed(1000 + tid)
end

local function distinct(t, n)
  -- thread `tid` takes items tid, tid + nthreads, ...: no two threads share one
  return t[((tid - 1) + nthreads * n) % #t + 1]
end

function request()
  local r = math.random()
  local path
  if r < paper_share then
    path = distinct(papers, np); np = np + 1
  elseif r < paper_share + search_share then
    path = distinct(searches, ns); ns = ns + 1; searched = searched + 1
  else
    path = lists[math.random(#lists)]
  end
  return wrk.format("GET", path)
end

function response(status, headers, body)
  if headers["x-paperboy-degraded"] or headers["X-Paperboy-Degraded"] then
    degraded = degraded + 1
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  local deg, sent = 0, 0
  for _, t in ipairs(threads) do
    deg = deg + (t:get("degraded") or 0)
    sent = sent + (t:get("searched") or 0)
  end
  io.write(string.format(
    "WRKMIX requests=%d duration_us=%d connect=%d read=%d write=%d status=%d timeout=%d"
    .. " p50_us=%d p95_us=%d p99_us=%d max_us=%d degraded=%d searches=%d\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    deg, sent))
end
