// Hands the HTTP answers produced on the sequencer's completion thread to the io threads in one
// post per batch, instead of one per answer: each post from outside the io threads may wake one
// of them through the kernel, and at tens of thousands of orders a second those wake-ups cost
// more than the answers. Answers made on an io thread (no engine round trip) go out directly.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <functional>
#include <thread>
#include <vector>

#include "xtrader/sequencer/sequencer.hpp"

namespace xtrader::api {

class ReplyRelay final : public CommitObserver {
  public:
    explicit ReplyRelay(boost::asio::io_context& io) : io_(io) {}

    // Runs `send` on an io thread: at the end of the batch when called during one, else now.
    void relay(std::function<void()> send) {
        if (std::this_thread::get_id() == completion_thread_.load(std::memory_order_relaxed)) {
            pending_.push_back(std::move(send));
        } else {
            send();
        }
    }

    void on_committed(const CommandReply&) override {
        completion_thread_.store(std::this_thread::get_id(), std::memory_order_relaxed);
    }
    void on_batch_answered() override {
        if (pending_.empty()) return;
        boost::asio::post(io_, [sends = std::move(pending_)] {
            for (const auto& send : sends) send();
        });
        pending_.clear();
    }

  private:
    boost::asio::io_context& io_;
    std::atomic<std::thread::id> completion_thread_{};
    std::vector<std::function<void()>> pending_;  // completion thread only
};

}  // namespace xtrader::api
