// The operator's read-outs: GET /api/v1/system/pipelines, /health, /ready and /metrics (the
// request figures, the sequencer's and every pipeline's, in the Prometheus text format).
// Thread-safe; readiness is set by the composition root.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "xtrader/api/rest_call.hpp"
#include "xtrader/api/status_server.hpp"
#include "xtrader/bus/journal_follower.hpp"
#include "xtrader/consumers/exchange_sync.hpp"
#include "xtrader/consumers/execution_persister.hpp"
#include "xtrader/consumers/topic_consumer.hpp"
#include "xtrader/json/writer.hpp"

namespace xtrader::api {

// What the pipelines read-outs report on: every journal follower (the trade store's writer,
// market data, the broker publishers), the in-process persister and the Kafka consumer group
// members.
struct Pipelines {
    std::string mode = "embedded";  // or "full" when a broker pipeline is configured
    std::vector<const JournalFollower*> followers;
    const ExecutionPersister* persister = nullptr;
    std::vector<std::function<ConsumerFigures()>> consumers;
    const ExchangeSync* exchange_sync = nullptr;  // its venues, or null: runs elsewhere
};

// One pipeline's entry in /api/v1/system/pipelines, and its lines in /metrics: the same for the
// exchange and for a role process.
void write_persister(JsonWriter& json, const ExecutionPersister& persister);
void write_consumer(JsonWriter& json, const ConsumerFigures& figures);
void append_persister_metrics(std::string& text, const ExecutionPersister& persister);
void append_consumer_metrics(std::string& text, const std::vector<ConsumerFigures>& members);

// The status pages of a role process (its status port): /health (alive), /ready (200 while its
// broker answers, else 503), /metrics and /api/v1/system/pipelines, of its persister or of its
// consumer group member (one of the two, outliving the pages).
StatusPages member_status_pages(std::string role, const ExecutionPersister* persister,
                                std::function<ConsumerFigures()> consumer);

class SystemRoutes {
  public:
    SystemRoutes(const Sequencer& sequencer, Pipelines pipelines, const RequestMetrics& metrics);

    void pipelines(const RestCallPtr& call);
    void health(const RestCallPtr& call);
    void ready(const RestCallPtr& call);
    void metrics(const RestCallPtr& call);

    // Set once recovery is done and the servers listen; cleared when stopping.
    void set_ready(bool ready) noexcept { ready_.store(ready, std::memory_order_release); }

  private:
    const Sequencer& sequencer_;
    Pipelines pipelines_;
    const RequestMetrics& metrics_;
    std::atomic<bool> ready_{false};
};

}  // namespace xtrader::api
