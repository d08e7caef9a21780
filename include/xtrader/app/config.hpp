// xtraderd's configuration: config/xtrader.toml, overridden by XTRADER_* environment variables,
// overridden by command-line flags. load_config() reports the first problem as a ConfigError
// naming the setting and where it came from.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "xtrader/api/http_server.hpp"
#include "xtrader/api/rest_api.hpp"
#include "xtrader/api/ws_server.hpp"
#include "xtrader/bus/kafka_publisher.hpp"
#include "xtrader/bus/rabbitmq_publisher.hpp"
#include "xtrader/config/config_file.hpp"
#include "xtrader/consumers/exchange_sync.hpp"
#include "xtrader/consumers/execution_persister.hpp"
#include "xtrader/consumers/surveillance_monitor.hpp"
#include "xtrader/consumers/topic_consumer.hpp"
#include "xtrader/core/market.hpp"
#include "xtrader/sequencer/sequencer.hpp"

namespace xtrader::app {

using config::ConfigError;
using config::parse_number;

// An account of the configuration. Its key is a plain `api_key` (the demo accounts: printed at
// start, hashed in memory) or only its digest (`api_key_sha256`), which is how real accounts
// are configured.
struct ConfiguredAccount {
    AccountId id = 0;
    std::string name;
    std::string api_key;                    // plain (demo) or empty
    std::optional<api::Digest> key_digest;  // of api_key, or as configured
    api::KeyScope scope = api::KeyScope::Trading;
    std::map<std::string, std::string> deposit;  // asset -> amount, credited on a fresh start
};

// What this xtraderd process does.
enum class Role : std::uint8_t {
    Exchange,      // the exchange itself
    Persister,     // one persister consumer: the persistence pipeline scaled out
    Mdp,           // one mdp-group member writing the Redis market-data cache: the MDP scaled out
    WsGateway,     // one WebSocket gateway fed from RabbitMQ: the WebSocket side scaled out
    Surveillance,  // one member of a surveillance group (--group): surveillance scaled out
};

// Where the surveillance groups run in full mode (Kafka and PostgreSQL configured; embedded mode
// always runs every group on the journal, in the exchange).
enum class SurveillanceRun : std::uint8_t {
    Thread,     // threads of xtraderd, one member of each group. The default
    Processes,  // --role surveillance --group NAME processes only
};

// The broker pipelines of full mode; each is on when its broker is configured.
struct PipelineConfig {
    std::chrono::milliseconds probe_interval{5000};  // a degraded publisher asks its broker
    std::uint64_t disk_budget = 0;                   // bytes of journal per publisher; 0: none
    std::string redis;                               // host:port; empty: no persistence pipeline
    std::size_t stream_max_length = 1'000'000;
    // PostgreSQL (libpq connection string); empty: no in-process persister, history from the
    // local store.
    std::string postgres;
    std::size_t persister_consumers = 3;  // in-process consumer threads (role exchange)
    std::string consumer_name;            // role persister
    PersisterOptions persister;           // stream, group, batch, claim_idle, max_deliveries
    // Kafka: brokers empty = no market-data pipeline; topic, partitions, replication, producer.
    KafkaPublisherOptions kafka;
    std::string mdp_group = "mdp-group";  // the consumer group of the market-data publisher
    std::string order_history_group = "order-history";  // order-events -> PostgreSQL orders
    // The Redis key prefix of the market-data cache, which the mdp-group writes when Redis is
    // configured.
    std::string market_data_cache = "xtrader:md";
    // Where the mdp-group runs in full mode: a thread of xtraderd feeding its REST and WebSocket
    // market data (true), or --role mdp processes, xtraderd then following its journal for its
    // own market data as in embedded mode (false).
    bool mdp_in_process = true;
    // RabbitMQ (amqp://...): empty = no notification pipeline; its exchange and confirm window.
    std::optional<RabbitMqEndpoint> rabbitmq;
    RabbitMqPublisherOptions rabbitmq_publisher;
    // WebSocket gateways (--role ws-gateway) serve the clients: the exchange serves no WebSocket
    // of its own and leaves its port to the load balancer in front of them.
    bool ws_gateways = false;
    std::string gateway_name;  // role ws-gateway: its queue is ws-gateway.NAME
    SurveillanceRun surveillance_run = SurveillanceRun::Thread;
    SurveillanceGroup surveillance_group = SurveillanceGroup::Regulatory;  // role surveillance
    std::string surveillance_group_prefix;  // before the group ids regulatory and analytics
    // A surveillance member taking partitions reads this much before the committed offsets
    // again, so that its detectors' windows are full.
    std::chrono::milliseconds surveillance_warm_up{10 * 60 * 1000};

    RedisEndpoint redis_endpoint() const;
    // The persister's options with the brokers filled in.
    PersisterOptions persister_options() const;
    // The Kafka publisher's options, the dead-letter topics named <topic>.dlq.
    KafkaPublisherOptions kafka_publisher_options() const;
    // The consumer groups' options: the brokers, the group, the topic and its dead letters.
    TopicConsumerOptions mdp_consumer_options() const;
    TopicConsumerOptions order_history_consumer_options() const;
    TopicConsumerOptions surveillance_consumer_options(SurveillanceGroup group) const;
};

struct Config {
    std::filesystem::path config_file;
    // Loopback by default: serving on every interface is a choice to make (docs/SECURITY.md).
    std::string host = "127.0.0.1";
    unsigned short http_port = 7000;
    unsigned short ws_port = 7001;
    unsigned short status_port = 0;  // persister, mdp, surveillance roles: /ready, /metrics
    unsigned io_threads = 0;         // 0: hardware concurrency
    api::HttpOptions http;
    api::WsOptions ws;
    SequencerOptions sequencer;
    api::RestOptions rest;
    std::string admin_token;  // empty: the one in <data_dir>/admin_token, made on first start
    bool admin_routes = true;
    std::uint32_t auth_failures_per_minute = 30;
    MarketCatalog catalog;
    std::vector<ConfiguredAccount> accounts;
    std::string log_level = "info";
    Role role = Role::Exchange;
    PipelineConfig pipelines;
    // [surveillance]: the detectors' thresholds; per market from [surveillance.markets.SYMBOL].
    SurveillanceOptions surveillance;
    // [[venues]] and their settings in [surveillance]: the exchange-sync group.
    ExchangeSyncOptions exchange_sync;
};

// Returns nullopt after printing --help.
std::optional<Config> load_config(int argc, char** argv);

std::string usage();

// A WebSocket gateway's name (its queue is ws-gateway.NAME): 1 to 64 letters, digits, - or _.
bool is_gateway_name(std::string_view name) noexcept;

}  // namespace xtrader::app
