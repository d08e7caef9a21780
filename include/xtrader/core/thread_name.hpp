// Names the calling thread (Linux keeps 15 characters; top -H, ps -L and perf show them), so
// that an operator and the benchmarks can tell the stages of the process apart. For the
// threads around the engine; the engine itself starts none.
#pragma once

#include <string_view>

namespace xtrader {

void name_this_thread(std::string_view name) noexcept;

}  // namespace xtrader
