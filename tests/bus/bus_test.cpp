// The publisher base (journal follower states and figures), the cursor file and the
// persistence pipeline's message codec. The brokers themselves are exercised for real by
// tests/integration/test_persistence.py.
#include <gtest/gtest.h>

#include <fstream>
#include <numeric>

#include "temp_dir.hpp"
#include "test_markets.hpp"
#include "xtrader/bus/cursor_file.hpp"
#include "xtrader/bus/execution_codec.hpp"
#include "xtrader/bus/journal_follower.hpp"
#include "xtrader/bus/market_data_codec.hpp"

namespace xtrader {
namespace {

using namespace xtrader::testing;
using namespace std::chrono_literals;

TEST(ExecutionCodec, RoundTripsEveryField) {
    const MarketCatalog catalog = test_catalog();
    const ExecutionMessage m{
        42, 1'732'480'000'123,
        Trade{7, kBtcKrw, 50'000'000, 125, 42, 40, 1, 2, Side::Sell, 31'250, 31'250, 0, 375}};
    std::string text;
    encode_execution(catalog, m, text);
    std::string error;
    const auto back = decode_execution(catalog, text, error);
    ASSERT_TRUE(back) << error << "\n" << text;
    EXPECT_EQ(*back, m);
    EXPECT_NE(text.find("\"taker_side\":\"Sell\""), std::string::npos);
}

TEST(ExecutionCodec, RefusesWhatIsNotAnExecutionOfTheseMarkets) {
    const MarketCatalog catalog = test_catalog();
    std::string good;
    encode_execution(
        catalog, {1, 1, Trade{1, kBtcKrw, 50'000'000, 1, 2, 1, 1, 2, Side::Buy, 0, 0, 0, 0}}, good);
    std::string error;
    EXPECT_TRUE(decode_execution(catalog, good, error));
    const auto refused = [&](std::string text) {
        error.clear();
        return !decode_execution(catalog, text, error) && !error.empty();
    };
    EXPECT_TRUE(refused("not json"));
    EXPECT_TRUE(refused("[1,2]"));
    auto replace = [&](std::string_view from, std::string_view to) {
        std::string text = good;
        const auto at = text.find(from);
        EXPECT_NE(at, std::string::npos) << from;
        return text.replace(at, from.size(), to);
    };
    EXPECT_TRUE(refused(replace("BTC-KRW", "DOGE-KRW")));
    EXPECT_TRUE(refused(replace("\"exec_id\":1,", "")));
    EXPECT_TRUE(refused(replace("\"Buy\"", "\"Up\"")));
    EXPECT_TRUE(refused(replace("\"price\":\"", "\"price\":\"0.000000001")));
    EXPECT_TRUE(refused(replace("\"exec_id\":1", "\"exec_id\":-1")));
    EXPECT_TRUE(refused(replace("\"exec_id\":1", "\"exec_id\":1.5")));
    EXPECT_TRUE(refused(replace("\"exec_id\":1", "\"exec_id\":{\"a\":1}")));
    EXPECT_TRUE(refused(replace("\"exec_id\":1,", "\"exec_id\":1,\"exec_id\":2,")));
    // The project's one JSON reader: an escape means what JSON says it means.
    EXPECT_TRUE(decode_execution(catalog, replace("BTC-KRW", "BTC\\u002dKRW"), error)) << error;
    EXPECT_TRUE(refused(good + "x"));
    EXPECT_TRUE(refused(good.substr(0, good.size() - 1)));
    EXPECT_TRUE(decode_execution(catalog, " " + replace(",", " , ") + "\n", error)) << error;
}

TEST(MarketDataCodec, RoundTripsExecutionsAndBookDeltasExactly) {
    const MarketCatalog catalog = test_catalog();
    const MarketDataMessage execution = ExecutionMessage{
        42, 1'732'480'000'123,
        Trade{7, kBtcKrw, 50'000'000, 125, 42, 40, 1, 2, Side::Sell, 31'250, 31'250, 0, 375}};
    const MarketDataMessage delta = BookDeltaMessage{
        43,
        1'732'480'000'456,
        kBtcKrw,
        17,
        {{kBtcKrw, Side::Buy, 49'999'000, 0, 0}, {kBtcKrw, Side::Sell, 50'001'000, 12'345, 3}}};
    for (const auto& message : {execution, delta}) {
        std::string text;
        encode_market_data(catalog, message, text);
        std::string error;
        const auto back = decode_market_data(catalog, text, error);
        ASSERT_TRUE(back) << error << "\n" << text;
        EXPECT_EQ(*back, message) << text;
    }
    std::string text;
    encode_market_data(catalog, delta, text);
    EXPECT_TRUE(
        text.starts_with(R"({"type":"BookDelta","sequence":43,"symbol":"BTC-KRW","version":17,)"))
        << text;
    // A message of a journal written before versions: version 0, unknown.
    std::string error;
    const auto without = decode_market_data(
        catalog,
        R"({"type":"BookDelta","sequence":1,"symbol":"BTC-KRW","transaction_time":1,"changes":[]})",
        error);
    ASSERT_TRUE(without) << error;
    EXPECT_EQ(std::get<BookDeltaMessage>(*without).version, 0u);
    EXPECT_NE(text.find(R"("volume":"0.0000","order_count":0)"), std::string::npos) << text;
}

TEST(MarketDataCodec, RefusesWhatIsNotAMessageOfTheseMarkets) {
    const MarketCatalog catalog = test_catalog();
    std::string error;
    for (
        const char* bad :
        {"", "[]", R"({"type":"Trade"})", R"({"type":"Execution","exec_id":1})",
         R"({"type":"BookDelta","sequence":1,"symbol":"DOGE-KRW","transaction_time":1,"changes":[]})",
         R"({"type":"BookDelta","sequence":1,"symbol":"BTC-KRW","transaction_time":1,"changes":{}})",
         R"({"type":"BookDelta","sequence":1,"symbol":"BTC-KRW","version":-1,"transaction_time":1,)"
         R"("changes":[]})",
         R"({"type":"BookDelta","sequence":1,"symbol":"BTC-KRW","transaction_time":1,)"
         R"("changes":[{"side":"Up","price":"1","volume":"1","order_count":1}]})",
         R"({"type":"BookDelta","sequence":1,"symbol":"BTC-KRW","transaction_time":1,)"
         R"("changes":[{"side":"Buy","price":"-1","volume":"1","order_count":1}]})"}) {
        error.clear();
        EXPECT_FALSE(decode_market_data(catalog, bad, error)) << bad;
        EXPECT_FALSE(error.empty()) << bad;
    }
}

TEST(CursorFile, KeepsTheLastStoredSequence) {
    TempDir dir;
    CursorFile cursor(dir.path() / "cursors" / "redis");
    EXPECT_EQ(cursor.load(), 0u);
    cursor.store(41);
    cursor.store(42);
    EXPECT_EQ(CursorFile(dir.path() / "cursors" / "redis").load(), 42u);
    std::ofstream(dir.path() / "cursors" / "redis") << "garbage";
    EXPECT_THROW(cursor.load(), std::runtime_error);
}

// A sink that fails while `down`, and answers its probe only once `up_again`.
class SwitchableSink final : public RecordConsumer {
  public:
    Sequence position() override { return position_; }
    void consume(std::span<const JournalRecord> records) override {
        if (down.load()) throw std::runtime_error("broker down");
        for (const auto& r : records) seen.push_back(r.sequence);
        position_ = records.back().sequence;
    }
    bool probe() override { return up_again.load(); }

    std::atomic<bool> down{false};
    std::atomic<bool> up_again{false};
    std::vector<Sequence> seen;  // read after the follower stopped

  private:
    Sequence position_ = 0;
};

void write_journal(const std::filesystem::path& dir, Sequence from, Sequence to) {
    JournalWriter writer(dir, from, FsyncPolicy::None, 1 << 20);
    for (Sequence s = from; s <= to; ++s) writer.append(s, 1, Deposit{1, 0, 1}, {});
    ASSERT_TRUE(writer.commit());
}

void wait_for(const std::function<bool()>& condition) {
    for (int i = 0; i < 500 && !condition(); ++i) std::this_thread::sleep_for(10ms);
    ASSERT_TRUE(condition());
}

TEST(JournalFollower, HoldsWhileTheSinkIsDownThenReplaysInOrderOnce) {
    TempDir dir;
    write_journal(dir.path(), 1, 10);
    std::atomic<Sequence> committed{5};
    SwitchableSink sink;
    sink.down = true;
    JournalFollower follower(
        "test", dir.path(), [&] { return committed.load(); }, sink,
        FollowerOptions{.max_batch = 3, .idle_poll = 1ms, .probe_interval = 20ms});
    follower.start();
    wait_for([&] { return follower.state() == FollowerState::Degraded; });
    committed = 10;  // the exchange goes on meanwhile
    sink.down = false;
    std::this_thread::sleep_for(100ms);
    EXPECT_EQ(follower.state(), FollowerState::Degraded);  // no answer to its probe yet
    EXPECT_EQ(follower.cursor().load(), 0u);
    sink.up_again = true;
    wait_for([&] { return follower.state() == FollowerState::Healthy; });
    wait_for([&] { return follower.cursor().load() == 10; });
    follower.stop();
    EXPECT_EQ(follower.state(), FollowerState::Off);
    std::vector<Sequence> expected(10);
    std::iota(expected.begin(), expected.end(), 1);
    EXPECT_EQ(sink.seen, expected);
    EXPECT_GE(follower.failures(), 1u);
    EXPECT_EQ(follower.taken(), 10u);
}

TEST(JournalFollower, RaisesTheDiskAlarmBeyondItsBudget) {
    TempDir dir;
    write_journal(dir.path(), 1, 10);
    SwitchableSink sink;
    JournalFollower small(
        "small", dir.path(), [] { return Sequence{10}; }, sink, FollowerOptions{.disk_budget = 64});
    small.start();
    EXPECT_TRUE(small.disk_alarm());
    EXPECT_GT(small.spooled_bytes(), 64u);
    small.stop();
    SwitchableSink other;
    JournalFollower large(
        "large", dir.path(), [] { return Sequence{10}; }, other,
        FollowerOptions{.disk_budget = 1 << 30});
    large.start();
    EXPECT_FALSE(large.disk_alarm());
    large.stop();
}

}  // namespace
}  // namespace xtrader
