#include "xtrader/sequencer/snapshot.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <fstream>

#include "xtrader/sequencer/crc32c.hpp"
#include "xtrader/sequencer/journal.hpp"

namespace xtrader {

namespace {

constexpr char kSnapshotMagic[8] = {'X', 'T', 'R', 'S', 'N', 'A', 'P', '1'};
constexpr std::size_t kHeaderBytes = 32;
constexpr std::size_t kSnapshotsKept = 2;

void write_all(int fd, const std::byte* data, std::size_t n, const std::string& path) {
    while (n > 0) {
        const ssize_t w = ::write(fd, data, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) throw JournalError("write " + path + ": " + std::strerror(errno));
        data += w;
        n -= static_cast<std::size_t>(w);
    }
}

std::filesystem::path snapshot_path(const std::filesystem::path& dir, Sequence sequence) {
    char name[64];
    std::snprintf(name, sizeof name, "snapshot-%020llu.bin",
                  static_cast<unsigned long long>(sequence));
    return dir / name;
}

}  // namespace

void write_snapshot(const std::filesystem::path& dir, Sequence last_sequence,
                    std::span<const std::byte> state) {
    std::filesystem::create_directories(dir);
    const auto final_path = snapshot_path(dir, last_sequence);
    const auto temp_path = final_path.string() + ".tmp";
    const int fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw JournalError("create " + temp_path + ": " + std::strerror(errno));

    std::byte header[kHeaderBytes] = {};
    const std::uint64_t length = state.size();
    const std::uint32_t crc = crc32c(state);
    std::memcpy(header, kSnapshotMagic, 8);
    std::memcpy(header + 8, &last_sequence, 8);
    std::memcpy(header + 16, &length, 8);
    std::memcpy(header + 24, &crc, 4);
    try {
        write_all(fd, header, sizeof header, temp_path);
        write_all(fd, state.data(), state.size(), temp_path);
        if (::fsync(fd) != 0)
            throw JournalError("fsync " + temp_path + ": " + std::strerror(errno));
    } catch (...) {
        ::close(fd);
        std::filesystem::remove(temp_path);
        throw;
    }
    ::close(fd);
    std::filesystem::rename(temp_path, final_path);
    if (const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
    const auto snapshots = list_snapshots(dir);
    for (std::size_t i = kSnapshotsKept; i < snapshots.size(); ++i) {
        std::error_code ec;
        std::filesystem::remove(snapshots[i].second, ec);
    }
}

std::vector<std::pair<Sequence, std::filesystem::path>> list_snapshots(
    const std::filesystem::path& dir) {
    std::vector<std::pair<Sequence, std::filesystem::path>> snapshots;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (!name.starts_with("snapshot-") || !name.ends_with(".bin")) continue;
        Sequence sequence = 0;
        const char* begin = name.data() + 9;
        const char* end = name.data() + name.size() - 4;
        const auto [ptr, err] = std::from_chars(begin, end, sequence);
        if (err != std::errc{} || ptr != end) continue;
        snapshots.emplace_back(sequence, entry.path());
    }
    std::sort(snapshots.begin(), snapshots.end(),
              [](const auto& a, const auto& b) { return a.first > b.first; });
    return snapshots;
}

std::optional<std::vector<std::byte>> read_snapshot(const std::filesystem::path& path,
                                                    Sequence expected_sequence) {
    std::ifstream in(path, std::ios::binary);
    std::byte header[kHeaderBytes];
    if (!in.read(reinterpret_cast<char*>(header), sizeof header)) return std::nullopt;
    Sequence sequence;
    std::uint64_t length;
    std::uint32_t crc;
    std::memcpy(&sequence, header + 8, 8);
    std::memcpy(&length, header + 16, 8);
    std::memcpy(&crc, header + 24, 4);
    if (std::memcmp(header, kSnapshotMagic, 8) != 0 || sequence != expected_sequence ||
        length > (std::uint64_t{1} << 40)) {
        return std::nullopt;
    }
    std::vector<std::byte> state(length);
    if (!in.read(reinterpret_cast<char*>(state.data()), static_cast<std::streamsize>(length)) ||
        crc32c(state) != crc) {
        return std::nullopt;
    }
    return state;
}

}  // namespace xtrader
