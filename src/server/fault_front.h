// The front of fault injection (server/fault_plan.h has the plan): a TCP proxy listening where
// otsd would, in front of the real listener on another loopback port. It reads each HTTP
// request's head, asks the FaultInjector, and either forwards the request or injects the fault:
// a 503 OTSServerBusy reply, a hang, or a dropped connection. Off unless otsd runs with
// --fault-injection or --fault-plan.
#pragma once

#include <memory>
#include <string>

#include "base/result.h"
#include "server/fault_plan.h"

namespace otsync::server {

// The TCP front that injects the faults. HTTP/1.1 requests with Content-Length bodies are
// inspected; a connection whose request uses another framing (chunked) is passed through
// untouched from then on. Responses are passed through byte for byte.
class FaultFront {
 public:
  // Listens on host:port (0 picks a free port) and forwards to upstream_host:upstream_port.
  // `injector` must outlive the front.
  static Result<std::unique_ptr<FaultFront>> Start(const std::string& host, int port,
                                                   const std::string& upstream_host,
                                                   int upstream_port, FaultInjector* injector);
  ~FaultFront();  // Stops.

  FaultFront(const FaultFront&) = delete;
  FaultFront& operator=(const FaultFront&) = delete;

  int port() const;
  // Closes the listener and every connection (hung requests wake), joins the threads.
  // Idempotent.
  void Stop();

 private:
  struct Impl;
  explicit FaultFront(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace otsync::server
