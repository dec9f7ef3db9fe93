-- wrk: POST /refresh where every request presents the newest token of one
-- session. COOKIES_FILE holds one refresh token per line (one per session);
-- each thread owns a slice. A response's new cookie goes back on the queue,
-- so each session's chain is followed one rotation at a time.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("index", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  queue = {}
  local all = {}
  for line in io.lines(os.getenv("COOKIES_FILE")) do table.insert(all, line) end
  local n = tonumber(os.getenv("THREADS"))
  for i, value in ipairs(all) do
    if (i - 1) % n == index then table.insert(queue, value) end
  end
  failures = 0
end

function request()
  local token = table.remove(queue, 1)
  if token == nil then token = "exhausted" end
  return wrk.format("POST", "/refresh", { ["Cookie"] = os.getenv("COOKIE_NAME") .. "=" .. token }, "")
end

function response(status, headers, body)
  local cookie = headers["Set-Cookie"]
  if status == 200 and cookie ~= nil then
    local value = string.match(cookie, "^[^=]+=([^;]*)")
    table.insert(queue, value)
  else
    failures = failures + 1
  end
end
