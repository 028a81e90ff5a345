#include "console/serve_state_file.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "base/durable_file.h"

namespace otsync::console {
namespace {

Result<ServeState> ReadServeState(const std::string& data_dir) {
  OTSYNC_ASSIGN_OR_RETURN(std::string content, ReadWholeFile(ServeStatePath(data_dir)));
  nlohmann::json parsed = nlohmann::json::parse(content, nullptr, false);
  if (!parsed.is_object() || !parsed.contains("pid") || !parsed["pid"].is_number_integer() ||
      !parsed.contains("url") || !parsed["url"].is_string()) {
    return Status::Corruption(ServeStatePath(data_dir) + " is not a serve state file");
  }
  ServeState state;
  state.pid = parsed["pid"].get<pid_t>();
  state.url = parsed["url"].get<std::string>();
  if (parsed.contains("listen") && parsed["listen"].is_string()) {
    state.listen = parsed["listen"].get<std::string>();
  }
  return state;
}

}  // namespace

std::string ServeStatePath(const std::string& data_dir) { return data_dir + "/serve.json"; }

Status WriteServeState(const std::string& data_dir, const ServeState& state) {
  nlohmann::json file = {{"pid", state.pid}, {"url", state.url}, {"listen", state.listen}};
  return WriteFileAtomically(ServeStatePath(data_dir), file.dump(2) + "\n", 0644);
}

void RemoveServeState(const std::string& data_dir, pid_t pid) {
  Result<ServeState> state = ReadServeState(data_dir);
  if (state.ok() && state->pid == pid) std::remove(ServeStatePath(data_dir).c_str());
}

bool IsOtsyncProcess(pid_t pid) {
  if (pid <= 0) return false;
  if (::kill(pid, 0) != 0 && errno != EPERM) return false;
  Result<std::string> cmdline = ReadWholeFile("/proc/" + std::to_string(pid) + "/cmdline");
  if (!cmdline.ok()) return false;
  std::string program = cmdline->substr(0, cmdline->find('\0'));
  program = program.substr(program.rfind('/') + 1);
  return program.find("otsync") != std::string::npos;
}

Result<ServeState> FindRunningServer(const std::string& data_dir) {
  const std::string start_hint = "start one with: otsync serve --data-dir " + data_dir;
  Result<ServeState> state = ReadServeState(data_dir);
  if (!state.ok()) {
    if (state.status().code() == StatusCode::kNotFound) {
      return Status::NotFound("no otsync serve is running for " + data_dir + " (" + start_hint +
                              ")");
    }
    return state.status();
  }
  if (!IsOtsyncProcess(state->pid)) {
    return Status::NotFound("no otsync serve is running for " + data_dir + ": " +
                            ServeStatePath(data_dir) + " names process " +
                            std::to_string(state->pid) +
                            ", which has ended (the server was killed); " + start_hint);
  }
  return state;
}

}  // namespace otsync::console
