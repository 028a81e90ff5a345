// The files under <data-dir>/console/ that hold the console's secrets; the folder is 0700 and
// each file 0600, written atomically.
//
//   admin.json  {"password_hash": "scrypt$...", "updated_at": "<epoch seconds>"}: the admin
//               password, hashed (password_hash.h); set at the first start.
//   cli.token   one line, a random 256-bit token (64 hex digits) that `otsync` commands on this
//               machine send as "Authorization: Bearer ..." instead of logging in. A fresh one is
//               written at every start, so a token copied elsewhere dies with the server.
#pragma once

#include <optional>
#include <string>

#include "base/result.h"
#include "console/password_hash.h"

namespace otsync::console {

// <data_dir>/console
std::string ConsoleDir(const std::string& data_dir);

// The admin password from a file: its first line without the line ending. Refused when the file
// is missing, the password is shorter than 8 characters or the file can be read by others than
// its owner (the message names the file, never the content).
Result<std::string> ReadAdminPasswordFile(const std::string& path);

struct AdminPasswordSetup {
  // Set when no password existed and none was given: shown once to the person starting serve.
  std::optional<std::string> generated_password;
  bool replaced = false;  // A password file replaced a different stored password.
  std::string path;       // admin.json
};

// Makes sure admin.json exists: a given password is stored (replacing a different stored one),
// else a stored one is kept, else a random one is generated and stored.
Result<AdminPasswordSetup> SetUpAdminPassword(const std::string& data_dir,
                                              const std::optional<std::string>& given_password,
                                              const ScryptCost& cost = {});

// The stored hash; kNotFound before SetUpAdminPassword ran.
Result<std::string> LoadAdminPasswordHash(const std::string& data_dir);

// Writes a fresh cli.token and returns it.
Result<std::string> IssueCliToken(const std::string& data_dir);
// The token in cli.token; kNotFound when no server has written one.
Result<std::string> ReadCliToken(const std::string& data_dir);

}  // namespace otsync::console
