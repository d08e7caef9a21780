#include "xtrader/api/static_files.hpp"

#include <spdlog/spdlog.h>

#include <fstream>
#include <iterator>

namespace xtrader::api {

namespace {

int hex_digit(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string_view mime_type(std::string_view name) noexcept {
    const auto dot = name.rfind('.');
    const auto ext = dot == std::string_view::npos ? std::string_view{} : name.substr(dot);
    if (ext == ".html") return "text/html; charset=utf-8";
    if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
    if (ext == ".css") return "text/css; charset=utf-8";
    if (ext == ".json" || ext == ".map") return "application/json";
    if (ext == ".svg") return "image/svg+xml";
    if (ext == ".png") return "image/png";
    if (ext == ".ico") return "image/x-icon";
    if (ext == ".woff2") return "font/woff2";
    if (ext == ".txt" || ext == ".yaml") return "text/plain; charset=utf-8";
    return "application/octet-stream";
}

constexpr std::size_t kMaxPath = 1024;

}  // namespace

std::optional<std::string> static_key(std::string_view path) {
    if (path.empty() || path.front() != '/' || path.size() > kMaxPath) return std::nullopt;
    std::string key;
    key.reserve(path.size());
    std::size_t segment = 0;  // where the current segment starts in key
    const auto segment_ok = [&] {
        const std::string_view s(key.data() + segment, key.size() - segment);
        return !s.empty() && s != "." && s != "..";
    };
    for (std::size_t i = 1; i < path.size(); ++i) {
        char c = path[i];
        if (c == '/') {
            if (!segment_ok()) return std::nullopt;
            key.push_back('/');
            segment = key.size();
            continue;
        }
        if (c == '%') {
            if (i + 2 >= path.size()) return std::nullopt;
            const int high = hex_digit(path[i + 1]), low = hex_digit(path[i + 2]);
            if (high < 0 || low < 0) return std::nullopt;
            c = static_cast<char>(high * 16 + low);
            i += 2;
            if (c == '/') return std::nullopt;  // an encoded separator is never a plain path
        }
        if (c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return std::nullopt;
        key.push_back(c);
    }
    // "/" alone is the site's root; otherwise the last segment must be a name too.
    if (!key.empty() && !segment_ok()) return std::nullopt;
    return key;
}

StaticFiles StaticFiles::load(const std::filesystem::path& root, Limits limits) {
    namespace fs = std::filesystem;
    StaticFiles out;
    std::error_code ec;
    if (root.empty() || !fs::is_directory(root, ec)) return out;
    std::size_t total = 0;
    // Symbolic links are neither followed into directories nor read as files: nothing outside
    // the root can be reached through one.
    fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
    for (const fs::recursive_directory_iterator end; !ec && it != end; it.increment(ec)) {
        const auto status = it->symlink_status(ec);
        if (ec || !fs::is_regular_file(status)) continue;
        const auto size = it->file_size(ec);
        const auto relative = it->path().lexically_relative(root).generic_string();
        if (ec || size > limits.file_bytes || total + size > limits.total_bytes ||
            out.files_.size() >= limits.files) {
            spdlog::warn("web root: {} left out (over the size or count limit)", relative);
            continue;
        }
        std::ifstream in(it->path(), std::ios::binary);
        std::string content{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
        if (!in.good() && !in.eof()) continue;
        total += content.size();
        const auto type = mime_type(relative);
        const bool immutable = relative.starts_with("assets/");
        out.files_.emplace(relative, File{std::move(content), type, immutable});
    }
    if (ec) spdlog::warn("web root {}: {}", root.string(), ec.message());
    spdlog::info("web root {}: {} files, {} bytes", root.string(), out.files_.size(), total);
    return out;
}

const StaticFiles::File* StaticFiles::find(std::string_view path) const {
    const auto key = static_key(path);
    if (!key) return nullptr;
    const auto lookup = [&](const std::string& name) -> const File* {
        const auto found = files_.find(name);
        return found != files_.end() ? &found->second : nullptr;
    };
    if (key->empty()) return lookup("index.html");
    if (const auto* file = lookup(*key)) return file;
    if (const auto* index = lookup(*key + "/index.html")) return index;
    const auto last = key->substr(key->rfind('/') + 1);
    if (last.find('.') == std::string::npos) return lookup("index.html");
    return nullptr;
}

}  // namespace xtrader::api
