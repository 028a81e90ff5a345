// The console's browser side: GET / serves index.html and GET /ui/{file} the other files, from
// the copies embedded in the binary at build time (src/console/ui/, embed_ui_assets.cmake), or,
// for development, from a folder read at every request (otsync serve --ui-dir DIR). Nothing is
// fetched from the network; the page obeys the strict Content-Security-Policy (no inline script
// or style).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "console/api_router.h"

namespace otsync::console {

struct UiAsset {
  std::string_view name;  // "index.html", a file name without folders.
  std::string_view content;
};

// The files of src/console/ui/ at build time (generated source).
const std::vector<UiAsset>& EmbeddedUiAssets();

// "text/html; charset=utf-8" etc. by extension; application/octet-stream when unknown.
std::string_view ContentTypeFor(std::string_view name);

// GET / and GET /ui/{file}: from `ui_dir` when not empty, else the embedded files.
void AddPageRoutes(ApiRouter& router, std::string ui_dir);

}  // namespace otsync::console
