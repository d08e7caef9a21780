-- GET /health: the server's ceiling for a request that does no work.
package.path = package.path .. ";" .. debug.getinfo(1, "S").source:match("@(.*/)") .. "?.lua"
local report = require("report")
wrk.method = "GET"
wrk.path = "/health"
done = report.done("health")
