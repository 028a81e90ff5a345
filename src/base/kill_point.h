// Kill points: named steps of a commit protocol where a crash test stops the process dead with
// SIGKILL, as RocksDB's sync points let its crash tests do. A test build (CMake option
// OTSYNC_KILL_POINTS, on in the debug preset) compiles them in; in any other build
// KillPointReached is an empty function (the call sites stay: a few per commit, never per row)
// and ArmKillPoint refuses.
//
// Names are "room.protocol.step" (e.g. "warehouse.commit.after_manifest_published"); the
// protocols that have them list their names beside their code (warehouse_commit.h, engine.h,
// store/rocksdb_store.cc, store/stream_log.h).
//
// Thread safety: ArmKillPoint before any thread reaches a point; KillPointReached is thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace otsync {

// True when this build has kill points compiled in.
bool KillPointsCompiledIn();

// The `hit`-th time (1-based) that `name` is reached, the process kills itself with SIGKILL.
// kUnsupported in a build without kill points.
Status ArmKillPoint(std::string name, int64_t hit);

// "NAME" or "NAME:HIT" (HIT defaults to 1), as the OTSYNC_KILL_POINT variable of a test build
// carries it.
Status ArmKillPointFromText(std::string_view text);

// Called at the step named `name`: kills the process when that step is armed and its hit has come.
void KillPointReached(std::string_view name);

// Fault points: named I/O calls that a test build makes fail once, as RocksDB's fault-injection
// file system does — an fsync that reports an error cannot be had from Linux without a device
// mapper. The call site returns its usual error for that call, marked as injected. One fault
// point is armed at a time, independently of the kill point; it fails only its `hit`-th call.
// kUnsupported in a build without kill points.
Status ArmFaultPoint(std::string name, int64_t hit);
// Disarms the fault point; true when its armed call had not come yet.
bool DisarmFaultPoint();
// True when the call at the fault point `name` is to fail (its armed hit has come).
bool FaultPointReached(std::string_view name);

}  // namespace otsync

// The call sites' spelling, so that every kill and fault point can be found with one grep.
#define OTSYNC_KILL_POINT(name) ::otsync::KillPointReached(name)
#define OTSYNC_FAULT_POINT(name) ::otsync::FaultPointReached(name)
