// The surveillance-alerts message: every field round-trips; bad input is refused with a reason.
#include "xtrader/consumers/alert_codec.hpp"

#include <gtest/gtest.h>

#include "btc_krw.hpp"

namespace xtrader {
namespace {

using surveillance::Alert;
using surveillance::AlertKind;
using surveillance::Severity;

Alert sample() {
    Alert a;
    a.id = "spoofing:0:9:100-102";
    a.kind = AlertKind::Spoofing;
    a.severity = Severity::Critical;
    a.market = 0;
    a.time = 1'732'480'000'123 * kNanosPerMilli;
    a.sequence = 42;
    a.accounts = {9};
    a.executions = {1, 18'446'744'073'709'551'615ULL};
    a.orders = {100, 101, 102};
    a.summary = "account 9 placed 3 large \"Buy\" orders";
    return a;
}

TEST(AlertCodec, EveryFieldRoundTrips) {
    const auto catalog = testing::btc_krw_catalog();
    std::string text, error;
    encode_alert(catalog, sample(), text);
    EXPECT_NE(text.find(R"("kind":"spoofing")"), std::string::npos) << text;
    EXPECT_NE(text.find(R"("executions":["1","18446744073709551615"])"), std::string::npos) << text;
    const auto back = decode_alert(catalog, text, error);
    ASSERT_TRUE(back) << error;
    const Alert a = sample();
    EXPECT_EQ(back->id, a.id);
    EXPECT_EQ(back->kind, a.kind);
    EXPECT_EQ(back->severity, a.severity);
    EXPECT_EQ(back->market, a.market);
    EXPECT_EQ(back->time, a.time);
    EXPECT_EQ(back->sequence, a.sequence);
    EXPECT_EQ(back->accounts, a.accounts);
    EXPECT_EQ(back->executions, a.executions);
    EXPECT_EQ(back->orders, a.orders);
    EXPECT_EQ(back->summary, a.summary);
}

TEST(AlertCodec, RefusesWhatIsNotAnAlertWithAReason) {
    const auto catalog = testing::btc_krw_catalog();
    std::string good;
    encode_alert(catalog, sample(), good);
    const auto without = [&](std::string_view from, std::string_view to) {
        std::string text = good;
        text.replace(text.find(from), from.size(), to);
        return text;
    };
    const std::string bad[] = {
        "not json",
        without(R"("kind":"spoofing")", R"("kind":"fraud")"),
        without(R"("severity":"critical")", R"("severity":"loud")"),
        without(R"("symbol":"BTC-KRW")", R"("symbol":"DOGE-KRW")"),
        without(R"("sequence":42)", R"("sequence":-1)"),
        without(R"("executions":["1")", R"("executions":[1)"),
        without(R"("orders":["100")", R"("orders":["x")"),
        without(R"("accounts":[9])", R"("accounts":["9"])"),
        without(R"("id":"spoofing:0:9:100-102")", R"("id":"")"),
    };
    for (const auto& text : bad) {
        std::string error;
        EXPECT_FALSE(decode_alert(catalog, text, error)) << text;
        EXPECT_FALSE(error.empty()) << text;
    }
}

}  // namespace
}  // namespace xtrader
