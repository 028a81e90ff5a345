// Fault injection for cross-process tests of otsd's clients (issue 4, "faults injected into
// otsd"). Off by default: otsd serves exactly as without this file unless started with
// --fault-injection (or --fault-plan), and then faults fire only as a plan says.
//
// A plan is a list of rules, each for one API name (e.g. "GetStreamRecord"):
//   {"seed": 7, "faults": [{"api": "GetStreamRecord", "kind": "busy", "count": 3,
//                           "skip": 0, "probability": 1.0, "hang_ms": 2000}]}
// kind: "busy"  answers 503 OTSServerBusy (a well-formed, unsigned protobuf Error reply);
//       "hang"  holds the request for hang_ms without answering, then closes the connection
//               (longer than a client's request timeout, it is a timeout for that client);
//       "drop"  closes the connection at once, without a response;
//       "corrupt" forwards the request and flips one byte (XOR 0xFF) in the middle of its
//               answer's body, x-ots-contentmd5 left as the service computed it: damage that
//               only a check of that MD5 or of the rows' PlainBuffer checksums can reveal.
// Of the requests to `api`, the first `skip` pass; after that each one is faulted with
// `probability` (drawn from a generator seeded by `seed`, so that the same plan and the same
// order of requests give the same faults) until `count` faults have fired. Rules are matched in
// order; the first rule of the API that is not used up applies.
//
// Faults act between the client and the service: a FaultFront (server/fault_front.h) listens
// where otsd would and asks the FaultInjector below, request by request, which fault to inject.
// Arming a plan at run time is the admin operation
//   POST /_otsd/admin/InjectFaults  <plan>  -> {"rules": N, "injected": M}
// (replaces the plan; {"faults": []} clears it), and
//   POST /_otsd/admin/FaultStats    {}      -> {"injected": M, "busy": b, "hang": h, "drop": d,
//                                               "corrupt": c}
// both served only to requests signed with an admin key, like every admin operation.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "server/request_dispatcher.h"

namespace otsync::server {

inline constexpr std::string_view kAdminInjectFaultsApi = "_otsd/admin/InjectFaults";
inline constexpr std::string_view kAdminFaultStatsApi = "_otsd/admin/FaultStats";

enum class FaultKind { kBusy, kHang, kDrop, kCorrupt };

struct FaultRule {
  std::string api;
  FaultKind kind = FaultKind::kBusy;
  int64_t count = 1;         // Faults to inject, >= 0.
  int64_t skip = 0;          // Matching requests passed before the rule starts.
  double probability = 1.0;  // In (0, 1].
  std::chrono::milliseconds hang{2000};
};

struct FaultPlan {
  uint64_t seed = 1;
  std::vector<FaultRule> rules;
};

// Parses the JSON plan above; an error names the field and what was expected.
Result<FaultPlan> ParseFaultPlan(std::string_view json);

struct FaultDecision {
  FaultKind kind;
  std::chrono::milliseconds hang;
};

struct FaultStats {
  int64_t busy = 0;
  int64_t hang = 0;
  int64_t drop = 0;
  int64_t corrupt = 0;
  int64_t total() const { return busy + hang + drop + corrupt; }
};

// The armed plan and what it has injected. Thread-safe.
class FaultInjector {
 public:
  // Replaces the plan (and reseeds); the statistics are kept.
  void Arm(FaultPlan plan);
  // For one request to `api`: the fault to inject, if any (consumes it).
  std::optional<FaultDecision> Next(std::string_view api);
  FaultStats stats() const;
  size_t rule_count() const;

 private:
  struct RuleState {
    FaultRule rule;
    int64_t seen = 0;
    int64_t fired = 0;
  };
  mutable std::mutex mutex_;
  std::vector<RuleState> rules_;
  std::mt19937_64 random_{1};
  FaultStats stats_;
};

// Registers the InjectFaults and FaultStats admin operations on `dispatcher`, acting on
// `injector` (which must outlive the dispatcher).
void RegisterFaultInjectionHandlers(RequestDispatcher* dispatcher, FaultInjector* injector);

}  // namespace otsync::server
