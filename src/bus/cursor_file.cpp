#include "xtrader/bus/cursor_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <system_error>

namespace xtrader {

CursorFile::CursorFile(std::filesystem::path path) : path_(std::move(path)) {
    std::filesystem::create_directories(path_.parent_path());
}

Sequence CursorFile::load() const {
    std::ifstream in(path_);
    if (!in) return 0;
    std::string text;
    std::getline(in, text);
    Sequence sequence = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), sequence);
    if (ec != std::errc{} || end != text.data() + text.size()) {
        throw std::runtime_error("cursor file " + path_.string() + " does not hold a sequence");
    }
    return sequence;
}

void CursorFile::store(Sequence sequence) {
    const auto aside = path_.string() + ".new";
    const std::string text = std::to_string(sequence) + "\n";
    const int fd = ::open(aside.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw std::system_error(errno, std::generic_category(), aside);
    const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    const int error = written && ::fdatasync(fd) == 0 ? 0 : (errno != 0 ? errno : EIO);
    ::close(fd);
    if (error != 0) throw std::system_error(error, std::generic_category(), aside);
    if (::rename(aside.c_str(), path_.c_str()) != 0) {
        throw std::system_error(errno, std::generic_category(), path_.string());
    }
}

}  // namespace xtrader
