#include "xtrader/sequencer/record_codec.hpp"

#include <tuple>
#include <utility>

namespace xtrader {

namespace {

// One list of fields per type serves both directions.
auto fields(PlaceOrder& c) {
    return std::tie(c.account, c.market, c.side, c.type, c.tif, c.post_only, c.price, c.quantity,
                    c.client_order_id, c.stop_price);
}
auto fields(CancelOrder& c) {
    return std::tie(c.account, c.order_id);
}
auto fields(AmendOrder& c) {
    return std::tie(c.account, c.order_id, c.new_price, c.new_quantity);
}
auto fields(CancelAllOrders& c) {
    return std::tie(c.account, c.market);
}
auto fields(SetMarketHalted& c) {
    return std::tie(c.market, c.halted);
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
auto fields(OrderResized& e) {
    return std::tie(e.order_id, e.account, e.market, e.old_quantity, e.new_quantity, e.remaining);
}
auto fields(MarketHaltChanged& e) {
    return std::tie(e.market, e.halted);
}
auto fields(StopTriggered& e) {
    return std::tie(e.order_id, e.account, e.market, e.stop_price, e.price);
}

// Fields that payload version 3 added at the end of a type's list; older records lack them.
template <class T>
constexpr std::size_t kAddedInVersion3 = 0;
template <>
constexpr std::size_t kAddedInVersion3<PlaceOrder> = 1;  // stop_price
template <>
constexpr std::size_t kAddedInVersion3<AmendOrder> = 1;  // new_quantity

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
    return v <= OrderType::StopMarket;
}
bool valid(TimeInForce v) noexcept {
    return v <= TimeInForce::FOK;
}
bool valid(RejectReason v) noexcept {
    return v <= RejectReason::InvalidStopPrice;
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

// Reads the fields of the alternative `index` as payload `version` wrote them; fields it
// lacked keep their defaults.
template <class Variant, std::size_t I = 0>
bool decode_alternative(ByteReader& in, std::size_t index, std::uint16_t version, Variant& value) {
    if constexpr (I == std::variant_size_v<Variant>) {
        return false;
    } else {
        if (index != I) return decode_alternative<Variant, I + 1>(in, index, version, value);
        using T = std::variant_alternative_t<I, Variant>;
        T alternative{};
        auto list = fields(alternative);
        constexpr std::size_t all = std::tuple_size_v<decltype(list)>;
        const std::size_t present = version < 3 ? all - kAddedInVersion3<T> : all;
        bool ok = true;
        [&]<std::size_t... F>(std::index_sequence<F...>) {
            const auto read = [&](std::size_t position, auto& field) {
                if (!ok || position >= present) return;
                field = in.get<std::decay_t<decltype(field)>>();
                ok = valid(field);
            };
            (read(F, std::get<F>(list)), ...);
        }
        (std::make_index_sequence<all>{});
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

bool decode(ByteReader& in, CommandBody& command, std::uint16_t version) {
    const auto index = in.get<std::uint8_t>();
    return !in.failed() && decode_alternative(in, index, version, command);
}

bool decode(ByteReader& in, Event& event) {
    const auto index = in.get<std::uint8_t>();
    return !in.failed() && decode_alternative(in, index, kRecordPayloadVersion, event);
}

}  // namespace xtrader
