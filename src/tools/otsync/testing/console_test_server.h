// For tests of the otsync commands that talk to `otsync serve`: the console's real request
// pipeline (guard, CLI-token authentication, JSON errors) and listener on a loopback port, with
// routes a test adds, and the serve.json and cli.token files a command finds it by.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "console/api_types.h"
#include "console/console_api.h"
#include "console/console_auth.h"
#include "console/console_credentials.h"
#include "console/http_listener.h"
#include "console/serve_state_file.h"

namespace otsync::tools::testing {

class ConsoleTestServer {
 public:
  // An admin password hash that no password matches: tests sign in with the token only.
  explicit ConsoleTestServer(std::string token = "test-cli-token-0123456789abcdef")
      : token_(std::move(token)),
        auth_("scrypt$10$8$1$00$00", token_, DefaultClock()),
        listener_(Bind()),
        api_(console::RequestOriginGuard({"127.0.0.1", 0}, listener_->port(), {}), &auth_) {}

  // Routes are added before Start.
  console::ApiRouter& router() { return api_.router(); }
  void Start() { listener_->Serve(&api_); }

  int port() const { return listener_->port(); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port()); }
  const std::string& token() const { return token_; }

  // serve.json naming this process (whose name must contain "otsync" to count as running) and
  // a cli.token with the server's token.
  void WriteStateFiles(const std::string& data_dir) const {
    console::ServeState state{::getpid(), url(), "127.0.0.1:" + std::to_string(port())};
    if (!console::WriteServeState(data_dir, state).ok()) std::abort();
    std::string dir = console::ConsoleDir(data_dir);
    ::mkdir(dir.c_str(), 0700);
    FILE* file = std::fopen((dir + "/cli.token").c_str(), "w");
    if (file == nullptr) std::abort();
    std::fputs((token_ + "\n").c_str(), file);
    std::fclose(file);
  }

  // Every request a route saw: "METHOD PATH" and its body.
  struct Seen {
    std::string method;
    std::string path;
    std::map<std::string, std::string> query;
    std::string body;
  };
  void Record(const console::ApiRequest& request) {
    std::lock_guard lock(mutex_);
    seen_.push_back({request.method, request.path, request.query, request.body});
  }
  std::vector<Seen> seen() {
    std::lock_guard lock(mutex_);
    return seen_;
  }

 private:
  static std::unique_ptr<console::HttpListener> Bind() {
    console::HttpListenerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    Result<std::unique_ptr<console::HttpListener>> listener = console::HttpListener::Bind(options);
    if (!listener.ok()) std::abort();
    return std::move(*listener);
  }

  std::string token_;
  console::ConsoleAuth auth_;
  std::unique_ptr<console::HttpListener> listener_;
  console::ConsoleApi api_;
  std::mutex mutex_;
  std::vector<Seen> seen_;
};

}  // namespace otsync::tools::testing
