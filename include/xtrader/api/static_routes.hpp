// GET of anything outside /v1/ and /api/: the trading screen's files, read into memory once at
// start (StaticFiles), so that no request touches the file system. Hashed assets are immutable,
// everything else is revalidated. Without a built screen, a short page that points at the API.
#pragma once

#include <filesystem>

#include "xtrader/api/rest_call.hpp"
#include "xtrader/api/static_files.hpp"

namespace xtrader::api {

class StaticRoutes {
  public:
    // web_root: empty or without files gives the built-in page.
    explicit StaticRoutes(const std::filesystem::path& web_root);

    void serve(const RestCallPtr& call) const;

  private:
    StaticFiles files_;
};

}  // namespace xtrader::api
