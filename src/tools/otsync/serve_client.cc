#include "tools/otsync/serve_client.h"

#include <httplib.h>

#include <cstdio>
#include <utility>

#include "console/console_credentials.h"
#include "console/serve_state_file.h"

namespace otsync::tools {
namespace {

StatusCode CodeOfApiError(std::string_view code, int http_status) {
  if (code == "invalid_argument") return StatusCode::kInvalidArgument;
  if (code == "not_found") return StatusCode::kNotFound;
  if (code == "already_exists") return StatusCode::kAlreadyExists;
  if (code == "conflict") return StatusCode::kFailedPrecondition;
  if (code == "unauthenticated" || code == "wrong_password" || code == "forbidden" ||
      code == "csrf_mismatch") {
    return StatusCode::kAuthFailed;
  }
  if (code == "method_not_allowed") return StatusCode::kMethodNotAllowed;
  if (code == "request_too_large") return StatusCode::kRequestTooLarge;
  if (code == "too_many_requests") return StatusCode::kQuotaExhausted;
  if (code == "unsupported") return StatusCode::kUnsupported;
  if (code == "unavailable") return StatusCode::kUnavailable;
  if (code == "internal") return StatusCode::kInternal;
  switch (http_status) {
    case 400:
    case 415:
      return StatusCode::kInvalidArgument;
    case 401:
    case 403:
      return StatusCode::kAuthFailed;
    case 404:
      return StatusCode::kNotFound;
    case 405:
      return StatusCode::kMethodNotAllowed;
    case 409:
      return StatusCode::kAlreadyExists;
    case 413:
      return StatusCode::kRequestTooLarge;
    case 429:
      return StatusCode::kQuotaExhausted;
    case 501:
      return StatusCode::kUnsupported;
    case 503:
      return StatusCode::kUnavailable;
    default:
      return StatusCode::kInternal;
  }
}

}  // namespace

struct ServeClient::Connection {
  Connection(const std::string& url, const std::string& token) : client(url) {
    client.set_bearer_token_auth(token);
  }
  httplib::Client client;
};

ServeClient::ServeClient(std::string url, std::unique_ptr<Connection> connection)
    : url_(std::move(url)), connection_(std::move(connection)) {}
ServeClient::ServeClient(ServeClient&&) noexcept = default;
ServeClient& ServeClient::operator=(ServeClient&&) noexcept = default;
ServeClient::~ServeClient() = default;

Result<ServeClient> ServeClient::Connect(const std::string& data_dir,
                                         const ServeClientOptions& options) {
  OTSYNC_ASSIGN_OR_RETURN(console::ServeState state, console::FindRunningServer(data_dir));
  Result<std::string> token = console::ReadCliToken(data_dir);
  if (!token.ok() || token->empty()) {
    return Status::Unavailable(
        "otsync serve runs for " + data_dir + " (pid " + std::to_string(state.pid) +
        ") but its CLI token " + console::ConsoleDir(data_dir) + "/cli.token cannot be read" +
        (token.ok() ? std::string(" (empty)") : " (" + token.status().message() + ")") +
        "; run otsync as the user who started the server");
  }
  return ForUrl(state.url, std::move(*token), options);
}

Result<ServeClient> ServeClient::ForUrl(const std::string& url, std::string token,
                                        const ServeClientOptions& options) {
  if (!url.starts_with("http://")) {
    return Status::InvalidArgument("otsync serve's address must be http://HOST:PORT, got '" + url +
                                   "'");
  }
  auto connection = std::make_unique<Connection>(url, token);
  if (!connection->client.is_valid()) {
    return Status::InvalidArgument("otsync serve's address is not usable: '" + url + "'");
  }
  connection->client.set_connection_timeout(options.connect_timeout);
  connection->client.set_read_timeout(options.read_timeout);
  connection->client.set_write_timeout(options.read_timeout);
  return ServeClient(url, std::move(connection));
}

Result<nlohmann::json> ServeClient::Get(std::string_view path,
                                        const std::map<std::string, std::string>& query) {
  std::string target(path);
  char separator = '?';
  for (const auto& [name, value] : query) {
    target += separator;
    target += PercentEncode(name) + "=" + PercentEncode(value);
    separator = '&';
  }
  return Send("GET", target, nullptr);
}

Result<nlohmann::json> ServeClient::Post(std::string_view path, const nlohmann::json& body) {
  return Send("POST", path, &body);
}

Result<nlohmann::json> ServeClient::Put(std::string_view path, const nlohmann::json& body) {
  return Send("PUT", path, &body);
}

Result<nlohmann::json> ServeClient::Delete(std::string_view path) {
  return Send("DELETE", path, nullptr);
}

Result<nlohmann::json> ServeClient::Send(std::string_view method, std::string_view path,
                                         const nlohmann::json* body) {
  httplib::Client& client = connection_->client;
  const std::string target(path);
  const std::string payload = body ? body->dump() : std::string();
  auto request = [&]() -> httplib::Result {
    if (method == "GET") return client.Get(target);
    if (method == "POST") return client.Post(target, payload, "application/json");
    if (method == "PUT") return client.Put(target, payload, "application/json");
    return client.Delete(target);
  };
  httplib::Result result = request();
  if (!result) {
    return Status::Unavailable("cannot reach otsync serve at " + url_ + " (" + std::string(method) +
                               " " + target.substr(0, target.find('?')) +
                               "): " + httplib::to_string(result.error()));
  }
  if (result->status < 200 || result->status >= 300) {
    return StatusFromErrorResponse(result->status, result->body);
  }
  if (result->body.empty()) return nlohmann::json::object();
  nlohmann::json parsed = nlohmann::json::parse(result->body, nullptr, false);
  if (parsed.is_discarded()) {
    return Status::Corruption("otsync serve at " + url_ + " answered " + target +
                              " with a body that is not JSON");
  }
  return parsed;
}

Status StatusFromErrorResponse(int http_status, std::string_view body) {
  nlohmann::json parsed = nlohmann::json::parse(body, nullptr, false);
  std::string code;
  std::string message;
  if (parsed.is_object() && parsed.contains("error") && parsed["error"].is_object()) {
    const nlohmann::json& error = parsed["error"];
    if (error.contains("code") && error["code"].is_string()) code = error["code"];
    if (error.contains("message") && error["message"].is_string()) message = error["message"];
  }
  if (message.empty()) {
    message = "otsync serve answered HTTP " + std::to_string(http_status);
    if (!code.empty()) message += " (" + code + ")";
  }
  if (http_status == 401) {
    message += " — the CLI token was refused: the server may have restarted; try again";
  }
  return Status(CodeOfApiError(code, http_status), message);
}

std::string PercentEncode(std::string_view text) {
  std::string encoded;
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      encoded += static_cast<char>(c);
    } else {
      char escaped[4];
      std::snprintf(escaped, sizeof(escaped), "%%%02X", c);
      encoded += escaped;
    }
  }
  return encoded;
}

}  // namespace otsync::tools
