-- wrk: GET with a bearer token read from the TOKEN environment variable.
local token = os.getenv("TOKEN")
wrk.headers["Authorization"] = "Bearer " .. token
