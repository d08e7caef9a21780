// The web front's files, read into memory once at start, so that no request ever reaches the
// file system: a request path is only a key into a table of the regular files that were under
// the web root when the daemon started (symbolic links are not followed, special files and
// anything past the size limits are left out). What the table does not hold is 404.
//
// Immutable after load(); find() is safe from any thread.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace xtrader::api {

// The relative key of a request path ("/assets/app.js" -> "assets/app.js", "/" -> ""), or
// nullopt for anything that is not a plain path: not starting with '/', a percent-encoded '/',
// '\' or NUL, a control byte, a bad escape, an empty, "." or ".." segment, or longer than 1024.
// Pure; the static-path fuzz target calls it.
std::optional<std::string> static_key(std::string_view path);

class StaticFiles {
  public:
    struct File {
        std::string content;
        std::string_view type;   // Content-Type
        bool immutable = false;  // under assets/: content-hashed names, cached for a year
    };

    struct Limits {
        std::size_t file_bytes = 16 << 20;
        std::size_t total_bytes = 64 << 20;
        std::size_t files = 4096;
    };

    StaticFiles() = default;  // empty: every path misses
    // Reads every regular file below root; logs what it leaves out. An unreadable or missing
    // root gives an empty table.
    static StaticFiles load(const std::filesystem::path& root, Limits limits);

    // The file for a request path: the exact file, a directory's index.html, or for a path
    // without an extension the site's index.html (the single-page app routes itself).
    const File* find(std::string_view path) const;
    bool empty() const noexcept { return files_.empty(); }

  private:
    std::unordered_map<std::string, File> files_;  // by static_key
};

}  // namespace xtrader::api
