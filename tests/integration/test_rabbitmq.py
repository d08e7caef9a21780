"""The notification pipeline against the real RabbitMQ of scripts/services.sh: journal -> the
topic exchange market-notifications (an exchange of the test's own), routing keys
execution.<SYMBOL> and orderbook.<SYMBOL>, publisher confirms before the cursor moves. A queue of
the test's own, bound to both, reads what a WebSocket gateway would."""
import json
import signal
import time
import uuid

import pika
import pytest

from conftest import ALICE, BOB, Daemon
from load import crossing_pairs, fund
from services import services, wait_until
from test_persistence import Load, pipeline_state

AMQP = "amqp://guest:guest@127.0.0.1:17672/"


class Exchange:
    """An exchange and a durable queue bound to all of it, of the test's own."""

    def __init__(self):
        self.name = "market-notifications-" + uuid.uuid4().hex[:10]
        self.queue = "test." + self.name
        self.received = []

    def flags(self):
        return ["--rabbitmq", AMQP, "--rabbitmq-exchange", self.name, "--probe-interval", "300"]

    def bind(self):
        with pika.BlockingConnection(pika.URLParameters(AMQP)) as connection:
            channel = connection.channel()
            channel.exchange_declare(self.name, "topic", durable=True)
            channel.queue_declare(self.queue, durable=True)
            for pattern in ("execution.*", "orderbook.*"):
                channel.queue_bind(self.queue, self.name, pattern)

    def drain(self):
        """Takes what the queue holds now; returns every (routing key, message) taken so far."""
        with pika.BlockingConnection(pika.URLParameters(AMQP)) as connection:
            channel = connection.channel()
            held = channel.queue_declare(self.queue, durable=True, passive=True)
            left = held.method.message_count
            channel.basic_qos(prefetch_count=5000)
            for method, _, body in channel.consume(self.queue, auto_ack=True,
                                                   inactivity_timeout=2):
                if method is None:
                    break
                self.received.append((method.routing_key, json.loads(body)))
                left -= 1
                if left <= 0:
                    break
            channel.cancel()
        return self.received

    def delete(self):
        try:
            with pika.BlockingConnection(pika.URLParameters(AMQP)) as connection:
                channel = connection.channel()
                channel.queue_delete(self.queue)
                channel.exchange_delete(self.name)
        except pika.exceptions.AMQPError:
            pass


@pytest.fixture
def exchange():
    e = Exchange()
    e.bind()  # before any daemon: the queue takes everything from the first message
    yield e
    e.delete()


def executions(received):
    return [m for key, m in received if key == "execution.BTC-KRW"]


def book_changes(received):
    return [m for key, m in received if key == "orderbook.BTC-KRW"]


def test_every_execution_and_book_change_reaches_the_exchange(data_dir, exchange):
    daemon = Daemon(data_dir, *exchange.flags()).start()
    try:
        fund(daemon.port, 3000)
        fills, _ = crossing_pairs(daemon.port, 2000, ALICE, BOB)
        wait_until(lambda: pipeline_state(daemon, "rabbitmq")["lag"] == 0, 60, "all confirmed")
        received = exchange.drain()
        assert {key for key, _ in received} == {"execution.BTC-KRW", "orderbook.BTC-KRW"}
        trades = executions(received)
        assert [int(m["exec_id"]) for m in trades] == list(range(1, fills + 1))  # in order, once
        assert all(m["type"] == "Execution" and m["symbol"] == "BTC-KRW" for m in trades)
        changes = book_changes(received)
        # The book's version grows by one per change: a reader sees any it missed.
        assert [m["version"] for m in changes] == list(range(1, len(changes) + 1))
        sequences = [m["sequence"] for _, m in received]
        assert sequences == sorted(sequences)
        _, book, _ = daemon.client().get("/api/v1/orderbook/BTC-KRW")
        assert book["version"] == changes[-1]["version"]
        assert pipeline_state(daemon, "rabbitmq")["state"] == "healthy"
    finally:
        daemon.stop()


@pytest.mark.fault
def test_rabbitmq_outage_delays_no_order_and_loses_no_event(data_dir, exchange):
    daemon = Daemon(data_dir, *exchange.flags()).start()
    try:
        load = Load(daemon, 2_000_000)
        wait_until(lambda: len(executions(exchange.drain())) > 500, 60, "executions flowing")
        services("down", "rabbitmq")
        down_at = time.monotonic()
        try:
            wait_until(lambda: pipeline_state(daemon, "rabbitmq")["state"] == "degraded", 30,
                       "the publisher degraded")
            before = pipeline_state(daemon, "rabbitmq")["cursor"]
            time.sleep(max(0.0, 20 - (time.monotonic() - down_at)))  # 20 s without RabbitMQ
            now = pipeline_state(daemon, "rabbitmq")
            assert now["state"] == "degraded" and now["cursor"] == before
            assert now["spooled_events"] > 1000  # orders kept coming: the journal holds them
        finally:
            services("up", "rabbitmq")
        fills, statuses = load.finish()
        assert set(statuses) == {200}, statuses  # the outage never reached a client
        wait_until(lambda: pipeline_state(daemon, "rabbitmq")["state"] == "healthy", 60,
                   "healthy again")
        wait_until(lambda: pipeline_state(daemon, "rabbitmq")["lag"] == 0, 60, "replayed")
        # Transient messages still queued when the broker stopped may be gone (the gateways
        # resync on the version gap); everything from the publisher's cursor on is there. The
        # queue holds hundreds of thousands of messages by now, and a drain ends at a pause of
        # the broker's: drain until all have come, or time out.
        def replayed():
            received = exchange.drain()
            seen = {int(m["exec_id"]) for m in executions(received)}
            after = [int(m["exec_id"]) for m in executions(received) if m["sequence"] > before]
            return received, seen, min(after, default=None)

        def complete():
            _, seen, first = replayed()
            return first is not None and set(range(first, fills + 1)) <= seen

        wait_until(complete, 180, "every execution from the publisher's cursor on")
        received, seen, first_replayed = replayed()
        assert set(range(first_replayed, fills + 1)) <= seen
        versions = [m["version"] for m in book_changes(received) if m["sequence"] > before]
        assert sorted(set(versions)) == list(range(versions[0], max(versions) + 1))
        _, book, _ = daemon.client().get("/api/v1/orderbook/BTC-KRW")
        assert book["version"] == max(versions)
    finally:
        daemon.stop()


@pytest.mark.fault
def test_daemon_killed_while_rabbitmq_down_replays_from_its_cursor(data_dir, exchange):
    flags = exchange.flags()
    daemon = Daemon(data_dir, *flags).start()
    try:
        fund(daemon.port, 4000)
        first, _ = crossing_pairs(daemon.port, 1000, ALICE, BOB)
        wait_until(lambda: pipeline_state(daemon, "rabbitmq")["lag"] == 0, 60, "published")
        assert len(executions(exchange.drain())) == first
        services("down", "rabbitmq")
        try:
            second, _ = crossing_pairs(daemon.port, 1000, ALICE, BOB)
            wait_until(lambda: pipeline_state(daemon, "rabbitmq")["state"] == "degraded", 30,
                       "the publisher degraded")
            daemon.stop(signal.SIGKILL)
        finally:
            services("up", "rabbitmq")
        daemon = Daemon(data_dir, *flags).start()
        wait_until(lambda: pipeline_state(daemon, "rabbitmq")["lag"] == 0, 60, "replayed")
        trades = executions(exchange.drain())
        assert sorted({int(m["exec_id"]) for m in trades}) == list(range(1, first + second + 1))
    finally:
        daemon.stop()
