// The otsync commands' client of the running `otsync serve` of a data dir (docs/console-api.md):
// found through <data-dir>/serve.json, signed in with the CLI token of
// <data-dir>/console/cli.token, JSON over loopback HTTP.
//
// An error response's {"error": {"code", "message"}} becomes a Status with the server's message
// and the code's StatusCode (invalid_argument → kInvalidArgument, not_found → kNotFound,
// already_exists → kAlreadyExists, unauthenticated and forbidden → kAuthFailed, ...). The token
// goes only into the Authorization header: no message, log line or accessor holds it.
//
// Thread safety: one ServeClient per thread.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "base/result.h"

namespace otsync::tools {

struct ServeClientOptions {
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds read_timeout{60000};
};

class ServeClient {
 public:
  // The server of `data_dir`. kNotFound "no otsync serve is running for DIR ...; start one with:
  // otsync serve --data-dir DIR" when serve.json is missing or names a process that has ended;
  // an error naming cli.token when the token cannot be read.
  static Result<ServeClient> Connect(const std::string& data_dir,
                                     const ServeClientOptions& options = {});
  // A server at `url` ("http://HOST:PORT"), signed in with `token`.
  static Result<ServeClient> ForUrl(const std::string& url, std::string token,
                                    const ServeClientOptions& options = {});

  ServeClient(ServeClient&&) noexcept;
  ServeClient& operator=(ServeClient&&) noexcept;
  ~ServeClient();

  // `path` begins with "/api/"; `query` values are percent-encoded here. The response's JSON
  // body (an empty object for an empty body), or the error it carried.
  Result<nlohmann::json> Get(std::string_view path,
                             const std::map<std::string, std::string>& query = {});
  Result<nlohmann::json> Post(std::string_view path, const nlohmann::json& body);
  Result<nlohmann::json> Put(std::string_view path, const nlohmann::json& body);
  Result<nlohmann::json> Delete(std::string_view path);

  const std::string& url() const { return url_; }

 private:
  struct Connection;
  ServeClient(std::string url, std::unique_ptr<Connection> connection);
  Result<nlohmann::json> Send(std::string_view method, std::string_view path,
                              const nlohmann::json* body);

  std::string url_;
  std::unique_ptr<Connection> connection_;
};

// The Status for an error response of the console API: the message of its
// {"error": {"code", "message"}} body, with the code's StatusCode (the HTTP status decides when
// the body is not of that shape).
Status StatusFromErrorResponse(int http_status, std::string_view body);

// "a b/c" → "a%20b%2Fc": everything but unreserved characters escaped, for a path segment or a
// query value.
std::string PercentEncode(std::string_view text);

}  // namespace otsync::tools
