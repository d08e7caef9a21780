// The static-file key of a request path: whatever it is, the key is a plain relative path with
// no way up or out (no "..", no absolute part, no separator or NUL smuggled in by encoding).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "xtrader/api/static_files.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view path(reinterpret_cast<const char*>(data), size);
    const auto key = xtrader::api::static_key(path);
    if (!key) return 0;
    const std::string_view k = *key;
    const bool bad = k.starts_with('/') || k.find("//") != std::string_view::npos ||
                     k.find('\0') != std::string_view::npos ||
                     k.find('\\') != std::string_view::npos || k == ".." || k.starts_with("../") ||
                     k.find("/../") != std::string_view::npos || k.ends_with("/..") ||
                     k.ends_with('/');
    if (bad) std::abort();
    return 0;
}
