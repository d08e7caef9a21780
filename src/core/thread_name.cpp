#include "xtrader/core/thread_name.hpp"

#include <pthread.h>

#include <algorithm>
#include <array>

namespace xtrader {

void name_this_thread(std::string_view name) noexcept {
    std::array<char, 16> text{};
    const auto n = std::min(name.size(), text.size() - 1);
    std::copy_n(name.data(), n, text.data());
    ::pthread_setname_np(::pthread_self(), text.data());
}

}  // namespace xtrader
