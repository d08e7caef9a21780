// The ceiling of the REST benchmark: a bare Beast HTTP server, as Beast's own examples write
// one, that does what xtraderd's order route does at the edge and nothing behind it — parses
// the order's JSON with the same reader and answers it (a new order id, "Pending"; a DELETE is
// answered "Cancelled"). No authentication, matching, journal or store. `scripts/bench.sh rest`
// drives it with the same wrk script as the daemon, in the same run, for the ratio.
//
// usage: bare_server PORT THREADS
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "xtrader/json/reader.hpp"

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

std::atomic<std::uint64_t> next_order_id{1};

class Session : public std::enable_shared_from_this<Session> {
  public:
    explicit Session(tcp::socket&& socket) : stream_(std::move(socket)) {}

    void read() {
        request_ = {};
        stream_.expires_after(std::chrono::seconds(30));
        http::async_read(stream_, buffer_, request_,
                         beast::bind_front_handler(&Session::on_read, shared_from_this()));
    }

  private:
    void on_read(beast::error_code ec, std::size_t) {
        if (ec) return;
        response_ = {http::status::ok, request_.version()};
        response_.set(http::field::server, "bare");
        response_.set(http::field::content_type, "application/json");
        response_.keep_alive(request_.keep_alive());
        if (request_.method() == http::verb::post) {
            std::string error;
            const auto order = xtrader::parse_json_object(request_.body(), error);
            if (!order || order->find("symbol") == nullptr) {
                response_.result(http::status::bad_request);
                response_.body() = R"({"error":{"code":"bad_request"}})";
            } else {
                response_.body() = R"({"order_id":")" + std::to_string(next_order_id++) +
                                   R"(","status":"Pending"})";
            }
        } else {
            response_.body() = R"({"status":"Cancelled"})";
        }
        response_.prepare_payload();
        http::async_write(stream_, response_,
                          beast::bind_front_handler(&Session::on_write, shared_from_this()));
    }

    void on_write(beast::error_code ec, std::size_t) {
        if (!ec && request_.keep_alive()) read();
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    http::request<http::string_body> request_;
    http::response<http::string_body> response_;
};

void accept(tcp::acceptor& acceptor, net::io_context& io) {
    acceptor.async_accept(net::make_strand(io), [&](beast::error_code ec, tcp::socket socket) {
        if (!ec) {
            socket.set_option(tcp::no_delay(true));
            std::make_shared<Session>(std::move(socket))->read();
        }
        accept(acceptor, io);
    });
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s PORT THREADS\n", argv[0]);
        return 2;
    }
    const auto port = static_cast<unsigned short>(std::stoi(argv[1]));
    const int threads = std::max(1, std::stoi(argv[2]));
    net::io_context io(threads);
    tcp::acceptor acceptor(io, {net::ip::make_address("127.0.0.1"), port});
    accept(acceptor, io);
    net::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](beast::error_code, int) { io.stop(); });
    std::vector<std::thread> pool;
    for (int i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
    io.run();
    for (auto& t : pool) t.join();
    return 0;
}
