#include "xtrader/bus/rabbitmq_connection.hpp"

#include <amqp.h>
#include <amqp_framing.h>
#include <amqp_tcp_socket.h>
#include <spdlog/spdlog.h>
#include <sys/time.h>

#include <algorithm>
#include <charconv>
#include <vector>

namespace xtrader {

namespace {

constexpr amqp_channel_t kChannel = 1;

timeval to_timeval(std::chrono::milliseconds timeout) {
    return {static_cast<time_t>(timeout.count() / 1000),
            static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
}

amqp_bytes_t bytes(std::string_view text) {
    return {text.size(), const_cast<char*>(text.data())};
}

std::string text_of(amqp_bytes_t b) {
    return {static_cast<const char*>(b.bytes), b.len};
}

bool equals(amqp_bytes_t b, std::string_view text) {
    return b.len == text.size() &&
           std::string_view(static_cast<const char*>(b.bytes), b.len) == text;
}

std::optional<std::int64_t> integer(const amqp_field_value_t& v) {
    switch (v.kind) {
        case AMQP_FIELD_KIND_I8: return v.value.i8;
        case AMQP_FIELD_KIND_U8: return v.value.u8;
        case AMQP_FIELD_KIND_I16: return v.value.i16;
        case AMQP_FIELD_KIND_U16: return v.value.u16;
        case AMQP_FIELD_KIND_I32: return v.value.i32;
        case AMQP_FIELD_KIND_U32: return v.value.u32;
        case AMQP_FIELD_KIND_I64: return v.value.i64;
        case AMQP_FIELD_KIND_U64: return static_cast<std::int64_t>(v.value.u64);
        default: return std::nullopt;
    }
}

// What the x-death header says of rejections: one entry per (queue, reason), which the broker
// updates in place each time the message is dead-lettered that way, its count incremented; the
// entry keeps the routing keys the message had when first rejected.
struct Rejections {
    std::int64_t count = 0;
    std::string routing_key;  // the first of the entry's routing-keys
};

Rejections rejections(const amqp_basic_properties_t& properties) {
    Rejections most;
    if ((properties._flags & AMQP_BASIC_HEADERS_FLAG) == 0) return most;
    const amqp_table_t& headers = properties.headers;
    for (int i = 0; i < headers.num_entries; ++i) {
        const auto& header = headers.entries[i];
        if (!equals(header.key, "x-death") || header.value.kind != AMQP_FIELD_KIND_ARRAY) continue;
        const amqp_array_t& deaths = header.value.value.array;
        for (int d = 0; d < deaths.num_entries; ++d) {
            if (deaths.entries[d].kind != AMQP_FIELD_KIND_TABLE) continue;
            const amqp_table_t& death = deaths.entries[d].value.table;
            Rejections entry;
            bool rejected = false;
            for (int f = 0; f < death.num_entries; ++f) {
                const auto& field = death.entries[f];
                if (equals(field.key, "reason") && field.value.kind == AMQP_FIELD_KIND_UTF8) {
                    rejected = equals(field.value.value.bytes, "rejected");
                } else if (equals(field.key, "count")) {
                    entry.count = integer(field.value).value_or(0);
                } else if (equals(field.key, "routing-keys") &&
                           field.value.kind == AMQP_FIELD_KIND_ARRAY &&
                           field.value.value.array.num_entries > 0 &&
                           field.value.value.array.entries[0].kind == AMQP_FIELD_KIND_UTF8) {
                    entry.routing_key = text_of(field.value.value.array.entries[0].value.bytes);
                }
            }
            if (rejected && entry.count > most.count) most = std::move(entry);
        }
    }
    return most;
}

amqp_table_entry_t long_entry(const char* key, std::int64_t value) {
    amqp_table_entry_t e{};
    e.key = amqp_cstring_bytes(key);
    e.value.kind = AMQP_FIELD_KIND_I64;
    e.value.value.i64 = value;
    return e;
}

amqp_table_entry_t text_entry(const char* key, std::string_view value) {
    amqp_table_entry_t e{};
    e.key = amqp_cstring_bytes(key);
    e.value.kind = AMQP_FIELD_KIND_UTF8;
    e.value.value.bytes = bytes(value);
    return e;
}

// The broker's reason when it closed the channel or the connection, else the library's.
std::string reason(const amqp_rpc_reply_t& reply) {
    switch (reply.reply_type) {
        case AMQP_RESPONSE_NORMAL: return "ok";
        case AMQP_RESPONSE_NONE: return "no reply";
        case AMQP_RESPONSE_LIBRARY_EXCEPTION: return amqp_error_string2(reply.library_error);
        case AMQP_RESPONSE_SERVER_EXCEPTION:
            if (reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
                const auto* m = static_cast<amqp_connection_close_t*>(reply.reply.decoded);
                return "connection closed by the broker: " + text_of(m->reply_text);
            }
            if (reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
                const auto* m = static_cast<amqp_channel_close_t*>(reply.reply.decoded);
                return "channel closed by the broker: " + text_of(m->reply_text);
            }
            return "the broker refused";
    }
    return "unknown";
}

std::optional<std::string> percent_decoded(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out += text[i];
            continue;
        }
        unsigned value = 0;
        if (i + 3 > text.size() ||
            std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16).ptr !=
                text.data() + i + 3) {
            return std::nullopt;
        }
        out += static_cast<char>(value);
        i += 2;
    }
    return out;
}

}  // namespace

std::optional<RabbitMqEndpoint> parse_amqp_url(std::string_view url, std::string& error) {
    constexpr std::string_view scheme = "amqp://";
    if (!url.starts_with(scheme)) {
        error = "a RabbitMQ address is amqp://USER:PASSWORD@HOST:PORT/VHOST";
        return std::nullopt;
    }
    url.remove_prefix(scheme.size());
    RabbitMqEndpoint endpoint;
    if (const auto at = url.rfind('@'); at != std::string_view::npos) {
        const auto credentials = url.substr(0, at);
        const auto colon = credentials.find(':');
        const auto user = percent_decoded(credentials.substr(0, colon));
        const auto password = colon == std::string_view::npos
                                  ? std::optional<std::string>(endpoint.password)
                                  : percent_decoded(credentials.substr(colon + 1));
        if (!user || !password) {
            error = "a bad percent escape in the RabbitMQ user or password";
            return std::nullopt;
        }
        endpoint.user = *user;
        endpoint.password = *password;
        url.remove_prefix(at + 1);
    }
    const auto slash = url.find('/');
    auto host_port = url.substr(0, slash);
    if (slash != std::string_view::npos && slash + 1 < url.size()) {
        const auto vhost = percent_decoded(url.substr(slash + 1));
        if (!vhost) {
            error = "a bad percent escape in the RabbitMQ vhost";
            return std::nullopt;
        }
        endpoint.vhost = *vhost;
    }
    if (const auto colon = host_port.rfind(':'); colon != std::string_view::npos) {
        const auto port = host_port.substr(colon + 1);
        const auto [end, ec] =
            std::from_chars(port.data(), port.data() + port.size(), endpoint.port);
        if (ec != std::errc{} || end != port.data() + port.size() || endpoint.port <= 0 ||
            endpoint.port > 65535) {
            error = "the RabbitMQ port is not a port number";
            return std::nullopt;
        }
        host_port = host_port.substr(0, colon);
    }
    if (host_port.empty()) {
        error = "the RabbitMQ address names no host";
        return std::nullopt;
    }
    endpoint.host = std::string(host_port);
    return endpoint;
}

RabbitMqConnection::RabbitMqConnection(RabbitMqEndpoint endpoint)
    : endpoint_(std::move(endpoint)) {}

RabbitMqConnection::~RabbitMqConnection() {
    close();
}

void RabbitMqConnection::close() noexcept {
    if (state_ == nullptr) return;
    // No goodbye: the connection is closed because it failed, or the process is stopping, and
    // a broker that does not answer would hold either for the timeout.
    amqp_destroy_connection(state_);
    state_ = nullptr;
}

void RabbitMqConnection::fail(const std::string& what) {
    close();
    throw RabbitMqError("rabbitmq " + endpoint_.host + ":" + std::to_string(endpoint_.port) + ": " +
                        what);
}

void RabbitMqConnection::check_rpc(const char* what) {
    const amqp_rpc_reply_t reply = amqp_get_rpc_reply(state_);
    if (reply.reply_type != AMQP_RESPONSE_NORMAL) fail(std::string(what) + ": " + reason(reply));
}

void RabbitMqConnection::open() {
    if (state_ != nullptr) return;
    state_ = amqp_new_connection();
    if (state_ == nullptr) fail("out of memory");
    amqp_socket_t* socket = amqp_tcp_socket_new(state_);
    if (socket == nullptr) fail("cannot make a socket");
    const timeval timeout = to_timeval(endpoint_.timeout);
    if (const int rc =
            amqp_socket_open_noblock(socket, endpoint_.host.c_str(), endpoint_.port, &timeout);
        rc != AMQP_STATUS_OK) {
        fail(std::string("connect: ") + amqp_error_string2(rc));
    }
    amqp_set_handshake_timeout(state_, &timeout);
    amqp_set_rpc_timeout(state_, &timeout);
    // No heartbeats: an idle publisher calls nothing that would answer them, and a dead broker
    // shows as a failed publish or a confirm that does not come.
    const amqp_rpc_reply_t login =
        amqp_login(state_, endpoint_.vhost.c_str(), 0, 131072, 0, AMQP_SASL_METHOD_PLAIN,
                   endpoint_.user.c_str(), endpoint_.password.c_str());
    if (login.reply_type != AMQP_RESPONSE_NORMAL) fail("login: " + reason(login));
    amqp_channel_open(state_, kChannel);
    check_rpc("channel.open");
    amqp_confirm_select_t select{};
    amqp_simple_rpc_decoded(state_, kChannel, AMQP_CONFIRM_SELECT_METHOD,
                            AMQP_CONFIRM_SELECT_OK_METHOD, &select);
    check_rpc("confirm.select");
    published_ = 0;
    confirmed_ = 0;
    confirmed_after_.clear();
}

void RabbitMqConnection::declare_exchange(std::string_view name, std::string_view type) {
    open();
    amqp_exchange_declare(state_, kChannel, bytes(name), bytes(type), /*passive=*/0,
                          /*durable=*/1, /*auto_delete=*/0, /*internal=*/0, amqp_empty_table);
    check_rpc("exchange.declare");
}

std::uint64_t RabbitMqConnection::publish(std::string_view exchange, std::string_view routing_key,
                                          std::string_view body, RabbitMqDelivery delivery,
                                          std::span<const Header> headers) {
    open();
    amqp_basic_properties_t properties{};
    properties._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG;
    properties.content_type = amqp_cstring_bytes("application/json");
    properties.delivery_mode = static_cast<std::uint8_t>(delivery);
    std::vector<amqp_table_entry_t> entries;
    if (!headers.empty()) {
        entries.reserve(headers.size());
        for (const auto& [name, value] : headers) {
            auto& e = entries.emplace_back();
            e.key = bytes(name);
            e.value.kind = AMQP_FIELD_KIND_UTF8;
            e.value.value.bytes = bytes(value);
        }
        properties._flags |= AMQP_BASIC_HEADERS_FLAG;
        properties.headers = {static_cast<int>(entries.size()), entries.data()};
    }
    if (const int rc =
            amqp_basic_publish(state_, kChannel, bytes(exchange), bytes(routing_key),
                               /*mandatory=*/0, /*immediate=*/0, &properties, bytes(body));
        rc != AMQP_STATUS_OK) {
        fail(std::string("publish: ") + amqp_error_string2(rc));
    }
    return ++published_;
}

void RabbitMqConnection::wait_confirms(std::uint64_t left) {
    if (state_ == nullptr) return;
    const timeval timeout = to_timeval(endpoint_.timeout);
    while (outstanding() > left) {
        amqp_frame_t frame;
        timeval wait = timeout;
        const int rc = amqp_simple_wait_frame_noblock(state_, &frame, &wait);
        if (rc == AMQP_STATUS_TIMEOUT) fail("no publisher confirm within the timeout");
        if (rc != AMQP_STATUS_OK) fail(std::string("read: ") + amqp_error_string2(rc));
        if (frame.frame_type != AMQP_FRAME_METHOD) continue;  // a returned message's content
        switch (frame.payload.method.id) {
            case AMQP_BASIC_ACK_METHOD: {
                const auto* ack = static_cast<amqp_basic_ack_t*>(frame.payload.method.decoded);
                if (ack->multiple) {
                    confirmed_ = std::max(confirmed_, ack->delivery_tag);
                } else if (ack->delivery_tag > confirmed_) {
                    confirmed_after_.insert(ack->delivery_tag);
                }
                while (!confirmed_after_.empty() && *confirmed_after_.begin() <= confirmed_ + 1) {
                    confirmed_ = std::max(confirmed_, *confirmed_after_.begin());
                    confirmed_after_.erase(confirmed_after_.begin());
                }
                break;
            }
            case AMQP_BASIC_NACK_METHOD: fail("the broker refused a message (nack)");
            case AMQP_CHANNEL_CLOSE_METHOD: {
                const auto* m = static_cast<amqp_channel_close_t*>(frame.payload.method.decoded);
                fail("channel closed by the broker: " + text_of(m->reply_text));
            }
            case AMQP_CONNECTION_CLOSE_METHOD: {
                const auto* m = static_cast<amqp_connection_close_t*>(frame.payload.method.decoded);
                fail("connection closed by the broker: " + text_of(m->reply_text));
            }
            default: break;
        }
    }
    amqp_maybe_release_buffers(state_);
}

void RabbitMqConnection::declare_queue(std::string_view name, const RabbitMqQueueOptions& options) {
    open();
    std::vector<amqp_table_entry_t> arguments;
    if (options.expires.count() > 0)
        arguments.push_back(long_entry("x-expires", options.expires.count()));
    if (options.message_ttl.count() > 0) {
        arguments.push_back(long_entry("x-message-ttl", options.message_ttl.count()));
    }
    if (options.dead_letter_exchange) {
        arguments.push_back(text_entry("x-dead-letter-exchange", *options.dead_letter_exchange));
        if (!options.dead_letter_routing_key.empty()) {
            arguments.push_back(
                text_entry("x-dead-letter-routing-key", options.dead_letter_routing_key));
        }
    }
    const amqp_table_t table{static_cast<int>(arguments.size()), arguments.data()};
    amqp_queue_declare(state_, kChannel, bytes(name), /*passive=*/0, options.durable ? 1 : 0,
                       /*exclusive=*/0, /*auto_delete=*/0, table);
    check_rpc("queue.declare");
}

void RabbitMqConnection::bind_queue(std::string_view queue, std::string_view exchange,
                                    std::string_view pattern) {
    open();
    amqp_queue_bind(state_, kChannel, bytes(queue), bytes(exchange), bytes(pattern),
                    amqp_empty_table);
    check_rpc("queue.bind");
}

std::uint64_t RabbitMqConnection::queue_depth(std::string_view name) {
    open();
    const auto* ok =
        amqp_queue_declare(state_, kChannel, bytes(name), /*passive=*/1,
                           /*durable=*/0, /*exclusive=*/0, /*auto_delete=*/0, amqp_empty_table);
    check_rpc("queue.declare (passive)");
    return ok != nullptr ? ok->message_count : 0;
}

void RabbitMqConnection::consume(std::string_view queue, std::uint16_t prefetch) {
    open();
    amqp_basic_qos(state_, kChannel, 0, prefetch, /*global=*/0);
    check_rpc("basic.qos");
    amqp_basic_consume(state_, kChannel, bytes(queue), amqp_empty_bytes, /*no_local=*/0,
                       /*no_ack=*/0, /*exclusive=*/0, amqp_empty_table);
    check_rpc("basic.consume");
}

std::optional<RabbitMqMessage> RabbitMqConnection::next(std::chrono::milliseconds timeout) {
    if (state_ == nullptr) fail("not consuming");
    amqp_maybe_release_buffers(state_);
    amqp_envelope_t envelope;
    timeval wait = to_timeval(timeout);
    const amqp_rpc_reply_t reply = amqp_consume_message(state_, &envelope, &wait, 0);
    if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
        reply.library_error == AMQP_STATUS_TIMEOUT) {
        return std::nullopt;
    }
    if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
        reply.library_error == AMQP_STATUS_UNEXPECTED_STATE) {
        // A method other than a delivery: the broker closing or cancelling us, or one to skip.
        amqp_frame_t frame;
        if (const int rc = amqp_simple_wait_frame(state_, &frame); rc != AMQP_STATUS_OK) {
            fail(std::string("read: ") + amqp_error_string2(rc));
        }
        if (frame.frame_type == AMQP_FRAME_METHOD) {
            switch (frame.payload.method.id) {
                case AMQP_CHANNEL_CLOSE_METHOD: {
                    const auto* m =
                        static_cast<amqp_channel_close_t*>(frame.payload.method.decoded);
                    fail("channel closed by the broker: " + text_of(m->reply_text));
                }
                case AMQP_CONNECTION_CLOSE_METHOD: {
                    const auto* m =
                        static_cast<amqp_connection_close_t*>(frame.payload.method.decoded);
                    fail("connection closed by the broker: " + text_of(m->reply_text));
                }
                case AMQP_BASIC_CANCEL_METHOD: fail("the broker cancelled the consumer");
                default: break;
            }
        }
        return std::nullopt;
    }
    if (reply.reply_type != AMQP_RESPONSE_NORMAL) fail("consume: " + reason(reply));
    auto rejected = rejections(envelope.message.properties);
    RabbitMqMessage message{envelope.delivery_tag,
                            rejected.routing_key.empty() ? text_of(envelope.routing_key)
                                                         : std::move(rejected.routing_key),
                            text_of(envelope.message.body), text_of(envelope.exchange),
                            rejected.count};
    amqp_destroy_envelope(&envelope);
    return message;
}

void RabbitMqConnection::ack(std::uint64_t delivery_tag, bool multiple) {
    if (state_ == nullptr) fail("not consuming");
    if (const int rc = amqp_basic_ack(state_, kChannel, delivery_tag, multiple ? 1 : 0);
        rc != AMQP_STATUS_OK) {
        fail(std::string("ack: ") + amqp_error_string2(rc));
    }
}

void RabbitMqConnection::reject(std::uint64_t delivery_tag) {
    if (state_ == nullptr) fail("not consuming");
    if (const int rc = amqp_basic_reject(state_, kChannel, delivery_tag, /*requeue=*/0);
        rc != AMQP_STATUS_OK) {
        fail(std::string("reject: ") + amqp_error_string2(rc));
    }
}

RabbitMqExchange::RabbitMqExchange(RabbitMqEndpoint endpoint, std::string name,
                                   std::size_t confirm_window)
    : connection_(std::move(endpoint)), name_(std::move(name)), confirm_window_(confirm_window) {}

void RabbitMqExchange::connect() {
    if (connection_.is_open()) return;
    connection_.open();
    connection_.declare_exchange(name_, "topic");
}

void RabbitMqExchange::publish(std::string_view routing_key, std::string_view body,
                               RabbitMqDelivery delivery) {
    connect();
    connection_.publish(name_, routing_key, body, delivery);
    if (connection_.outstanding() >= confirm_window_) {
        connection_.wait_confirms(confirm_window_ / 2);
    }
}

bool RabbitMqExchange::reachable() {
    try {
        connect();
        return true;
    } catch (const RabbitMqError& e) {
        spdlog::warn("{}", e.what());
        return false;
    }
}

}  // namespace xtrader
