-- POST /v1/order with a realistic mix, per connection: 55% limit orders resting near the
-- touch, 25% limit orders crossing it (fills), 20% cancels of this connection's resting orders
-- (DELETE /v1/order/{id}). Buys and sells alternate around a mid price that drifts slowly.
package.path = package.path .. ";" .. debug.getinfo(1, "S").source:match("@(.*/)") .. "?.lua"
local report = require("report")

local keys = { "demo-alice-3f9c2a", "demo-bob-7d41e8", "demo-carol-b2e6f0", "demo-mm-91ac57" }
local thread_index = 0
local threads = {}

function setup(thread)
    thread:set("id", thread_index)
    thread_index = thread_index + 1
    table.insert(threads, thread)
end

local resting = {}
local count = 0
local mid = 50000000
local key

function init(args)
    key = keys[(id % #keys) + 1]
    math.randomseed(id * 7919 + 17)
end

local function order(side, price)
    local body = string.format(
        '{"symbol":"BTC-KRW","side":"%s","order_type":"Limit","price":%d,"quantity":"0.%04d"}',
        side, price, math.random(1, 20))
    return wrk.format("POST", "/v1/order",
        { ["X-API-Key"] = key, ["Content-Type"] = "application/json" }, body)
end

function request()
    count = count + 1
    if count % 1000 == 0 then mid = mid + 1000 * math.random(-2, 2) end
    local roll = math.random(100)
    if roll <= 20 and #resting > 0 then
        local id = table.remove(resting, math.random(#resting))
        return wrk.format("DELETE", "/v1/order/" .. id, { ["X-API-Key"] = key })
    end
    local buy = count % 2 == 0
    local side = buy and "Buy" or "Sell"
    local offset
    if roll <= 45 then
        offset = -1000 * math.random(1, 5)   -- crossing: through the mid
    else
        offset = 1000 * math.random(1, 20)   -- resting: behind the mid
    end
    return order(side, buy and (mid - offset) or (mid + offset))
end

-- A cancel that lost the race to a fill answers 409: an outcome of the mix, not an error.
conflicts = 0
failures = 0

function response(status, headers, body)
    if status == 409 then
        conflicts = conflicts + 1
    elseif status ~= 200 then
        failures = failures + 1
    end
    if status == 200 then
        local id, state = body:match('"order_id":"(%d+)".-"status":"(%a+)"')
        if id and (state == "Pending" or state == "PartiallyFilled") and #resting < 500 then
            table.insert(resting, id)
        end
    end
end

function done(summary, latency, requests)
    local expected = 0
    for _, thread in ipairs(threads) do expected = expected + thread:get("conflicts") end
    summary.errors.status = summary.errors.status - expected
    report.done("orders")(summary, latency, requests)
    io.write(string.format('# orders: %d cancels answered 409 (already filled)\n', expected))
end
