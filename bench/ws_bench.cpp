// WebSocket fan-out benchmark against a running xtraderd:
//  1. opens N connections to /ws/executions and reads the daemon's resident memory before and
//     after (memory per idle connection);
//  2. submits crossing order pairs over REST at a paced rate (one execution per pair) and
//     measures, at every k-th client, the time from the taker's submission to its Execution
//     message; every client must receive every execution, in order (exec ids rising), and the
//     daemon's CPU time is divided by the messages delivered.
// BATCH 1 connects to /ws/executions?batch=1: each frame is a JSON array of messages. The
// subscribers are plain sockets read by two epoll threads (see Subscriber); the orders go
// over REST with Beast.
// `ws_bench bare ...` measures the floor instead: the same subscribers and readers fed by
// BareFanout, a server in this process that only writes (see there), at the same rate.
// Prints one JSON line per scenario. CPU per message: the daemon's (or BareFanout's threads'),
// and the reader threads' ("client").
//
// usage: ws_bench HOST HTTP_PORT WS_PORT DAEMON_PID CONNECTIONS EXECUTIONS_PER_S SECONDS [BATCH]
//        ws_bench bare CONNECTIONS EXECUTIONS_PER_S SECONDS
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
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

// The calling thread's CPU time, in seconds.
double thread_cpu_seconds() {
    timespec t{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
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
    std::atomic<double> reader_cpu[2] = {0.0, 0.0};  // each reader thread's CPU time, seconds
    std::mutex mutex;
    std::vector<std::pair<std::string, Clock::time_point>> samples;  // exec_id, arrival
};

// One subscriber: the client side of RFC 6455 that the benchmark needs, on a plain socket read
// by one of the reader threads. It reads unmasked server frames (text, continuation, close) and
// answers pings with a masked pong; it sends nothing else. Lean on purpose: the readers share
// the machine with the daemon they measure, and a Beast stream per client cost them 8 µs a
// frame.
class Subscriber {
  public:
    static constexpr std::size_t kReadSize = 256 * 1024;

    Subscriber(Shared& shared, bool sampled) : shared_(shared), sampled_(sampled) {}
    ~Subscriber() {
        if (fd_ >= 0) ::close(fd_);
    }

    // Blocking connect and upgrade; the socket is non-blocking afterwards.
    bool connect(const sockaddr_in& address, const std::string& host, const std::string& target) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        if (fd_ < 0 ||
            ::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
            return false;
        }
        const std::string request = "GET " + target + " HTTP/1.1\r\nHost: " + host +
                                    "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                    "Sec-WebSocket-Version: 13\r\n\r\n";
        if (::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) !=
            static_cast<ssize_t>(request.size())) {
            return false;
        }
        std::string response;
        char chunk[4096];
        std::size_t end;
        while ((end = response.find("\r\n\r\n")) == std::string::npos) {
            const auto n = ::recv(fd_, chunk, sizeof chunk, 0);
            if (n <= 0) return false;
            response.append(chunk, static_cast<std::size_t>(n));
        }
        if (!response.starts_with("HTTP/1.1 101")) return false;
        partial_ = response.substr(end + 4);
        ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
        return true;
    }

    int fd() const { return fd_; }

    // The socket is readable: takes what is there into the reader's scratch buffer, behind
    // the partial frame kept from the last read, and handles every whole frame.
    void on_readable(std::vector<char>& scratch) {
        const auto kept = partial_.size();
        if (scratch.size() < kept + kReadSize) scratch.resize(kept + kReadSize);
        std::memcpy(scratch.data(), partial_.data(), kept);
        const auto n = ::recv(fd_, scratch.data() + kept, kReadSize, 0);
        if (n <= 0) {
            if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) end();
            return;
        }
        const std::string_view data(scratch.data(), kept + static_cast<std::size_t>(n));
        const auto now = Clock::now();
        std::size_t at = 0;
        while (fd_ >= 0) {
            const auto frame = next_frame(data, at);
            if (!frame) break;
            handle(frame->opcode, frame->fin, frame->payload, now);
        }
        partial_.assign(data.substr(std::min(at, data.size())));
    }

  private:
    struct Frame {
        unsigned opcode;
        bool fin;
        std::string_view payload;
    };

    // The whole frame at `at` (moving `at` past it), or nothing while it is incomplete.
    static std::optional<Frame> next_frame(std::string_view data, std::size_t& at) {
        const auto* p = reinterpret_cast<const unsigned char*>(data.data()) + at;
        const auto available = data.size() - at;
        if (available < 2) return std::nullopt;
        std::size_t header = 2;
        std::uint64_t length = p[1] & 0x7f;
        if (length == 126) {
            header = 4;
            if (available < header) return std::nullopt;
            length = (std::uint64_t{p[2]} << 8) | p[3];
        } else if (length == 127) {
            header = 10;
            if (available < header) return std::nullopt;
            length = 0;
            for (int i = 2; i < 10; ++i) length = (length << 8) | p[i];
        }
        // Compared without adding: a length near 2^64 must not wrap around into "complete".
        if (available < header || length > available - header) return std::nullopt;
        at += header + length;
        return Frame{p[0] & 0x0fu, (p[0] & 0x80) != 0,
                     std::string_view(reinterpret_cast<const char*>(p + header), length)};
    }

    void handle(unsigned opcode, bool fin, std::string_view payload, Clock::time_point now) {
        switch (opcode) {
            case 0x1:  // text
            case 0x0:  // its continuation
                if (fin && message_.empty()) return executions(payload, now);
                message_.append(payload);
                if (fin) {
                    executions(message_, now);
                    message_.clear();
                }
                return;
            case 0x9: return pong(payload);
            case 0x8: return end();
            default: return;
        }
    }

    // One message, or (batch mode) an array of them: each Execution's exec_id, in order.
    void executions(std::string_view text, Clock::time_point now) {
        constexpr std::string_view kKey = "\"exec_id\":\"";
        long count = 0;
        for (auto at = text.find(kKey); at != std::string_view::npos; at = text.find(kKey, at)) {
            at += kKey.size();
            long id = 0;
            const auto digits = at;
            for (; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at) {
                id = id * 10 + (text[at] - '0');
            }
            if (id <= last_exec_id_) ++shared_.out_of_order;
            last_exec_id_ = id;
            ++count;
            if (sampled_) {
                std::lock_guard lock(shared_.mutex);
                shared_.samples.emplace_back(std::string(text.substr(digits, at - digits)), now);
            }
        }
        if (count == 0) return;
        shared_.received += count;
        ++shared_.frames;
    }

    // A client's frames are masked; a control frame's payload is at most 125 bytes.
    void pong(std::string_view payload) {
        unsigned char frame[2 + 4 + 125];
        frame[0] = 0x8a;
        frame[1] = static_cast<unsigned char>(0x80 | payload.size());
        const std::uint32_t key =
            static_cast<std::uint32_t>(Clock::now().time_since_epoch().count());
        std::memcpy(frame + 2, &key, 4);
        for (std::size_t i = 0; i < payload.size(); ++i) {
            frame[6 + i] = static_cast<unsigned char>(payload[i]) ^ frame[2 + i % 4];
        }
        ::send(fd_, frame, 6 + payload.size(), MSG_NOSIGNAL);
    }

    void end() {
        ++shared_.disconnected;
        ::close(fd_);  // leaves every epoll set
        fd_ = -1;
    }

    Shared& shared_;
    bool sampled_;
    int fd_ = -1;
    long last_exec_id_ = 0;
    std::string partial_;  // read, not yet handled: the start of a frame
    std::string message_;  // the fragments of a message not yet whole
};

// Reads its share of the subscribers until stopped, keeping `cpu` at its thread's CPU time.
void read_subscribers(const std::vector<Subscriber*>& subscribers, const std::atomic<bool>& stop,
                      std::atomic<double>& cpu) {
    const int epoll = ::epoll_create1(0);
    for (auto* s : subscribers) {
        epoll_event event{};
        event.events = EPOLLIN;
        event.data.ptr = s;
        ::epoll_ctl(epoll, EPOLL_CTL_ADD, s->fd(), &event);
    }
    epoll_event events[256];
    std::vector<char> scratch;
    while (!stop.load(std::memory_order_relaxed)) {
        const int n = ::epoll_wait(epoll, events, 256, 50);
        for (int i = 0; i < n; ++i)
            static_cast<Subscriber*>(events[i].data.ptr)->on_readable(scratch);
        cpu.store(thread_cpu_seconds(), std::memory_order_relaxed);
    }
    ::close(epoll);
}

// Message k of a run that starts at `start` at `rate` a second is due at this time.
Clock::time_point due(Clock::time_point start, double rate, long k) {
    return start + std::chrono::nanoseconds(static_cast<long>(static_cast<double>(k) * 1e9 / rate));
}

// The floor of a fan-out on this machine: a server that does nothing but write the same
// messages to the same readers. Run in a process of its own (as the daemon is), it accepts and
// upgrades the clients (Beast, blocking), then keeps only their sockets. A writer thread per
// reader thread owns a share of them; when messages are due, the writer appends them, a frame
// each of the daemon's Execution size, to every connection's pending bytes and sends them: one
// send per connection for all that is due (more when a writer fell behind or a socket was
// full), as the daemon's writes take all that is ready. No parsing, no queues between threads,
// no allocation per message beyond the pending bytes.
class BareFanout {
  public:
    static constexpr int kWriters = 2;

    BareFanout(long connections, double rate, long messages)
        : acceptor_(io_, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)),
          connections_(connections),
          rate_(rate),
          messages_(messages) {
        acceptor_.listen(4096);
    }
    ~BareFanout() {
        for (auto& share : shares_) {
            for (auto& c : share) ::close(c.fd);
        }
    }

    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
    // Accepts and upgrades every client.
    void accept_all() {
        for (long i = 0; i < connections_; ++i) {
            websocket::stream<tcp::socket> ws(acceptor_.accept());
            ws.accept();
            // A socket of its own: the stream closes the one it has when it goes.
            const int fd = ::dup(ws.next_layer().native_handle());
            const int one = 1;
            ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
            shares_[i % kWriters].push_back(Connection{fd, {}});
        }
    }
    // Writes every message when due, and until every socket took it.
    void run(Clock::time_point start) {
        start_ = start;
        std::vector<std::thread> writers;
        for (int w = 0; w < kWriters; ++w) writers.emplace_back([this, w] { write(w); });
        for (auto& t : writers) t.join();
    }

  private:
    struct Connection {
        int fd;
        std::string pending;
        std::size_t sent = 0;
        bool waiting = false;  // registered for EPOLLOUT
    };

    static std::string frame(long k) {
        char text[256];
        const int n = std::snprintf(
            text, sizeof text,
            R"({"type":"Execution","channel":"executions:BTC-KRW","symbol":"BTC-KRW",)"
            R"("exec_id":"%ld","price":"40000000","quantity":"0.0001","side":"Buy",)"
            R"("transaction_time":1765000000000,"sequence":%ld})",
            k + 1, k + 1);
        // Text, fin, a 16-bit length (the message is 126 bytes or more).
        std::string out{'\x81', '\x7e', static_cast<char>(n >> 8), static_cast<char>(n & 0xff)};
        return out.append(text, static_cast<std::size_t>(n));
    }

    // Sends what is pending; waits for writability when the socket is full.
    static void flush(int epoll, Connection& c) {
        while (c.sent < c.pending.size()) {
            const auto n =
                ::send(c.fd, c.pending.data() + c.sent, c.pending.size() - c.sent, MSG_NOSIGNAL);
            if (n <= 0) break;
            c.sent += static_cast<std::size_t>(n);
        }
        const bool full = c.sent < c.pending.size();
        if (!full) {
            c.pending.clear();
            c.sent = 0;
        }
        if (full != c.waiting) {
            epoll_event event{};
            event.events = full ? std::uint32_t{EPOLLOUT} : 0u;
            event.data.ptr = &c;
            ::epoll_ctl(epoll, EPOLL_CTL_MOD, c.fd, &event);
            c.waiting = full;
        }
    }

    void write(int w) {
        auto& share = shares_[w];
        const int epoll = ::epoll_create1(0);
        const int timer = ::timerfd_create(CLOCK_MONOTONIC, 0);
        epoll_event event{};
        event.events = EPOLLIN;
        event.data.ptr = nullptr;
        ::epoll_ctl(epoll, EPOLL_CTL_ADD, timer, &event);
        for (auto& c : share) {
            event.events = 0;
            event.data.ptr = &c;
            ::epoll_ctl(epoll, EPOLL_CTL_ADD, c.fd, &event);
        }
        epoll_event events[256];
        std::string frames;
        for (long k = 0; k < messages_;) {
            // Arm the timer for message k (steady_clock is CLOCK_MONOTONIC).
            const auto at = due(start_, rate_, k).time_since_epoch().count();
            itimerspec spec{};
            spec.it_value.tv_sec = at / 1'000'000'000;
            spec.it_value.tv_nsec = at % 1'000'000'000;
            ::timerfd_settime(timer, TFD_TIMER_ABSTIME, &spec, nullptr);
            const int n = ::epoll_wait(epoll, events, 256, 50);
            for (int i = 0; i < n; ++i) {
                if (events[i].data.ptr != nullptr) {
                    flush(epoll, *static_cast<Connection*>(events[i].data.ptr));
                    continue;
                }
                std::uint64_t expirations;
                if (::read(timer, &expirations, sizeof expirations) < 0) continue;
                // Everything due now, as one run of frames: a writer that fell behind sends
                // what it owes each connection in one send.
                frames.clear();
                for (; k < messages_ && due(start_, rate_, k) <= Clock::now(); ++k) {
                    frames += frame(k);
                }
                for (auto& c : share) {
                    c.pending += frames;
                    if (!c.waiting) flush(epoll, c);
                }
            }
        }
        // The rest of the pending bytes, until every socket took them.
        while (std::any_of(share.begin(), share.end(),
                           [](const Connection& c) { return c.waiting; })) {
            const int n = ::epoll_wait(epoll, events, 256, 50);
            for (int i = 0; i < n; ++i) {
                if (events[i].data.ptr != nullptr)
                    flush(epoll, *static_cast<Connection*>(events[i].data.ptr));
            }
        }
        ::close(timer);
        ::close(epoll);
    }

    net::io_context io_;
    tcp::acceptor acceptor_;
    long connections_;
    double rate_;
    long messages_;
    Clock::time_point start_{};
    std::vector<Connection> shares_[kWriters];
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

namespace {

// Offers `executions` crossing pairs to the daemon over REST at `rate`, from several submitters
// so that the offered rate is not bounded by one connection's round trips; records when each
// execution's orders were submitted. Each submitter trades in its own price band, so pairs never
// cross each other.
void offer_orders(const std::string& host, const std::string& http_port, double rate,
                  long executions, Clock::time_point start,
                  std::unordered_map<std::string, Clock::time_point>& submitted) {
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
    std::mutex submitted_mutex;
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
                const auto when = due(start, rate, i);
                while (Clock::now() < when)
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
}

}  // namespace

int main(int argc, char** argv) {
    const bool bare = argc > 1 && std::string(argv[1]) == "bare";
    if (argc < (bare ? 5 : 8)) {
        std::fprintf(stderr,
                     "usage: %s HOST HTTP_PORT WS_PORT DAEMON_PID CONNECTIONS RATE SECONDS "
                     "[BATCH]\n       %s bare CONNECTIONS RATE SECONDS\n",
                     argv[0], argv[0]);
        return 2;
    }
    char** numbers = bare ? argv + 2 : argv + 5;
    const long connections = std::stol(numbers[0]);
    const double rate = std::stod(numbers[1]);
    const long seconds = std::stol(numbers[2]);
    const std::string host = bare ? "127.0.0.1" : argv[1];
    const std::string http_port = bare ? "" : argv[2];
    int pid = bare ? 0 : std::stoi(argv[4]);
    const bool batch = !bare && argc > 8 && std::string(argv[8]) == "1";
    const long sample_every = std::max(1L, connections / 100);
    const long executions = static_cast<long>(rate * static_cast<double>(seconds));

    std::uint16_t ws_port = bare ? 0 : static_cast<std::uint16_t>(std::stoi(argv[3]));
    int to_fanout = -1;  // bare: the start time goes down this pipe; its end lets the child go
    if (bare) {
        int up[2], down[2];
        if (::pipe(up) != 0 || ::pipe(down) != 0) return 1;
        pid = ::fork();
        if (pid == 0) {
            ::close(up[0]);
            ::close(down[1]);
            BareFanout fanout(connections, rate, executions);
            const auto port = fanout.port();
            if (::write(up[1], &port, sizeof port) != sizeof port) ::_exit(1);
            fanout.accept_all();
            Clock::rep start = 0;
            if (::read(down[0], &start, sizeof start) != sizeof start) ::_exit(1);
            fanout.run(Clock::time_point(Clock::duration(start)));
            char end;
            while (::read(down[0], &end, 1) > 0) {
            }  // the parent reads this process's CPU time before it closes the pipe
            ::_exit(0);
        }
        ::close(up[1]);
        ::close(down[0]);
        if (::read(up[0], &ws_port, sizeof ws_port) != sizeof ws_port) return 1;
        ::close(up[0]);
        to_fanout = down[1];
    }
    Shared shared;
    const std::string target = batch ? "/ws/executions?batch=1" : "/ws/executions";
    const long rss_before = rss_kib(pid);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(ws_port);
    if (::inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1) {
        std::fprintf(stderr, "%s: not an IPv4 address\n", host.c_str());
        return 2;
    }
    std::vector<std::unique_ptr<Subscriber>> subscribers;
    constexpr int kReaders = 2;
    std::vector<Subscriber*> shares[kReaders];
    for (long i = 0; i < connections; ++i) {
        auto s = std::make_unique<Subscriber>(shared, i % sample_every == 0);
        if (!s->connect(address, host, target)) {
            std::fprintf(stderr, "connect %ld: %s\n", i, std::strerror(errno));
            if (bare) {  // the fan-out waits for every connection
                ::kill(pid, SIGKILL);
                return 1;
            }
            break;
        }
        shares[i % kReaders].push_back(s.get());
        subscribers.push_back(std::move(s));
    }
    shared.connected = static_cast<long>(subscribers.size());
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (int r = 0; r < kReaders; ++r) {
        threads.emplace_back([&, r] { read_subscribers(shares[r], stop, shared.reader_cpu[r]); });
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
    if (!bare) {
        const long rss_after = rss_kib(pid);
        std::printf(
            "{\"bench\":\"ws\",\"scenario\":\"idle_connections\",\"connections\":%ld,"
            "\"rss_before_kib\":%ld,\"rss_after_kib\":%ld,\"bytes_per_connection\":%.0f}\n",
            shared.connected.load(), rss_before, rss_after,
            shared.connected > 0 ? static_cast<double>(rss_after - rss_before) * 1024.0 /
                                       static_cast<double>(shared.connected.load())
                                 : 0.0);
        std::fflush(stdout);
    }

    const auto readers_cpu = [&shared] {
        return shared.reader_cpu[0].load(std::memory_order_relaxed) +
               shared.reader_cpu[1].load(std::memory_order_relaxed);
    };
    std::unordered_map<std::string, Clock::time_point> submitted;
    const long received_before = shared.received;
    const long frames_before = shared.frames;
    const double cpu_before = cpu_seconds(pid);
    const double readers_cpu_before = readers_cpu();
    auto start = Clock::now();
    if (bare) {
        start += std::chrono::milliseconds(10);  // the writers are armed before the first is due
        const Clock::rep at = start.time_since_epoch().count();
        if (::write(to_fanout, &at, sizeof at) != sizeof at) return 1;
        for (long k = 0; k < executions; ++k)
            submitted[std::to_string(k + 1)] = due(start, rate, k);
        std::this_thread::sleep_until(due(start, rate, executions));
    } else {
        offer_orders(host, http_port, rate, executions, start, submitted);
    }
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
    const long disconnected = shared.disconnected.load();
    if (bare) {
        ::close(to_fanout);
        ::waitpid(pid, nullptr, 0);
    }
    const double own_cpu = readers_cpu() - readers_cpu_before;
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
        "{\"bench\":\"ws\",\"scenario\":\"%s\",\"batch\":%s,\"subscribers\":%ld,"
        "\"executions_per_s\":%.0f,\"messages_per_s\":%.0f,\"delivered\":%ld,\"expected\":%ld,"
        "\"out_of_order\":%ld,\"disconnected\":%ld,\"daemon_cpu_us_per_message\":%.3f,"
        "\"client_cpu_us_per_message\":%.3f,\"messages_per_frame\":%.2f,"
        "\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f}\n",
        bare ? "bare" : "delivery", batch ? "true" : "false", shared.connected.load(),
        static_cast<double>(traded) / offered_seconds,
        static_cast<double>(delivered) / delivery_seconds, delivered, expected - received_before,
        shared.out_of_order.load(), disconnected,
        delivered > 0 ? cpu * 1e6 / static_cast<double>(delivered) : 0.0,
        delivered > 0 ? own_cpu * 1e6 / static_cast<double>(delivered) : 0.0,
        static_cast<double>(delivered) /
            static_cast<double>(std::max(1L, shared.frames.load() - frames_before)),
        at(0.5), at(0.99), at(1.0));
    std::fflush(stdout);
    stop = true;
    for (auto& t : threads) t.join();
    return 0;
}
