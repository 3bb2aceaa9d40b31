-- wrk script for `make bench`: one wrk thread = one student on one connection, autosaving
-- annotations as the lesson page does. Run by bench/load.py as
--   wrk -t C -c C -d 20s -s bench/save.lua http://127.0.0.1:PORT -- \
--       CREDS TARGETS LOGDIR BASE RUN EDIT_SHARE
-- CREDS: one line per thread, "cookie<TAB>csrf token<TAB>user id" (empty for the floor);
-- TARGETS: one JSON target object per line (whole words, code-point offsets);
-- BASE: "/api/assignments/<id>/annotations" (the app) or "/floor/annotations" (the floor), or
-- several, comma-separated: a thread's new annotations go to each in turn (the app's are
-- spread over several assignments, so no student keeps more on one than ANNOTATIONS_MAX lets
-- a real one), its edits to the base of the annotation edited; the UUID's third group says
-- which ("4" and the base's index, from 0);
-- RUN: a number that makes this run's UUIDs its own.
-- A new annotation gets a fresh UUID; EDIT_SHARE of the saves edit one of the thread's own
-- acknowledged annotations with If-Match. A save that ends in a dropped connection, a 5xx or
-- a 429 is sent again, same UUID and body, before anything else (wrk reconnects and asks for
-- the next request). Each thread logs to LOGDIR/thread-N.log:
--   S <uuid> <if-match|-> <body>   a new save is sent
--   A <uuid> <status> <version>    acknowledged (2xx)
--   R <uuid> <status>              5xx/429: will be sent again
--   E <uuid> <status> <body>       refused (other 4xx): given up
-- bench/load.py reads the logs, sends what was in flight when wrk stopped (as a page would),
-- and compares the acknowledgements with the database.

local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

local cookie, token, user, run, edit_share, log
local bases = {}
local targets = {}
local acked = {}     -- uuids acknowledged, in order
local versions = {}  -- uuid -> last acknowledged version
local pending = nil  -- the save in flight: {uuid, body, if_match}
local counter = 0

function init(args)
  local creds, targets_file, log_dir = args[1], args[2], args[3]
  for b in args[4]:gmatch("[^,]+") do
    bases[#bases + 1] = b
  end
  run, edit_share = tonumber(args[5]), tonumber(args[6])
  local i = 0
  for line in io.lines(creds) do
    i = i + 1
    if i == tid then
      cookie, token, user = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)$")
    end
  end
  for line in io.lines(targets_file) do
    targets[#targets + 1] = line
  end
  log = io.open(log_dir .. "/thread-" .. tid .. ".log", "w")
  log:setvbuf("line")
  math.randomseed(tid * 7919 + run)
end

local function new_save()
  counter = counter + 1
  local target = targets[math.random(#targets)]
  local uuid, if_match, note
  if #acked > 0 and math.random() < edit_share then
    uuid = acked[math.random(#acked)]
    if_match = versions[uuid]
    note = string.format("t%d edit %d: is this source named? \\u00ab%d\\u00bb", tid, counter,
                         counter)
  else
    uuid = string.format("%08x-%04x-4%03x-8000-%012x", tid, run, counter % #bases, counter)
    note = string.format("t%d #%d: who is quoted here? <b>%d</b> \\u00e9", tid, counter, counter)
  end
  local body = '{"category":"source","prompt":"sources","note":"' .. note .. '","target":'
               .. target .. '}'
  pending = {uuid = uuid, body = body, if_match = if_match}
  log:write("S\t", uuid, "\t", if_match or "-", "\t", body, "\n")
end

function request()
  if pending == nil then
    new_save()
  end
  local headers = {
    ["Content-Type"] = "application/json",
    ["Cookie"] = cookie,
    ["X-CSRFToken"] = token,
    ["X-Expected-User"] = user,
  }
  if pending.if_match then
    headers["If-Match"] = '"' .. pending.if_match .. '"'
  end
  local base = bases[tonumber(pending.uuid:sub(16, 18), 16) + 1]
  return wrk.format("PUT", base .. "/" .. pending.uuid, headers, pending.body)
end

function response(status, headers, body)
  if pending == nil then
    return
  end
  local cookie_header = headers["Set-Cookie"] or headers["set-cookie"]
  if cookie_header then
    local name, value = cookie_header:match("^([^=;]+)=([^;]*)")
    if name == "session" and value ~= "" then
      cookie = name .. "=" .. value
    end
  end
  if status >= 200 and status < 300 then
    local etag = headers["ETag"] or headers["Etag"] or headers["etag"] or ""
    local version = tonumber(etag:match("(%d+)"))
    if versions[pending.uuid] == nil then
      acked[#acked + 1] = pending.uuid
    end
    versions[pending.uuid] = version
    log:write("A\t", pending.uuid, "\t", status, "\t", tostring(version), "\n")
    pending = nil
  elseif status >= 500 or status == 429 then
    log:write("R\t", pending.uuid, "\t", status, "\n")
  else
    log:write("E\t", pending.uuid, "\t", status, "\t", (body:sub(1, 300):gsub("[\t\r\n]", " ")),
              "\n")
    pending = nil
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK-SUMMARY {"duration_us": %d, "requests": %d, "connect": %d, "read": %d, "write": %d, '
    .. '"status": %d, "timeout": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.duration, summary.requests, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
