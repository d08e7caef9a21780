#include "xtrader/sequencer/journal.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "temp_dir.hpp"
#include "test_markets.hpp"
#include "xtrader/sequencer/crc32c.hpp"
#include "xtrader/sequencer/record_codec.hpp"

namespace xtrader {
namespace {

using namespace xtrader::testing;

std::vector<Event> every_event_kind() {
    return {
        OrderAccepted{7, 1, 1, Side::Sell, OrderType::Market, TimeInForce::FOK, false, 0, 42},
        Trade{9, 1, 50'000'000, 3, 7, 5, 1, 2, Side::Sell, 75'001, 30'000, 39, 0},
        OrderCancelled{7, 1, 1, 39, CancelReason::Unfilled},
        OrderMoved{5, 2, 0, 100, 101, 3},
        CommandRejected{8, 3, RejectReason::InsufficientBalance},
        BookLevelChanged{1, Side::Buy, 50'000'000, 0, 0},
        FundsDeposited{4, 2, 1'000'000},
        FundsWithdrawn{4, 2, -1},
        BookVersion{1, 12},
        OrderResized{5, 2, 0, 10, 4, 1},
        MarketHaltChanged{1, true},
        StopTriggered{11, 2, 0, 105, 106},
    };
}

std::vector<CommandBody> every_command_kind() {
    return {PlaceOrder{1, 1, Side::Buy, OrderType::Limit, TimeInForce::GTC, true, 100, 5},
            PlaceOrder{2, 0, Side::Sell, OrderType::Market, TimeInForce::IOC, false, 0, 7,
                       *ClientOrderId::parse("2f1c9a7e-4b7d-4e0a-9c1e-5d2b8f3a6c10")},
            CancelOrder{2, 77},
            AmendOrder{3, 78, 120, 40},
            Deposit{4, 1, 99},
            Withdraw{5, 0, 1},
            CancelAllOrders{6, kAllMarkets},
            SetMarketHalted{1, false},
            PlaceOrder{7, 0, Side::Buy, OrderType::StopLimit, TimeInForce::GTC, false, 110, 2,
                       ClientOrderId{}, 105}};
}

// A record of payload version 2 (before amendments of quantity and stop orders) decodes with
// the new fields at their defaults.
TEST(RecordCodec, ReadsVersion2Layouts) {
    std::vector<std::byte> bytes;
    ByteWriter out(bytes);
    out.put(std::uint8_t{2});  // AmendOrder, then MoveOrder
    out.put(AccountId{3});
    out.put(OrderId{78});
    out.put(Price{120});
    ByteReader in(bytes);
    CommandBody decoded;
    ASSERT_TRUE(decode(in, decoded, 2));
    EXPECT_TRUE(in.at_end());
    EXPECT_EQ(decoded, CommandBody(AmendOrder{3, 78, 120, 0}));

    const PlaceOrder place{1,
                           1,
                           Side::Buy,
                           OrderType::Limit,
                           TimeInForce::GTC,
                           false,
                           100,
                           5,
                           *ClientOrderId::parse("abc")};
    bytes.clear();
    encode(out, place);
    bytes.erase(bytes.end() - sizeof(Price), bytes.end());  // version 2 ended at the client id
    ByteReader old(bytes);
    ASSERT_TRUE(decode(old, decoded, 2));
    EXPECT_TRUE(old.at_end());
    EXPECT_EQ(decoded, CommandBody(place));
    ByteReader current(bytes);
    EXPECT_FALSE(decode(current, decoded));  // as version 3 it is short
}

TEST(Crc32c, MatchesTheStandardCheckValue) {
    const std::string text = "123456789";
    EXPECT_EQ(crc32c(std::as_bytes(std::span(text.data(), text.size()))), 0xE3069283U);
    std::vector<std::byte> zeros(32, std::byte{0});
    EXPECT_EQ(crc32c(zeros), 0x8A9136AAU);  // RFC 3720 B.4
}

TEST(RecordCodec, RoundTripsEveryCommandAndEvent) {
    for (const auto& command : every_command_kind()) {
        std::vector<std::byte> bytes;
        ByteWriter out(bytes);
        encode(out, command);
        ByteReader in(bytes);
        CommandBody decoded;
        ASSERT_TRUE(decode(in, decoded));
        EXPECT_TRUE(in.at_end());
        EXPECT_EQ(decoded, command);
    }
    for (const auto& event : every_event_kind()) {
        std::vector<std::byte> bytes;
        ByteWriter out(bytes);
        encode(out, event);
        ByteReader in(bytes);
        Event decoded;
        ASSERT_TRUE(decode(in, decoded));
        EXPECT_TRUE(in.at_end());
        EXPECT_EQ(decoded, event);
        // A cut-short encoding never decodes.
        ByteReader short_in(std::span<const std::byte>(bytes).first(bytes.size() - 1));
        EXPECT_FALSE(decode(short_in, decoded));
    }
    ByteReader unknown_tag(std::as_bytes(std::span("\x09", 1)));
    Event event;
    EXPECT_FALSE(decode(unknown_tag, event));
}

// Found by fuzz_journal_record: a byte of 131 where a bool is kept was copied into the bool.
// Fields read back from disk are checked: bools, enums and client ids out of range are refused.
TEST(RecordCodec, RefusesFieldsOutOfRange) {
    const CommandBody place = PlaceOrder{1,
                                         1,
                                         Side::Buy,
                                         OrderType::Limit,
                                         TimeInForce::GTC,
                                         true,
                                         100,
                                         5,
                                         *ClientOrderId::parse("abc")};
    std::vector<std::byte> good;
    ByteWriter out(good);
    encode(out, place);
    // tag, account (4), market (4), side, type, tif, post_only ... client id, stop price.
    const std::size_t side = 1 + 4 + sizeof(MarketId);
    const auto corrupt = [&](std::size_t at, std::uint8_t value) {
        auto bytes = good;
        bytes[at] = std::byte{value};
        ByteReader in(bytes);
        CommandBody decoded;
        return decode(in, decoded);
    };
    ASSERT_TRUE(corrupt(side, 0));
    EXPECT_FALSE(corrupt(side, 2));                          // no such Side
    EXPECT_FALSE(corrupt(side + 1, 4));                      // no such OrderType
    EXPECT_FALSE(corrupt(side + 2, 3));                      // no such TimeInForce
    EXPECT_FALSE(corrupt(side + 3, 131));                    // not a bool
    const std::size_t id_end = good.size() - sizeof(Price);  // the stop price follows it
    EXPECT_FALSE(corrupt(id_end - 1, 200));                  // a client id longer than 36
    EXPECT_FALSE(corrupt(id_end - 2, 'x'));                  // a byte after the id's end
}

TEST(Journal, ReaderReturnsWhatTheWriterCommittedAcrossSegments) {
    TempDir dir;
    const auto events = every_event_kind();
    const auto commands = every_command_kind();
    {
        JournalWriter writer(dir.path(), 1, FsyncPolicy::None, 4096);  // small: many segments
        for (Sequence s = 1; s <= 500; ++s) {
            writer.append(s, static_cast<Timestamp>(s * 10), commands[s % commands.size()],
                          std::span(events).first(s % events.size()));
            if (s % 7 == 0) {
                ASSERT_TRUE(writer.commit());
            }
        }
        ASSERT_TRUE(writer.commit());
        EXPECT_THROW(writer.append(9, 0, commands[0], {}), JournalError);  // out of order
    }
    EXPECT_GT(list_segments(dir.path()).size(), 5u);

    JournalReader reader(dir.path(), 1);
    for (Sequence s = 1; s <= 500; ++s) {
        auto record = reader.next(500);
        ASSERT_TRUE(record.has_value()) << s;
        EXPECT_EQ(record->sequence, s);
        EXPECT_EQ(record->timestamp, static_cast<Timestamp>(s * 10));
        EXPECT_EQ(record->command, commands[s % commands.size()]);
        EXPECT_EQ(record->events,
                  std::vector<Event>(events.begin(), events.begin() + s % events.size()));
    }
    EXPECT_FALSE(reader.next(500).has_value());

    // From the middle, and never past the limit.
    JournalReader middle(dir.path(), 321);
    EXPECT_EQ(middle.next(400)->sequence, 321u);
    JournalReader limited(dir.path(), 400);
    EXPECT_FALSE(limited.next(399).has_value());
    EXPECT_EQ(limited.next(400)->sequence, 400u);
}

TEST(Journal, ReaderTailsAWriterThatKeepsAppending) {
    TempDir dir;
    JournalWriter writer(dir.path(), 1, FsyncPolicy::None, 2048);
    JournalReader reader(dir.path(), 1);
    Sequence read = 0;
    for (Sequence s = 1; s <= 300; ++s) {
        writer.append(s, 0, Deposit{1, 0, static_cast<Amount>(s)}, {});
        ASSERT_TRUE(writer.commit());
        if (s % 3 == 0) {
            while (auto record = reader.next(s)) {
                EXPECT_EQ(record->sequence, ++read);
                EXPECT_EQ(std::get<Deposit>(record->command).amount, static_cast<Amount>(read));
            }
            EXPECT_EQ(read, s);
        }
    }
}

TEST(Journal, ReaderReadsRecordsAcrossItsReadAheadChunks) {
    TempDir dir;
    JournalWriter writer(dir.path(), 1, FsyncPolicy::None, 64 * 1024 * 1024);
    // Many records over several 64 KB chunks, and one record larger than a chunk.
    const std::vector<Event> large(4000, BookLevelChanged{1, Side::Buy, 50'000'000, 7, 1});
    for (Sequence s = 1; s <= 3000; ++s) {
        writer.append(s, 0, Deposit{1, 0, static_cast<Amount>(s)},
                      s == 1500 ? large : every_event_kind());
    }
    ASSERT_TRUE(writer.commit());
    JournalReader reader(dir.path(), 1);
    JournalRecord record;  // reused, as the followers do
    for (Sequence s = 1; s <= 3000; ++s) {
        ASSERT_TRUE(reader.next(3000, record));
        EXPECT_EQ(record.sequence, s);
        EXPECT_EQ(std::get<Deposit>(record.command).amount, static_cast<Amount>(s));
        EXPECT_EQ(record.events.size(), s == 1500 ? large.size() : every_event_kind().size());
    }
    EXPECT_FALSE(reader.next(3000, record));
}

TEST(Journal, ReaderRereadsWhatItReadAheadOfTheCommittedLimit) {
    TempDir dir;
    JournalWriter writer(dir.path(), 1, FsyncPolicy::None, 1024 * 1024);
    for (Sequence s = 1; s <= 10; ++s) writer.append(s, 0, Deposit{1, 0, 1}, {});
    ASSERT_TRUE(writer.commit());
    // Bytes past the last committed record, as a failed write leaves them before the writer
    // cuts them back and writes the record again.
    {
        std::ofstream tail(list_segments(dir.path()).back().second,
                           std::ios::binary | std::ios::app);
        tail << std::string(200, 'x');
    }
    JournalReader reader(dir.path(), 1);
    for (Sequence s = 1; s <= 10; ++s) ASSERT_EQ(reader.next(10)->sequence, s);
    writer.append(11, 0, Deposit{1, 0, 11}, {});  // over the stray bytes
    ASSERT_TRUE(writer.commit());
    const auto record = reader.next(11);
    ASSERT_TRUE(record.has_value());
    EXPECT_EQ(std::get<Deposit>(record->command).amount, 11);
}

TEST(Journal, RemovesOnlySegmentsWhollyBeforeTheFloor) {
    TempDir dir;
    JournalWriter writer(dir.path(), 1, FsyncPolicy::None, 1024);
    for (Sequence s = 1; s <= 200; ++s) {
        writer.append(s, 0, Deposit{1, 0, 1}, {});
        ASSERT_TRUE(writer.commit());
    }
    const auto before = list_segments(dir.path());
    ASSERT_GT(before.size(), 3u);
    const Sequence floor = before[2].first + 1;  // inside the third segment
    remove_segments_before(dir.path(), floor);
    const auto after = list_segments(dir.path());
    EXPECT_EQ(after.front().first, before[2].first);
    JournalReader reader(dir.path(), floor);
    EXPECT_EQ(reader.next(200)->sequence, floor);
    JournalReader gone(dir.path(), 1);
    EXPECT_THROW(gone.next(200), JournalError);
}

TEST(FsyncPolicy, ParsesItsThreeSettings) {
    EXPECT_EQ(parse_fsync_policy("always"), FsyncPolicy::Always);
    EXPECT_EQ(parse_fsync_policy("batch"), FsyncPolicy::Batch);
    EXPECT_EQ(parse_fsync_policy("none"), FsyncPolicy::None);
    EXPECT_EQ(parse_fsync_policy("everysec"), std::nullopt);
    EXPECT_EQ(to_string(FsyncPolicy::Batch), "batch");
}

}  // namespace
}  // namespace xtrader

namespace xtrader {
namespace {

using namespace xtrader::testing;

void write_deposits(const std::filesystem::path& dir, int count, std::size_t segment_bytes) {
    JournalWriter writer(dir, 1, FsyncPolicy::None, segment_bytes);
    for (int i = 1; i <= count; ++i) {
        writer.append(static_cast<Sequence>(i), i, Deposit{1, 0, i}, {});
        ASSERT_TRUE(writer.write());
    }
}

// Every follower reads through JournalReader: a committed record that does not match its
// checksum must stop it, saying where, never pass as an event.
TEST(JournalReader, RefusesARecordWithACorruptByteNamingItsFileAndOffset) {
    TempDir dir;
    write_deposits(dir.path(), 3, 64 << 20);
    const auto segment = list_segments(dir.path()).front().second;
    const auto size = std::filesystem::file_size(segment);
    const auto record = (size - kSegmentHeaderBytes) / 3;
    const auto second = kSegmentHeaderBytes + record;
    {
        std::fstream file(segment, std::ios::in | std::ios::out | std::ios::binary);
        file.seekp(static_cast<std::streamoff>(second + record - 1));  // its last payload byte
        char byte = 0;
        file.read(&byte, 1);
        byte = static_cast<char>(byte ^ 0x01);
        file.seekp(static_cast<std::streamoff>(second + record - 1));
        file.write(&byte, 1);
    }
    JournalReader reader(dir.path(), 1);
    ASSERT_TRUE(reader.next(3).has_value());
    try {
        reader.next(3);
        FAIL() << "a corrupt record was accepted";
    } catch (const JournalError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("checksum"), std::string::npos) << what;
        EXPECT_NE(what.find(segment.string()), std::string::npos) << what;
        EXPECT_NE(what.find("offset " + std::to_string(second)), std::string::npos) << what;
    }
}

TEST(JournalReader, RefusesALengthThatRunsPastTheFile) {
    TempDir dir;
    write_deposits(dir.path(), 2, 64 << 20);
    const auto segment = list_segments(dir.path()).front().second;
    {
        std::fstream file(segment, std::ios::in | std::ios::out | std::ios::binary);
        file.seekp(static_cast<std::streamoff>(kSegmentHeaderBytes));
        const std::uint32_t huge = 0xFFFFFF00u;
        file.write(reinterpret_cast<const char*>(&huge), 4);
    }
    JournalReader reader(dir.path(), 1);
    EXPECT_THROW(reader.next(2), JournalError);  // and no 4 GiB buffer on the way
}

// A rollover whose new segment cannot be created is a write error like any other: write()
// says false, leaves no header-less file, and the same bytes go out once the disk allows it.
TEST(JournalWriter, AFailedRolloverIsRetriedNotThrown) {
    TempDir dir;
    JournalWriter writer(dir.path(), 1, FsyncPolicy::None, 64);  // every write rolls over
    writer.append(1, 1, Deposit{1, 0, 1}, {});
    ASSERT_TRUE(writer.write());
    writer.append(2, 2, Deposit{1, 0, 2}, {});
    // A directory where the next segment's file must go: creating it fails (even for root).
    const auto blocked = segment_path(dir.path(), 2);
    std::filesystem::create_directory(blocked);
    EXPECT_FALSE(writer.write());
    EXPECT_FALSE(writer.last_error().empty());
    EXPECT_FALSE(writer.write());
    std::filesystem::remove(blocked);
    ASSERT_TRUE(writer.write());
    JournalReader reader(dir.path(), 1);
    EXPECT_EQ(reader.next(2)->sequence, 1u);
    EXPECT_EQ(reader.next(2)->sequence, 2u);
}

}  // namespace
}  // namespace xtrader
