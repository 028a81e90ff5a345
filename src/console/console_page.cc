#include "console/console_page.h"

#include "base/durable_file.h"

namespace otsync::console {
namespace {

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// Plain file names only: no folder, no "..", no hidden file.
bool IsPlainFileName(std::string_view name) {
  if (name.empty() || name.front() == '.') return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

ApiResponse Asset(const std::string& ui_dir, std::string_view name) {
  if (IsPlainFileName(name)) {
    if (!ui_dir.empty()) {
      Result<std::string> content = ReadWholeFile(ui_dir + "/" + std::string(name));
      if (content.ok()) {
        ApiResponse response;
        response.body = std::move(*content);
        response.content_type = std::string(ContentTypeFor(name));
        response.headers.emplace_back("Cache-Control", "no-store");
        return response;
      }
    } else {
      for (const UiAsset& asset : EmbeddedUiAssets()) {
        if (asset.name != name) continue;
        ApiResponse response;
        response.body = std::string(asset.content);
        response.content_type = std::string(ContentTypeFor(name));
        response.headers.emplace_back("Cache-Control", "no-cache");
        return response;
      }
    }
  }
  return ApiResponse::Error(404, "not_found", "no such file: " + std::string(name));
}

}  // namespace

std::string_view ContentTypeFor(std::string_view name) {
  if (EndsWith(name, ".html")) return "text/html; charset=utf-8";
  if (EndsWith(name, ".js") || EndsWith(name, ".mjs")) return "text/javascript; charset=utf-8";
  if (EndsWith(name, ".css")) return "text/css; charset=utf-8";
  if (EndsWith(name, ".svg")) return "image/svg+xml";
  if (EndsWith(name, ".png")) return "image/png";
  if (EndsWith(name, ".json")) return "application/json";
  return "application/octet-stream";
}

void AddPageRoutes(ApiRouter& router, std::string ui_dir) {
  router.Add("GET", "/", Access::kPublic,
             [ui_dir](const ApiRequest&) { return Asset(ui_dir, "index.html"); });
  router.Add("GET", "/ui/{file}", Access::kPublic, [ui_dir](const ApiRequest& request) {
    return Asset(ui_dir, request.PathParam("file"));
  });
}

}  // namespace otsync::console
