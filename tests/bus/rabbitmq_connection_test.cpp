#include "xtrader/bus/rabbitmq_connection.hpp"

#include <gtest/gtest.h>

namespace xtrader {
namespace {

TEST(AmqpUrl, ReadsEveryPartAndDefaultsTheRest) {
    std::string error;
    const auto full =
        parse_amqp_url("amqp://trader:p%40ss@broker.local:17672/exchange%2fprod", error);
    ASSERT_TRUE(full) << error;
    EXPECT_EQ(full->user, "trader");
    EXPECT_EQ(full->password, "p@ss");
    EXPECT_EQ(full->host, "broker.local");
    EXPECT_EQ(full->port, 17672);
    EXPECT_EQ(full->vhost, "exchange/prod");

    const auto bare = parse_amqp_url("amqp://127.0.0.1", error);
    ASSERT_TRUE(bare) << error;
    EXPECT_EQ(bare->host, "127.0.0.1");
    EXPECT_EQ(bare->port, 5672);
    EXPECT_EQ(bare->user, "guest");
    EXPECT_EQ(bare->vhost, "/");
    EXPECT_EQ(parse_amqp_url("amqp://h:1/%2f", error)->vhost, "/");
}

TEST(AmqpUrl, RefusesWhatIsNotOne) {
    for (const char* bad : {"", "http://h:1/", "amqp://", "amqp://h:0", "amqp://h:70000",
                            "amqp://h:12x", "amqp://u:%zz@h", "amqp://h/%4"}) {
        std::string error;
        EXPECT_FALSE(parse_amqp_url(bad, error)) << bad;
        EXPECT_FALSE(error.empty()) << bad;
    }
}

TEST(RabbitMqConnection, ABrokerThatIsNotThereIsAnErrorNotAHang) {
    // A port nothing listens on (the kernel refuses at once).
    RabbitMqConnection connection(
        {.host = "127.0.0.1", .port = 1, .timeout = std::chrono::milliseconds(500)});
    EXPECT_THROW(connection.open(), RabbitMqError);
    EXPECT_FALSE(connection.is_open());
    EXPECT_THROW(connection.publish("x", "y", "z"), RabbitMqError);
}

}  // namespace
}  // namespace xtrader
