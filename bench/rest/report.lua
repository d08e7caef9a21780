-- Shared by the REST scenarios: wrk's summary as one JSON line (the bench's contract).
local report = {}

function report.done(scenario)
    return function(summary, latency, requests)
        local errors = summary.errors.connect + summary.errors.read + summary.errors.write
            + summary.errors.status + summary.errors.timeout
        io.write(string.format(
            '{"bench":"rest","scenario":"%s","requests":%d,"requests_per_s":%.0f,'
            .. '"p50_ms":%.3f,"p99_ms":%.3f,"p999_ms":%.3f,"max_ms":%.3f,"errors":%d}\n',
            scenario, summary.requests, summary.requests / (summary.duration / 1e6),
            latency:percentile(50) / 1000, latency:percentile(99) / 1000,
            latency:percentile(99.9) / 1000, latency.max / 1000, errors))
    end
end

return report
