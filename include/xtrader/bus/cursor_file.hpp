// A publisher's durable position: the last journal sequence its broker acknowledged, in a small
// file of its own. store() replaces the file atomically (write aside, fdatasync, rename), so a
// crash leaves the old position or the new one, never a torn one; an older position only means
// replaying what the broker already has, which the publisher recognises.
#pragma once

#include <filesystem>

#include "xtrader/core/types.hpp"

namespace xtrader {

class CursorFile {
  public:
    explicit CursorFile(std::filesystem::path path);

    // 0 when the file does not exist yet; throws when it exists but does not parse.
    Sequence load() const;
    // Throws std::system_error when the file cannot be written.
    void store(Sequence sequence);

  private:
    std::filesystem::path path_;
};

}  // namespace xtrader
