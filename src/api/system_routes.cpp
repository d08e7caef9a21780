#include "xtrader/api/system_routes.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "xtrader/json/writer.hpp"

namespace xtrader::api {

namespace {

void gauge_line(std::string& text, std::string_view name, std::string_view pipeline,
                std::uint64_t value) {
    text += fmt::format("{}{{pipeline=\"{}\"}} {}\n", name, pipeline, value);
}

std::optional<StatusReply> json_reply(unsigned status, std::string body) {
    return StatusReply{status, "application/json", std::move(body)};
}

}  // namespace

void write_persister(JsonWriter& json, const ExecutionPersister& p) {
    json.begin_object();
    json.key("name").string("persister");
    json.key("kind").string("redis-consumer-group");
    json.key("state").string(p.healthy() ? "healthy" : "degraded");
    json.key("consumers").number(std::uint64_t{p.consumers()});
    json.key("stored").number(p.stored());
    json.key("acknowledged").number(p.acknowledged());
    json.key("dead_lettered").number(p.dead_lettered());
    json.key("failures").number(p.failures());
    json.end_object();
}

void write_consumer(JsonWriter& json, const ConsumerFigures& c) {
    json.begin_object();
    json.key("name").string(c.group);
    json.key("kind").string("kafka-consumer-group");
    json.key("state").string(c.connected ? "healthy" : "degraded");
    std::int64_t lag = 0;
    for (const auto& p : c.partitions) lag += p.lag();
    json.key("lag").number(lag);
    json.key("applied").number(c.applied);
    json.key("duplicates_dropped").number(c.duplicates);
    json.key("dead_lettered").number(c.dead_letters);
    json.key("failures").number(c.failures);
    json.key("partitions").begin_array();
    for (const auto& p : c.partitions) {
        json.begin_object();
        json.key("topic").string(p.topic);
        json.key("partition").number(std::int64_t{p.partition});
        json.key("position").number(p.position);
        json.key("end").number(p.end);
        json.key("lag").number(p.lag());
        json.end_object();
    }
    json.end_array();
    json.end_object();
}

void append_persister_metrics(std::string& text, const ExecutionPersister& p) {
    text += "# TYPE xtrader_persister_stored_total counter\n";
    gauge_line(text, "xtrader_persister_stored_total", "persister", p.stored());
    text += "# TYPE xtrader_persister_dead_lettered_total counter\n";
    gauge_line(text, "xtrader_persister_dead_lettered_total", "persister", p.dead_lettered());
    text += "# TYPE xtrader_persister_failures_total counter\n";
    gauge_line(text, "xtrader_persister_failures_total", "persister", p.failures());
}

void append_consumer_metrics(std::string& text, const std::vector<ConsumerFigures>& members) {
    if (members.empty()) return;
    // Each family once, with every member's sample under it.
    const auto counter = [&](std::string_view name, std::uint64_t ConsumerFigures::*value) {
        text += fmt::format("# TYPE {} counter\n", name);
        for (const auto& c : members) {
            text += fmt::format("{}{{group=\"{}\"}} {}\n", name, c.group, c.*value);
        }
    };
    counter("xtrader_consumer_applied_total", &ConsumerFigures::applied);
    counter("xtrader_consumer_duplicates_total", &ConsumerFigures::duplicates);
    counter("xtrader_consumer_dead_lettered_total", &ConsumerFigures::dead_letters);
    counter("xtrader_consumer_failures_total", &ConsumerFigures::failures);
    text += "# TYPE xtrader_consumer_lag gauge\n";
    for (const auto& c : members) {
        for (const auto& p : c.partitions) {
            text += fmt::format(
                "xtrader_consumer_lag{{group=\"{}\",topic=\"{}\",partition=\"{}\"}} {}\n", c.group,
                p.topic, p.partition, p.lag());
        }
    }
}

StatusPages member_status_pages(std::string role, const ExecutionPersister* persister,
                                std::function<ConsumerFigures()> consumer) {
    return [role = std::move(role), persister,
            consumer = std::move(consumer)](std::string_view target) -> std::optional<StatusReply> {
        if (target == "/health") return json_reply(200, R"({"status":"ok"})");
        const std::optional<ConsumerFigures> figures =
            consumer ? std::optional(consumer()) : std::nullopt;
        if (target == "/ready") {
            const bool connected = persister ? persister->healthy() : figures->connected;
            if (connected) return json_reply(200, R"({"status":"ready"})");
            return json_reply(503,
                              R"({"code":"not_ready","message":"its broker does not answer"})");
        }
        if (target == "/metrics") {
            std::string text;
            if (persister) append_persister_metrics(text, *persister);
            if (figures) append_consumer_metrics(text, {*figures});
            return StatusReply{200, "text/plain; version=0.0.4", std::move(text)};
        }
        if (target == "/api/v1/system/pipelines") {
            std::string body;
            JsonWriter json(body);
            json.begin_object().key("mode").string(role).key("pipelines").begin_array();
            if (persister) write_persister(json, *persister);
            if (figures) write_consumer(json, *figures);
            json.end_array().end_object();
            return json_reply(200, std::move(body));
        }
        return std::nullopt;
    };
}

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
        json.key("unacknowledged").number(follower->unacknowledged());
        json.end_object();
    }
    if (const auto* p = pipelines_.persister) write_persister(json, *p);
    for (const auto& figures_of : pipelines_.consumers) write_consumer(json, figures_of());
    if (const auto* sync = pipelines_.exchange_sync) {
        const auto venues = sync->figures();
        const bool failing = std::any_of(venues.begin(), venues.end(), [](const VenueFigures& v) {
            return !v.last_error.empty();
        });
        json.begin_object();
        json.key("name").string("exchange-sync");
        json.key("kind").string("venue-poller");
        // Off: no venue configured, nothing to compare with.
        json.key("state").string(sync->idle() ? "off" : failing ? "degraded" : "healthy");
        json.key("venues").begin_array();
        for (const auto& v : venues) {
            json.begin_object();
            json.key("name").string(v.name);
            json.key("polls").number(v.polls);
            json.key("errors").number(v.errors);
            json.key("last_error").string(v.last_error);
            json.key("deviation_bps").begin_object();
            for (const auto& [symbol, bps] : v.deviation_bps) {
                json.key(symbol).number(bps);
            }
            json.end_object().end_object();
        }
        json.end_array().end_object();
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
    const auto gauge = [&text](std::string_view name, std::string_view pipeline,
                               std::uint64_t value) { gauge_line(text, name, pipeline, value); };
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
    text += "# TYPE xtrader_pipeline_unacknowledged gauge\n";
    for (const auto* f : pipelines_.followers) {
        gauge("xtrader_pipeline_unacknowledged", f->name(), f->unacknowledged());
    }
    text += "# TYPE xtrader_pipeline_records_total counter\n";
    for (const auto* f : pipelines_.followers) {
        gauge("xtrader_pipeline_records_total", f->name(), f->taken());
    }
    if (const auto* p = pipelines_.persister) append_persister_metrics(text, *p);
    std::vector<ConsumerFigures> members;
    for (const auto& figures_of : pipelines_.consumers) members.push_back(figures_of());
    append_consumer_metrics(text, members);
    if (const auto* sync = pipelines_.exchange_sync) {
        const auto venues = sync->figures();
        text += "# TYPE xtrader_venue_polls_total counter\n";
        for (const auto& v : venues) {
            text += fmt::format("xtrader_venue_polls_total{{venue=\"{}\"}} {}\n", v.name, v.polls);
        }
        text += "# TYPE xtrader_venue_errors_total counter\n";
        for (const auto& v : venues) {
            text +=
                fmt::format("xtrader_venue_errors_total{{venue=\"{}\"}} {}\n", v.name, v.errors);
        }
        text +=
            "# HELP xtrader_venue_deviation_bps our price against the venue's, basis points.\n"
            "# TYPE xtrader_venue_deviation_bps gauge\n";
        for (const auto& v : venues) {
            for (const auto& [symbol, bps] : v.deviation_bps) {
                text +=
                    fmt::format("xtrader_venue_deviation_bps{{venue=\"{}\",symbol=\"{}\"}} {}\n",
                                v.name, symbol, bps);
            }
        }
    }
    call->reply(200, std::move(text), "text/plain; version=0.0.4");
}

}  // namespace xtrader::api
