#include "xtrader/app/roles.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

namespace xtrader::app {

void wait_for_stop_signal() {
    boost::asio::io_context io;
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([](const boost::system::error_code&, int) {});
    io.run();  // returns once the signal's handler has run
}

}  // namespace xtrader::app
