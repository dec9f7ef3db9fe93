-- wrk: POST /login spread over ACCOUNTS accounts (bench-0@example.com ...),
-- all with LOGIN_PASSWORD: one user logging in 32 times at once would be
-- throttled (attempts count against the account before argon2 runs), which
-- is not what a login-rate benchmark measures.
local accounts = tonumber(os.getenv("ACCOUNTS"))
local password = os.getenv("LOGIN_PASSWORD")
local counter = 0

function request()
  counter = counter + 1
  local body = '{"email":"bench-' .. (counter % accounts) .. '@example.com","password":"' .. password .. '"}'
  return wrk.format("POST", "/login", { ["Content-Type"] = "application/json" }, body)
end
