-- wrk: POST /login spread over ACCOUNTS accounts (PREFIX0@example.com ...,
-- PREFIX defaulting to "bench-"), all with LOGIN_PASSWORD: one user logging
-- in 32 times at once would be throttled (attempts count against the account
-- before argon2 runs), which is not what a login-rate benchmark measures.
local accounts = tonumber(os.getenv("ACCOUNTS"))
local prefix = os.getenv("PREFIX") or "bench-"
local password = os.getenv("LOGIN_PASSWORD")
local counter = 0

function request()
  counter = counter + 1
  local body = '{"email":"' .. prefix .. (counter % accounts) .. '@example.com","password":"' .. password .. '"}'
  return wrk.format("POST", "/login", { ["Content-Type"] = "application/json" }, body)
end
