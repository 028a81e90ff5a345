#include "tools/otsd_admin.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "base/clock.h"
#include "client/http_transport.h"
#include "client/request_headers.h"
#include "proto/table_store.pb.h"
#include "server/admin_handlers.h"
#include "server/credentials.h"

namespace otsync::tools {
namespace {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;
constexpr char kSecretEnv[] = "OTSD_ADMIN_KEY_SECRET";

struct AdminFlags {
  std::string endpoint = "http://127.0.0.1:8800";
  std::string instance;
  std::string credentials_file;
  std::string key_id;
  std::string key_secret;
};

void AddConnectionOptions(CLI::App* command, AdminFlags* flags) {
  command->add_option("--endpoint", flags->endpoint, "otsd's address.")->capture_default_str();
  command->add_option("--instance", flags->instance,
                      "Instance the table belongs to (default: the credentials' first "
                      "instance, \"local\" without --credentials).");
  command->add_option("--credentials", flags->credentials_file,
                      "otsd's credentials file: its first admin key signs the request (or the "
                      "one named by --admin-key-id). Without it and without --admin-key-id, the "
                      "built-in development admin key is used.");
  command->add_option("--admin-key-id", flags->key_id, "Admin key id.");
  command->add_option("--admin-key-secret", flags->key_secret,
                      std::string("Admin key secret (prefer the ") + kSecretEnv +
                          " environment variable: flags show in process listings).");
}

// The admin key and instance the flags name. Messages never include a secret.
Result<std::pair<server::AccessKey, std::string>> ResolveKey(const AdminFlags& flags) {
  std::string secret = flags.key_secret;
  if (secret.empty()) {
    if (const char* from_env = std::getenv(kSecretEnv)) secret = from_env;
  }
  server::Credentials credentials;
  if (!flags.credentials_file.empty()) {
    OTSYNC_ASSIGN_OR_RETURN(credentials, server::LoadCredentialsFile(flags.credentials_file));
  } else if (flags.key_id.empty()) {
    credentials = server::DevelopmentCredentials();
  }
  std::string instance = flags.instance;
  if (instance.empty()) {
    instance = credentials.instances.empty() ? "local" : credentials.instances.front();
  }
  if (!flags.key_id.empty() && !secret.empty()) {
    return std::make_pair(server::AccessKey{flags.key_id, secret, {}}, instance);
  }
  const server::AccessKey* key = nullptr;
  if (!flags.key_id.empty()) {
    key = credentials.FindAdminKey(flags.key_id);
    if (key == nullptr) {
      return Status::InvalidArgument("no admin key \"" + flags.key_id +
                                     "\" in --credentials and no secret given (--admin-key-secret "
                                     "or " +
                                     kSecretEnv + ")");
    }
  } else if (!credentials.admin_keys.empty()) {
    key = &credentials.admin_keys.front();
  } else {
    return Status::InvalidArgument("--credentials lists no admin_keys");
  }
  return std::make_pair(*key, instance);
}

// POSTs `body` to /<api>, signed with the admin key; the reply body on 200.
Result<std::string> Send(const AdminFlags& flags, std::string_view api, const std::string& body) {
  OTSYNC_ASSIGN_OR_RETURN(auto key_and_instance, ResolveKey(flags));
  const auto& [key, instance] = key_and_instance;
  client::ClientOptions options;
  options.endpoint = flags.endpoint;
  options.instance = instance;
  options.credentials.access_key_id = key.id;
  options.credentials.access_key_secret = key.secret;
  OTSYNC_ASSIGN_OR_RETURN(std::unique_ptr<client::HttpTransport> transport,
                          client::HttpTransport::Create(options));
  const wire::HeaderMap headers = client::SignedRequestHeaders(
      api, body, instance, options.credentials, DefaultClock()->NowMicros());
  OTSYNC_ASSIGN_OR_RETURN(client::HttpReply reply, transport->Post(api, body, headers));
  if (reply.status == 200) return reply.body;
  proto::Error error;
  if (error.ParseFromString(reply.body) && error.has_code()) {
    return Status(StatusCode::kInvalidArgument, "HTTP " + std::to_string(reply.status) + " " +
                                                    error.code() + ": " + error.message());
  }
  return Status(StatusCode::kUnavailable, "HTTP " + std::to_string(reply.status));
}

}  // namespace

int RunAdminCommand(int argc, char** argv) {
  CLI::App app(
      "otsd admin: re-partition a table's stream or trim expired records now, on a running otsd, "
      "with a request signed by an admin key. Prints the reply as JSON.",
      "otsd admin");
  app.require_subcommand(1);
  AdminFlags flags;
  std::string table;
  std::string shard;
  std::string key;
  std::string shard_a;
  std::string shard_b;

  CLI::App* split = app.add_subcommand(
      "split-shard", "Close open shard --shard and open two children split at --key.");
  AddConnectionOptions(split, &flags);
  split->add_option("--table", table, "Table name.")->required();
  split->add_option("--shard", shard, "Id of the open shard to split.")->required();
  split
      ->add_option("--key", key,
                   "Split key: a value of the table's first primary-key column (an integer, a "
                   "string, or base64 for BINARY), strictly inside the shard.")
      ->required();

  CLI::App* merge = app.add_subcommand(
      "merge-shards", "Close two adjacent open shards and open one child covering both.");
  AddConnectionOptions(merge, &flags);
  merge->add_option("--table", table, "Table name.")->required();
  merge->add_option("--shard-a", shard_a, "One open shard.")->required();
  merge->add_option("--shard-b", shard_b, "The adjacent open shard.")->required();

  CLI::App* trim = app.add_subcommand("trim", "Run one stream retention pass now.");
  AddConnectionOptions(trim, &flags);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::printf("%s", app.help().c_str());
    return 0;
  } catch (const CLI::ParseError& error) {
    std::fprintf(stderr, "otsd admin: %s\nRun 'otsd admin --help' for the commands.\n",
                 error.what());
    return kExitUsage;
  }

  Result<std::string> reply = Status::Internal("no command");
  if (split->parsed()) {
    nlohmann::json body = {{"table", table}, {"shard_id", shard}, {"key", key}};
    reply = Send(flags, server::kAdminSplitShardApi, body.dump());
  } else if (merge->parsed()) {
    nlohmann::json body = {{"table", table}, {"shard_a", shard_a}, {"shard_b", shard_b}};
    reply = Send(flags, server::kAdminMergeShardsApi, body.dump());
  } else {
    reply = Send(flags, server::kAdminTrimApi, "{}");
  }
  if (!reply.ok()) {
    std::fprintf(stderr, "otsd admin: %s\n", reply.status().message().c_str());
    return kExitFailure;
  }
  std::printf("%s\n", reply->c_str());
  return 0;
}

}  // namespace otsync::tools
