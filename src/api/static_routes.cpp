#include "xtrader/api/static_routes.hpp"

namespace xtrader::api {

namespace {

constexpr std::string_view kBuiltInPage = R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>xtrader</title>
<style>body{font:16px/1.5 system-ui,sans-serif;background:#0f1419;color:#e6e6e6;max-width:48rem;
margin:3rem auto;padding:0 1rem}a{color:#4fc3f7}code{color:#ffd54f}</style></head><body>
<h1>xtraderd is running</h1>
<p>An exchange server: REST on this port, WebSocket on 7001. The trading screen is not built
(<code>scripts/web.sh</code> builds it into <code>web/dist</code>); the API:</p>
<ul>
<li><a href="/api/v1/markets">/api/v1/markets</a> — markets, ticks, lots, fees</li>
<li><a href="/api/v1/orderbook/BTC-KRW">/api/v1/orderbook/BTC-KRW</a> — the book</li>
<li><a href="/api/v1/system/pipelines">/api/v1/system/pipelines</a>,
<a href="/health">/health</a>, <a href="/ready">/ready</a>, <a href="/metrics">/metrics</a></li>
<li><code>POST /v1/order</code>, <code>DELETE /v1/order/{id}</code>,
<code>GET /v1/account/balances</code> with <code>X-API-Key</code> — see the README</li>
</ul></body></html>
)";

}  // namespace

StaticRoutes::StaticRoutes(const std::filesystem::path& web_root)
    : files_(StaticFiles::load(web_root, {})) {}

void StaticRoutes::serve(const RestCallPtr& call) const {
    const auto path = call->target().path();
    if (const auto* file = files_.find(path)) {
        return call->reply(200, file->content, file->type, {},
                           file->immutable ? "public, max-age=31536000, immutable" : "no-cache");
    }
    if (files_.empty() && (path == "/" || path == "/index.html")) {
        return call->reply(200, std::string(kBuiltInPage), "text/html; charset=utf-8", {},
                           "no-cache");
    }
    call->fail(404, "not_found", "no such file: " + std::string(path));
}

}  // namespace xtrader::api
