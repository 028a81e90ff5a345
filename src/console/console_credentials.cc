#include "console/console_credentials.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>

#include "base/durable_file.h"
#include "console/random_token.h"

namespace otsync::console {
namespace {

constexpr size_t kMinPasswordLength = 8;
constexpr size_t kGeneratedPasswordLength = 20;

Status MakePrivateDir(const std::string& dir) {
  for (size_t slash = dir.find('/', 1);; slash = dir.find('/', slash + 1)) {
    std::string prefix = dir.substr(0, slash);
    if (::mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST) {
      return Status::IOError("cannot create " + prefix + ": " + std::strerror(errno));
    }
    if (slash == std::string::npos) break;
  }
  if (::chmod(dir.c_str(), 0700) != 0) {
    return Status::IOError("cannot make " + dir + " private: " + std::strerror(errno));
  }
  return Status::OK();
}

std::string AdminFile(const std::string& data_dir) { return ConsoleDir(data_dir) + "/admin.json"; }
std::string TokenFile(const std::string& data_dir) { return ConsoleDir(data_dir) + "/cli.token"; }

Status StoreHash(const std::string& data_dir, const std::string& hash) {
  nlohmann::json stored = {{"password_hash", hash},
                           {"updated_at", std::to_string(std::time(nullptr))}};
  return WriteFileAtomically(AdminFile(data_dir), stored.dump(2) + "\n", 0600);
}

}  // namespace

std::string ConsoleDir(const std::string& data_dir) { return data_dir + "/console"; }

Result<std::string> ReadAdminPasswordFile(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    return Status::NotFound("--admin-password-file " + path + ": " + std::strerror(errno));
  }
  if ((info.st_mode & 077) != 0) {
    return Status::InvalidArgument("--admin-password-file " + path +
                                   ": readable by other users; chmod 600 it first");
  }
  Result<std::string> content = ReadWholeFile(path);
  if (!content.ok()) return content.status().WithContext("--admin-password-file " + path);
  std::string password = content->substr(0, content->find_first_of("\r\n"));
  if (password.size() < kMinPasswordLength) {
    return Status::InvalidArgument("--admin-password-file " + path +
                                   ": the password on its first line is shorter than " +
                                   std::to_string(kMinPasswordLength) + " characters");
  }
  return password;
}

Result<std::string> LoadAdminPasswordHash(const std::string& data_dir) {
  Result<std::string> content = ReadWholeFile(AdminFile(data_dir));
  if (!content.ok()) return content.status();
  nlohmann::json stored = nlohmann::json::parse(*content, nullptr, false);
  if (!stored.is_object() || !stored.contains("password_hash") ||
      !stored["password_hash"].is_string()) {
    return Status::Corruption(AdminFile(data_dir) +
                              " is damaged (no password_hash); remove it and start otsync serve "
                              "with --admin-password-file to set the password again");
  }
  return stored["password_hash"].get<std::string>();
}

Result<AdminPasswordSetup> SetUpAdminPassword(const std::string& data_dir,
                                              const std::optional<std::string>& given_password,
                                              const ScryptCost& cost) {
  OTSYNC_RETURN_IF_ERROR(MakePrivateDir(ConsoleDir(data_dir)));
  AdminPasswordSetup setup;
  setup.path = AdminFile(data_dir);
  Result<std::string> stored = LoadAdminPasswordHash(data_dir);
  if (!stored.ok() && stored.status().code() != StatusCode::kNotFound) return stored.status();
  if (given_password.has_value()) {
    if (stored.ok()) {
      Result<bool> same = VerifyPassword(*given_password, *stored);
      if (same.ok() && *same) return setup;
      setup.replaced = true;
    }
    OTSYNC_ASSIGN_OR_RETURN(std::string hash, HashPassword(*given_password, cost));
    OTSYNC_RETURN_IF_ERROR(StoreHash(data_dir, hash));
    return setup;
  }
  if (stored.ok()) return setup;
  OTSYNC_ASSIGN_OR_RETURN(std::string generated, RandomPassword(kGeneratedPasswordLength));
  OTSYNC_ASSIGN_OR_RETURN(std::string hash, HashPassword(generated, cost));
  OTSYNC_RETURN_IF_ERROR(StoreHash(data_dir, hash));
  setup.generated_password = std::move(generated);
  return setup;
}

Result<std::string> IssueCliToken(const std::string& data_dir) {
  OTSYNC_RETURN_IF_ERROR(MakePrivateDir(ConsoleDir(data_dir)));
  OTSYNC_ASSIGN_OR_RETURN(std::string token, RandomHexToken(32));
  OTSYNC_RETURN_IF_ERROR(WriteFileAtomically(TokenFile(data_dir), token + "\n", 0600));
  return token;
}

Result<std::string> ReadCliToken(const std::string& data_dir) {
  OTSYNC_ASSIGN_OR_RETURN(std::string content, ReadWholeFile(TokenFile(data_dir)));
  return content.substr(0, content.find_first_of("\r\n"));
}

}  // namespace otsync::console
