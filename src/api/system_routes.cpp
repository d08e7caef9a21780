#include "xtrader/api/system_routes.hpp"

#include "xtrader/json/writer.hpp"

namespace xtrader::api {

SystemRoutes::SystemRoutes(const Sequencer& sequencer, Pipelines pipelines,
                           const RequestMetrics& metrics)
    : sequencer_(sequencer), pipelines_(std::move(pipelines)), metrics_(metrics) {}

void SystemRoutes::pipelines(const RestCallPtr& call) {
    const Sequence committed = sequencer_.committed_sequence();
    std::string body;
    JsonWriter json(body);
    json.begin_object().key("mode").string(pipelines_.mode);
    json.key("committed_sequence").number(committed);
    json.key("pipelines").begin_array();
    // The order view is fed on the commit path: never behind.
    json.begin_object();
    json.key("name").string("order-view");
    json.key("kind").string("in-process");
    json.key("state").string("healthy");
    json.key("cursor").number(committed);
    json.key("lag").number(std::uint64_t{0});
    json.key("spooled_events").number(std::uint64_t{0});
    json.end_object();
    for (const auto* follower : pipelines_.followers) {
        const Sequence cursor = std::min(follower->cursor().load(), committed);
        json.begin_object();
        json.key("name").string(follower->name());
        json.key("kind").string("journal-follower");
        json.key("state").string(to_string(follower->state()));
        json.key("cursor").number(cursor);
        json.key("lag").number(committed - cursor);
        // The journal is the follower's spool: what it has not taken in yet waits there.
        json.key("spooled_events").number(committed - cursor);
        json.key("spooled_bytes").number(follower->spooled_bytes());
        json.key("disk_alarm").boolean(follower->disk_alarm());
        json.key("published").number(follower->taken());
        json.key("publish_rate").number(follower->rate());
        json.key("failures").number(follower->failures());
        json.end_object();
    }
    if (const auto* p = pipelines_.persister) {
        json.begin_object();
        json.key("name").string("persister");
        json.key("kind").string("redis-consumer-group");
        json.key("state").string(p->healthy() ? "healthy" : "degraded");
        json.key("consumers").number(std::uint64_t{p->consumers()});
        json.key("stored").number(p->stored());
        json.key("acknowledged").number(p->acknowledged());
        json.key("dead_lettered").number(p->dead_lettered());
        json.key("failures").number(p->failures());
        json.end_object();
    }
    json.end_array().end_object();
    call->reply(200, std::move(body));
}

void SystemRoutes::health(const RestCallPtr& call) {
    call->reply(200, R"({"status":"ok"})");
}

void SystemRoutes::ready(const RestCallPtr& call) {
    if (!ready_.load(std::memory_order_acquire)) {
        return call->fail(503, "not_ready", "the exchange is starting or stopping", "1");
    }
    for (const auto* follower : pipelines_.followers) {
        if (follower->disk_alarm()) {
            return call->fail(503, "disk_budget_exceeded",
                              "the journal kept for " + follower->name() +
                                  " is beyond the disk budget: its broker has been down too long");
        }
    }
    call->reply(200, R"({"status":"ready"})");
}

void SystemRoutes::metrics(const RestCallPtr& call) {
    std::string text = metrics_.render(sequencer_);
    const Sequence committed = sequencer_.committed_sequence();
    const auto gauge = [&text](std::string_view name, std::string_view pipeline, auto value) {
        text += name;
        text += "{pipeline=\"";
        text += pipeline;
        text += "\"} ";
        text += std::to_string(value);
        text += '\n';
    };
    text +=
        "# HELP xtrader_pipeline_state 0 healthy, 1 degraded, 2 recovering, 3 off.\n"
        "# TYPE xtrader_pipeline_state gauge\n";
    for (const auto* f : pipelines_.followers) {
        gauge("xtrader_pipeline_state", f->name(), static_cast<int>(f->state()));
    }
    text += "# TYPE xtrader_pipeline_lag gauge\n";
    for (const auto* f : pipelines_.followers) {
        gauge("xtrader_pipeline_lag", f->name(),
              committed - std::min(f->cursor().load(), committed));
    }
    text += "# TYPE xtrader_pipeline_spooled_bytes gauge\n";
    for (const auto* f : pipelines_.followers) {
        gauge("xtrader_pipeline_spooled_bytes", f->name(), f->spooled_bytes());
    }
    text += "# TYPE xtrader_pipeline_disk_alarm gauge\n";
    for (const auto* f : pipelines_.followers) {
        gauge("xtrader_pipeline_disk_alarm", f->name(), f->disk_alarm() ? 1 : 0);
    }
    text += "# TYPE xtrader_pipeline_publish_rate gauge\n";
    for (const auto* f : pipelines_.followers) {
        gauge("xtrader_pipeline_publish_rate", f->name(), f->rate());
    }
    text += "# TYPE xtrader_pipeline_records_total counter\n";
    for (const auto* f : pipelines_.followers) {
        gauge("xtrader_pipeline_records_total", f->name(), f->taken());
    }
    if (const auto* p = pipelines_.persister) {
        text += "# TYPE xtrader_persister_stored_total counter\n";
        gauge("xtrader_persister_stored_total", "persister", p->stored());
        text += "# TYPE xtrader_persister_dead_lettered_total counter\n";
        gauge("xtrader_persister_dead_lettered_total", "persister", p->dead_lettered());
        text += "# TYPE xtrader_persister_failures_total counter\n";
        gauge("xtrader_persister_failures_total", "persister", p->failures());
    }
    call->reply(200, std::move(text), "text/plain; version=0.0.4");
}

}  // namespace xtrader::api
