// WebSocket fan-out benchmark against a running xtraderd:
//  1. opens N connections to /ws/executions and reads the daemon's resident memory before and
//     after (memory per idle connection);
//  2. submits crossing order pairs over REST at a paced rate (one execution per pair) and
//     measures, at every k-th client, the time from the taker's submission to its Execution
//     message; every client must receive every execution, in order (exec ids rising), and the
//     daemon's CPU time is divided by the messages delivered.
// BATCH 1 connects to /ws/executions?batch=1: each frame is a JSON array of messages.
// Prints one JSON line per scenario.
//
// usage: ws_bench HOST HTTP_PORT WS_PORT DAEMON_PID CONNECTIONS EXECUTIONS_PER_S SECONDS [BATCH]
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

// The process's user + system CPU time, in seconds.
double cpu_seconds(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::istringstream fields(stat.substr(stat.rfind(')') + 2));
    std::string skip;
    for (int i = 3; i < 14; ++i) fields >> skip;  // state .. cmajflt
    double user = 0, system = 0;
    fields >> user >> system;
    return (user + system) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

long rss_kib(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    }
    return 0;
}

std::string field(const std::string& json, const std::string& name) {
    const auto key = "\"" + name + "\":\"";
    const auto at = json.find(key);
    if (at == std::string::npos) return {};
    const auto start = at + key.size();
    return json.substr(start, json.find('"', start) - start);
}

struct Shared {
    std::atomic<long> connected{0};
    std::atomic<long> received{0};
    std::atomic<long> frames{0};  // that carried executions
    std::atomic<long> disconnected{0};
    std::atomic<long> out_of_order{0};  // executions older than one the client already had
    std::string target = "/ws/executions";
    std::mutex mutex;
    std::vector<std::pair<std::string, Clock::time_point>> samples;  // exec_id, arrival
};

class Client : public std::enable_shared_from_this<Client> {
  public:
    Client(net::io_context& io, Shared& shared, bool sampled)
        : ws_(net::make_strand(io)), shared_(shared), sampled_(sampled) {}

    void start(const tcp::endpoint& endpoint, const std::string& host) {
        host_ = host;
        beast::get_lowest_layer(ws_).async_connect(
            endpoint, beast::bind_front_handler(&Client::on_connect, shared_from_this()));
    }

  private:
    void on_connect(beast::error_code ec) {
        if (ec) {
            std::fprintf(stderr, "connect: %s\n", ec.message().c_str());
            return;
        }
        ws_.async_handshake(host_, shared_.target,
                            beast::bind_front_handler(&Client::on_handshake, shared_from_this()));
    }
    void on_handshake(beast::error_code ec) {
        if (ec) {
            std::fprintf(stderr, "handshake: %s\n", ec.message().c_str());
            return;
        }
        ++shared_.connected;
        read();
    }
    void read() {
        ws_.async_read(buffer_, beast::bind_front_handler(&Client::on_read, shared_from_this()));
    }
    void on_read(beast::error_code ec, std::size_t) {
        if (ec) {
            ++shared_.disconnected;
            return;
        }
        const auto now = Clock::now();
        const auto data = buffer_.cdata();
        const std::string_view text(static_cast<const char*>(data.data()), data.size());
        // One message, or (batch mode) an array of them: each Execution's exec_id, in order.
        constexpr std::string_view kKey = "\"exec_id\":\"";
        long executions = 0;
        for (auto at = text.find(kKey); at != std::string_view::npos; at = text.find(kKey, at)) {
            at += kKey.size();
            long id = 0;
            const auto digits = at;
            for (; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at) {
                id = id * 10 + (text[at] - '0');
            }
            if (id <= last_exec_id_) ++shared_.out_of_order;
            last_exec_id_ = id;
            ++executions;
            if (sampled_) {
                std::lock_guard lock(shared_.mutex);
                shared_.samples.emplace_back(std::string(text.substr(digits, at - digits)), now);
            }
        }
        buffer_.consume(buffer_.size());
        shared_.received += executions;
        if (executions > 0) ++shared_.frames;
        read();
    }

    websocket::stream<beast::tcp_stream> ws_;
    Shared& shared_;
    bool sampled_;
    long last_exec_id_ = 0;
    std::string host_;
    beast::flat_buffer buffer_;
};

class Rest {
  public:
    Rest(const std::string& host, const std::string& port) : stream_(io_) {
        tcp::resolver resolver(io_);
        stream_.connect(resolver.resolve(host, port));
        stream_.socket().set_option(tcp::no_delay(true));
        host_ = host;
    }
    std::string post(const std::string& target, const std::string& key, const std::string& body) {
        http::request<http::string_body> req{http::verb::post, target, 11};
        req.set(http::field::host, host_);
        req.set(http::field::content_type, "application/json");
        if (!key.empty()) req.set("X-API-Key", key);
        if (target == "/v1/admin/deposit") req.set("X-Admin-Token", "xtrader-admin");
        req.body() = body;
        req.prepare_payload();
        http::write(stream_, req);
        http::response<http::string_body> res;
        http::read(stream_, buffer_, res);
        return res.body();
    }

  private:
    net::io_context io_;
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::string host_;
};

}  // namespace

int main(int argc, char** argv) {
    if (argc < 8) {
        std::fprintf(stderr,
                     "usage: %s HOST HTTP_PORT WS_PORT DAEMON_PID CONNECTIONS RATE SECONDS "
                     "[BATCH]\n",
                     argv[0]);
        return 2;
    }
    const std::string host = argv[1], http_port = argv[2], ws_port = argv[3];
    const int pid = std::stoi(argv[4]);
    const long connections = std::stol(argv[5]);
    const double rate = std::stod(argv[6]);
    const long seconds = std::stol(argv[7]);
    const bool batch = argc > 8 && std::string(argv[8]) == "1";
    const long sample_every = std::max(1L, connections / 100);

    net::io_context io;
    Shared shared;
    if (batch) shared.target += "?batch=1";
    const long rss_before = rss_kib(pid);
    tcp::resolver resolver(io);
    const auto endpoint = *resolver.resolve(host, ws_port).begin();
    std::vector<std::shared_ptr<Client>> clients;
    for (long i = 0; i < connections; ++i) {
        clients.push_back(std::make_shared<Client>(io, shared, i % sample_every == 0));
        clients.back()->start(endpoint, host);
    }
    std::vector<std::thread> threads;
    for (int i = 0; i < 2; ++i) threads.emplace_back([&io] { io.run(); });
    const auto connect_deadline = Clock::now() + std::chrono::seconds(120);
    while (shared.connected < connections && Clock::now() < connect_deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
    const long rss_after = rss_kib(pid);
    std::printf(
        "{\"bench\":\"ws\",\"scenario\":\"idle_connections\",\"connections\":%ld,"
        "\"rss_before_kib\":%ld,\"rss_after_kib\":%ld,\"bytes_per_connection\":%.0f}\n",
        shared.connected.load(), rss_before, rss_after,
        shared.connected > 0 ? static_cast<double>(rss_after - rss_before) * 1024.0 /
                                   static_cast<double>(shared.connected.load())
                             : 0.0);
    std::fflush(stdout);

    // Crossing pairs: a resting sell, then a buy that takes it (the execution's submission),
    // from several submitters so that the offered rate is not bounded by one connection's
    // round trips. Each submitter trades in its own price band, so pairs never cross each other.
    {
        Rest rest(host, http_port);
        for (int account : {1, 2, 3, 4}) {
            rest.post("/v1/admin/deposit", "",
                      "{\"account_id\":" + std::to_string(account) +
                          ",\"asset\":\"KRW\",\"amount\":\"100000000000000\"}");
            rest.post("/v1/admin/deposit", "",
                      "{\"account_id\":" + std::to_string(account) +
                          ",\"asset\":\"BTC\",\"amount\":\"1000000\"}");
        }
    }
    constexpr int kSubmitters = 4;
    const char* sellers[kSubmitters] = {"demo-alice-3f9c2a", "demo-carol-b2e6f0",
                                        "demo-alice-3f9c2a", "demo-carol-b2e6f0"};
    const char* buyers[kSubmitters] = {"demo-bob-7d41e8", "demo-mm-91ac57", "demo-bob-7d41e8",
                                       "demo-mm-91ac57"};
    std::unordered_map<std::string, Clock::time_point> submitted;
    std::mutex submitted_mutex;
    const long executions = static_cast<long>(rate * static_cast<double>(seconds));
    const long received_before = shared.received;
    const long frames_before = shared.frames;
    const double cpu_before = cpu_seconds(pid);
    const double own_cpu_before = cpu_seconds(getpid());
    const auto start = Clock::now();
    std::vector<std::thread> submitters;
    for (int s = 0; s < kSubmitters; ++s) {
        submitters.emplace_back([&, s] {
            Rest rest(host, http_port);
            const std::string price = std::to_string(40'000'000 + 1'000'000 * s);
            const std::string sell =
                R"({"symbol":"BTC-KRW","side":"Sell","order_type":"Limit","price":")" + price +
                R"(","quantity":"0.0001"})";
            const std::string buy =
                R"({"symbol":"BTC-KRW","side":"Buy","order_type":"Limit","price":")" + price +
                R"(","quantity":"0.0001"})";
            for (long i = s; i < executions; i += kSubmitters) {
                const auto due = start + std::chrono::nanoseconds(static_cast<long>(
                                             static_cast<double>(i) * 1e9 / rate));
                while (Clock::now() < due)
                    std::this_thread::sleep_for(std::chrono::microseconds(50));
                // Either order may be the taker (pairs of different submitters can meet); each
                // execution is reported once, in its taker's answer.
                for (const auto& [key, body] :
                     {std::pair{sellers[s], &sell}, std::pair{buyers[s], &buy}}) {
                    const auto sent = Clock::now();
                    const auto answer = rest.post("/v1/order", key, *body);
                    std::lock_guard lock(submitted_mutex);
                    for (std::size_t at = answer.find("\"exec_id\":\""); at != std::string::npos;
                         at = answer.find("\"exec_id\":\"", at + 1)) {
                        submitted[field(answer.substr(at), "exec_id")] = sent;
                    }
                }
            }
        });
    }
    for (auto& t : submitters) t.join();
    const double offered_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    const long traded = static_cast<long>(submitted.size());
    const long expected = received_before + traded * shared.connected.load();
    const auto drain_deadline = Clock::now() + std::chrono::seconds(60);
    while (shared.received < expected && Clock::now() < drain_deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    // Delivered per second: until the last message arrived, not just while orders were offered.
    const double delivery_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    const double cpu = cpu_seconds(pid) - cpu_before;
    const double own_cpu = cpu_seconds(getpid()) - own_cpu_before;
    const long delivered = shared.received.load() - received_before;
    std::vector<double> latencies;
    {
        std::lock_guard lock(shared.mutex);
        for (const auto& [exec_id, arrival] : shared.samples) {
            const auto it = submitted.find(exec_id);
            if (it != submitted.end()) {
                latencies.push_back(
                    std::chrono::duration<double, std::milli>(arrival - it->second).count());
            }
        }
    }
    std::sort(latencies.begin(), latencies.end());
    const auto at = [&](double q) {
        return latencies.empty() ? 0.0
                                 : latencies[static_cast<std::size_t>(
                                       q * static_cast<double>(latencies.size() - 1))];
    };
    std::printf(
        "{\"bench\":\"ws\",\"scenario\":\"delivery\",\"batch\":%s,\"subscribers\":%ld,"
        "\"executions_per_s\":%.0f,\"messages_per_s\":%.0f,\"delivered\":%ld,\"expected\":%ld,"
        "\"out_of_order\":%ld,\"disconnected\":%ld,\"daemon_cpu_us_per_message\":%.3f,"
        "\"client_cpu_us_per_message\":%.3f,\"messages_per_frame\":%.2f,"
        "\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f}\n",
        batch ? "true" : "false", shared.connected.load(),
        static_cast<double>(traded) / offered_seconds,
        static_cast<double>(delivered) / delivery_seconds, delivered, expected - received_before,
        shared.out_of_order.load(), shared.disconnected.load(),
        delivered > 0 ? cpu * 1e6 / static_cast<double>(delivered) : 0.0,
        delivered > 0 ? own_cpu * 1e6 / static_cast<double>(delivered) : 0.0,
        static_cast<double>(delivered) /
            static_cast<double>(std::max(1L, shared.frames.load() - frames_before)),
        at(0.5), at(0.99), at(1.0));
    std::fflush(stdout);
    io.stop();
    for (auto& t : threads) t.join();
    return 0;
}
