#include "xtrader/sequencer/record_codec.hpp"

#include <tuple>

namespace xtrader {

namespace {

// One list of fields per type serves both directions.
auto fields(PlaceOrder& c) {
    return std::tie(c.account, c.market, c.side, c.type, c.tif, c.post_only, c.price, c.quantity,
                    c.client_order_id);
}
auto fields(CancelOrder& c) {
    return std::tie(c.account, c.order_id);
}
auto fields(MoveOrder& c) {
    return std::tie(c.account, c.order_id, c.new_price);
}
auto fields(Deposit& c) {
    return std::tie(c.account, c.asset, c.amount);
}
auto fields(Withdraw& c) {
    return std::tie(c.account, c.asset, c.amount);
}

auto fields(OrderAccepted& e) {
    return std::tie(e.order_id, e.account, e.market, e.side, e.type, e.tif, e.post_only, e.price,
                    e.quantity);
}
auto fields(Trade& e) {
    return std::tie(e.exec_id, e.market, e.price, e.quantity, e.taker_order_id, e.maker_order_id,
                    e.taker_account, e.maker_account, e.taker_side, e.taker_fee, e.maker_fee,
                    e.taker_remaining, e.maker_remaining);
}
auto fields(OrderCancelled& e) {
    return std::tie(e.order_id, e.account, e.market, e.remaining, e.reason);
}
auto fields(OrderMoved& e) {
    return std::tie(e.order_id, e.account, e.market, e.old_price, e.new_price, e.remaining);
}
auto fields(CommandRejected& e) {
    return std::tie(e.order_id, e.account, e.reason);
}
auto fields(BookLevelChanged& e) {
    return std::tie(e.market, e.side, e.price, e.volume, e.order_count);
}
auto fields(FundsDeposited& e) {
    return std::tie(e.account, e.asset, e.amount);
}
auto fields(FundsWithdrawn& e) {
    return std::tie(e.account, e.asset, e.amount);
}
auto fields(BookVersion& e) {
    return std::tie(e.market, e.version);
}

// What a field read back from disk may hold: enums within their enumerators, client ids as
// parse() makes them. Anything else is a corrupt record, refused before it is used.
template <class T>
bool valid(const T&) noexcept {
    return true;
}
bool valid(Side v) noexcept {
    return v <= Side::Sell;
}
bool valid(OrderType v) noexcept {
    return v <= OrderType::Market;
}
bool valid(TimeInForce v) noexcept {
    return v <= TimeInForce::FOK;
}
bool valid(RejectReason v) noexcept {
    return v <= RejectReason::DuplicateClientOrderId;
}
bool valid(CancelReason v) noexcept {
    return v <= CancelReason::InsufficientBalance;
}
bool valid(const ClientOrderId& v) noexcept {
    return v.well_formed();
}

template <class Variant>
void encode_variant(ByteWriter& out, const Variant& value) {
    out.put(static_cast<std::uint8_t>(value.index()));
    std::visit(
        [&](const auto& alternative) {
            auto copy = alternative;  // fields() takes a mutable reference
            std::apply([&](const auto&... field) { (out.put(field), ...); }, fields(copy));
        },
        value);
}

template <class Variant, std::size_t I = 0>
bool decode_alternative(ByteReader& in, std::size_t index, Variant& value) {
    if constexpr (I == std::variant_size_v<Variant>) {
        return false;
    } else {
        if (index != I) return decode_alternative<Variant, I + 1>(in, index, value);
        std::variant_alternative_t<I, Variant> alternative{};
        const bool ok = std::apply(
            [&](auto&... field) {
                return ((field = in.get<std::decay_t<decltype(field)>>(), valid(field)) && ...);
            },
            fields(alternative));
        value = alternative;
        return ok && !in.failed();
    }
}

}  // namespace

void encode(ByteWriter& out, const CommandBody& command) {
    encode_variant(out, command);
}
void encode(ByteWriter& out, const Event& event) {
    encode_variant(out, event);
}

bool decode(ByteReader& in, CommandBody& command) {
    const auto index = in.get<std::uint8_t>();
    return !in.failed() && decode_alternative(in, index, command);
}

bool decode(ByteReader& in, Event& event) {
    const auto index = in.get<std::uint8_t>();
    return !in.failed() && decode_alternative(in, index, event);
}

}  // namespace xtrader
