#include "writers/odps/manifest_log.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "base/durable_file.h"
#include "base/kill_point.h"
#include "testing/temporary_directory.h"
#include "writers/odps/manifest_delta.h"
#include "writers/odps/table_schema.h"

namespace otsync::odps {
namespace {

WarehouseManifest ManifestWithTable(int64_t version, const std::string& table_spec) {
  WarehouseManifest manifest;
  manifest.version = version;
  manifest.committed_at_micros = 1764000000000000 + version;
  TableEntry table;
  table.schema = ParseTableSpec(table_spec).value();
  manifest.tables.push_back(table);
  return manifest;
}

void PublishAs(const ManifestLog& log, const WarehouseManifest& manifest) {
  Result<CommitLock> lock = log.LockForCommit("a test", 1000000);
  ASSERT_TRUE(lock.ok()) << lock.status().ToString();
  ASSERT_TRUE(log.Publish(*lock, manifest).ok());
}

TEST(ManifestLogTest, AReaderSeesAStatePublishedByAnotherProcessAfterItsOwnRead) {
  otsync::testing::TemporaryDirectory folder("manifest_log");
  ManifestLog reader = ManifestLog::Open(folder.Child("warehouse"), /*create=*/true).value();
  ManifestLog writer = ManifestLog::Open(folder.Child("warehouse"), /*create=*/false).value();
  PublishAs(writer, ManifestWithTable(1, "first(id STRING)"));
  ASSERT_EQ(reader.Latest().value().tables.at(0).schema.name, "first");

  PublishAs(writer, ManifestWithTable(2, "second(id STRING)"));
  WarehouseManifest latest = reader.Latest().value();
  EXPECT_EQ(latest.version, 2);
  EXPECT_EQ(latest.tables.at(0).schema.name, "second");
  // The older version, read again, is still its own content.
  EXPECT_EQ(reader.Read(1).value().tables.at(0).schema.name, "first");
}

// A version number names one content for as long as its file lives; should a file of that name
// be made again (a deleted manifest, a restored backup), it is read again, not remembered.
TEST(ManifestLogTest, AManifestFileMadeAgainUnderTheSameNameIsReadAgain) {
  otsync::testing::TemporaryDirectory folder("manifest_log");
  const std::string root = folder.Child("warehouse");
  ManifestLog log = ManifestLog::Open(root, /*create=*/true).value();
  PublishAs(log, ManifestWithTable(1, "before(id STRING)"));
  ASSERT_EQ(log.Latest().value().tables.at(0).schema.name, "before");

  const std::string path = root + "/_manifests/00000000000000000001.manifest";
  ASSERT_EQ(std::remove(path.c_str()), 0);
  ASSERT_TRUE(WriteFileAtomically(
                  path, EncodeManifest(ManifestWithTable(1, "after(id STRING, n BIGINT)")).value())
                  .ok());
  EXPECT_EQ(log.Latest().value().tables.at(0).schema.name, "after");
}

// The decoded manifest is keyed by the file's version, inode, size and modification time: the same
// file is decoded once, and a change of any of them is read again. The file is rewritten in place
// here only to tell a decoded copy from a new read; published manifests never change.
TEST(ManifestLogTest, AManifestIsDecodedAgainOnlyWhenItsFileIdentityChanges) {
  otsync::testing::TemporaryDirectory folder("manifest_log");
  const std::string root = folder.Child("warehouse");
  ManifestLog log = ManifestLog::Open(root, /*create=*/true).value();
  PublishAs(log, ManifestWithTable(1, "aaaa(id STRING)"));
  ASSERT_EQ(log.Read(1).value().tables.at(0).schema.name, "aaaa");

  const std::string path = root + "/_manifests/00000000000000000001.manifest";
  struct stat before {};
  ASSERT_EQ(::stat(path.c_str(), &before), 0);
  const std::string same_size = EncodeManifest(ManifestWithTable(1, "bbbb(id STRING)")).value();
  ASSERT_EQ(static_cast<off_t>(same_size.size()), before.st_size);
  const int fd = ::open(path.c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::pwrite(fd, same_size.data(), same_size.size(), 0),
            static_cast<ssize_t>(same_size.size()));
  const struct timespec times[2] = {before.st_atim, before.st_mtim};
  ASSERT_EQ(::futimens(fd, times), 0);
  ASSERT_EQ(::close(fd), 0);
  EXPECT_EQ(log.Read(1).value().tables.at(0).schema.name, "aaaa");

  const struct timespec later[2] = {before.st_atim,
                                    {before.st_mtim.tv_sec + 1, before.st_mtim.tv_nsec}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), later, 0), 0);
  EXPECT_EQ(log.Read(1).value().tables.at(0).schema.name, "bbbb");
}

TEST(ManifestLogTest, ADamagedManifestIsRefusedEvenAfterAGoodReadOfAnother) {
  otsync::testing::TemporaryDirectory folder("manifest_log");
  const std::string root = folder.Child("warehouse");
  ManifestLog log = ManifestLog::Open(root, /*create=*/true).value();
  PublishAs(log, ManifestWithTable(1, "good(id STRING)"));
  ASSERT_TRUE(log.Latest().ok());
  ASSERT_TRUE(WriteFileAtomically(root + "/_manifests/00000000000000000002.manifest",
                                  "otsync-warehouse-manifest 1 00000000\n{}\n")
                  .ok());
  Result<WarehouseManifest> latest = log.Latest();
  ASSERT_FALSE(latest.ok());
  EXPECT_EQ(latest.status().code(), StatusCode::kCorruption);
}

// The state after `version` commits of the kind a scheduler makes: one partition and one ledger
// entry each, in one table.
WarehouseManifest StateAfter(int64_t version) {
  WarehouseManifest manifest =
      ManifestWithTable(version, "out(id STRING) PARTITIONED BY (pt STRING)");
  for (int64_t i = 1; i <= version; ++i) {
    char spec[32];
    std::snprintf(spec, sizeof(spec), "pt=%06lld", static_cast<long long>(i));
    manifest.tables[0].partitions.push_back(
        {spec, i, {{"data/out/load" + std::to_string(i) + "-00000.parquet", 1, 100}}});
    WindowEntry window;
    window.table = "out";
    window.partition = spec;
    window.key = {"source", "stream", i * 1000, i * 1000 + 1000};
    window.end_checkpoints = "checkpoint of window " + std::to_string(i);
    window.rows = 1;
    manifest.windows.push_back(window);
  }
  return manifest;
}

// Publishes the change from `from`, the current state, to `to`, as a committer does; with
// `write_owed`, then writes the complete manifest the version is owed, if any (a committer does
// that after letting go of the lock, which the write does not need).
Status CommitChange(const ManifestLog& log, const CommitLock& lock, const WarehouseManifest& from,
                    const WarehouseManifest& to, bool write_owed = true) {
  OTSYNC_ASSIGN_OR_RETURN(CommitBase base, log.BeginCommit(lock));
  if (!(*base.state == from)) return Status::Internal("the current state is not the one expected");
  OTSYNC_ASSIGN_OR_RETURN(PublishedCommit published,
                          log.PublishDelta(lock, std::move(base), DiffManifests(from, to)));
  if (!write_owed || published.complete_manifest_owed == nullptr) return Status::OK();
  return log.WriteCompleteManifest(*published.complete_manifest_owed);
}

// Publishes versions from + 1 .. to as a committer does: each as the change from the one before.
void CommitUpTo(const ManifestLog& log, int64_t from, int64_t to, bool write_owed = true) {
  Result<CommitLock> lock = log.LockForCommit("a test", 1000000);
  ASSERT_TRUE(lock.ok()) << lock.status().ToString();
  for (int64_t version = from + 1; version <= to; ++version) {
    Status status =
        CommitChange(log, *lock, StateAfter(version - 1), StateAfter(version), write_owed);
    ASSERT_TRUE(status.ok()) << status.ToString();
  }
}

std::string ManifestPath(const std::string& root, int64_t version, const char* suffix) {
  char name[64];
  std::snprintf(name, sizeof(name), "/_manifests/%020lld%s", static_cast<long long>(version),
                suffix);
  return root + name;
}

bool IsDelta(const ManifestLog& log, int64_t version) {
  const std::vector<PublishedManifestFile> files = log.Published().value();
  for (const PublishedManifestFile& file : files) {
    if (file.version == version) return !file.complete;
  }
  ADD_FAILURE() << "version " << version << " is not published";
  return false;
}

TEST(ManifestLogTest, CommitsAreWrittenAsDeltasAndEveryVersionReadsAsItsWholeState) {
  otsync::testing::TemporaryDirectory folder("manifest_log");
  const std::string root = folder.Child("warehouse");
  ManifestLog writer = ManifestLog::Open(root, /*create=*/true).value();
  PublishAs(writer, StateAfter(1));
  CommitUpTo(writer, 1, 70);

  EXPECT_FALSE(IsDelta(writer, 1));
  for (int64_t version = 2; version <= kDeltasPerCompleteManifest; ++version) {
    EXPECT_TRUE(IsDelta(writer, version)) << version;
  }
  EXPECT_FALSE(IsDelta(writer, 1 + kDeltasPerCompleteManifest))
      << "a chain of 64 deltas is owed its complete manifest";
  EXPECT_TRUE(IsDelta(writer, 2 + kDeltasPerCompleteManifest));
  const auto size = [&](const char* name) {
    return std::filesystem::file_size(root + "/_manifests/" + std::string(name));
  };
  EXPECT_LT(size("00000000000000000064.delta"), 1000u);
  EXPECT_GT(size("00000000000000000065.manifest"), 60u * 150);
  EXPECT_LT(size("00000000000000000065.delta"), 1000u) << "a complete version has its delta too";
  EXPECT_FALSE(std::filesystem::exists(root + "/_manifests/00000000000000000001.delta"))
      << "the first version has no version before it";

  // A process of its own reads each version through its chain; another reads them newest first
  // and oldest first through its cache.
  for (int64_t version = 1; version <= 70; ++version) {
    ManifestLog fresh = ManifestLog::Open(root, /*create=*/false).value();
    EXPECT_EQ(fresh.Read(version).value(), StateAfter(version)) << version;
  }
  ManifestLog reader = ManifestLog::Open(root, /*create=*/false).value();
  EXPECT_EQ(reader.Latest().value(), StateAfter(70));
  for (int64_t version : {69, 12, 1, 13, 64, 65, 66, 70}) {
    EXPECT_EQ(reader.Read(version).value(), StateAfter(version)) << version;
  }
}

TEST(ManifestLogTest, AReaderCatchesUpThroughTheDeltasPublishedAfterItsLastRead) {
  otsync::testing::TemporaryDirectory folder("manifest_log");
  const std::string root = folder.Child("warehouse");
  ManifestLog writer = ManifestLog::Open(root, /*create=*/true).value();
  ManifestLog reader = ManifestLog::Open(root, /*create=*/false).value();
  PublishAs(writer, StateAfter(1));
  CommitUpTo(writer, 1, 5);
  ASSERT_EQ(reader.Latest().value(), StateAfter(5));
  CommitUpTo(writer, 5, 9);
  EXPECT_EQ(reader.Latest().value(), StateAfter(9));

  // Should the file the reader's state came from be replaced, the chain is read from its start.
  const std::string nine = root + "/_manifests/00000000000000000009.delta";
  ASSERT_EQ(std::remove(nine.c_str()), 0);
  WarehouseManifest other = StateAfter(9);
  other.tables[0].partitions.pop_back();
  other.windows.pop_back();
  Result<CommitLock> lock = writer.LockForCommit("a test", 1000000);
  ASSERT_TRUE(lock.ok());
  ASSERT_TRUE(CommitChange(writer, *lock, StateAfter(8), other).ok());
  ASSERT_TRUE(CommitChange(writer, *lock, other, StateAfter(10)).ok());
  EXPECT_EQ(reader.Read(9).value(), other);
}

// A process that read a state more than a chain ago (many jobs committed meanwhile) catches up
// through the deltas, that of a complete version included, without decoding a whole state: here
// the complete manifest is damaged after the fact, which only a reader of it would notice.
TEST(ManifestLogTest, AReaderCatchesUpAcrossACompleteManifestThroughItsDelta) {
  otsync::testing::TemporaryDirectory folder("manifest_log");
  const std::string root = folder.Child("warehouse");
  ManifestLog writer = ManifestLog::Open(root, /*create=*/true).value();
  ManifestLog reader = ManifestLog::Open(root, /*create=*/false).value();
  PublishAs(writer, StateAfter(1));
  CommitUpTo(writer, 1, 60);
  ASSERT_EQ(reader.Latest().value(), StateAfter(60));
  CommitUpTo(writer, 60, 70);
  ASSERT_FALSE(IsDelta(writer, 65));

  const std::string complete = root + "/_manifests/00000000000000000065.manifest";
  std::string text = ReadWholeFile(complete).value();
  text[text.size() - 5] ^= 0x01;
  ASSERT_TRUE(WriteFileAtomically(complete, text).ok());
  EXPECT_EQ(reader.Latest().value(), StateAfter(70));
  Result<WarehouseManifest> fresh = ManifestLog::Open(root, /*create=*/false).value().Read(70);
  EXPECT_EQ(fresh.status().code(), StatusCode::kCorruption) << fresh.status().ToString();

  // And the other way round: a damaged delta beside a good complete manifest is passed over by
  // reading the chain from that manifest.
  ASSERT_TRUE(WriteFileAtomically(complete, EncodeManifest(StateAfter(65)).value()).ok());
  ManifestLog behind = ManifestLog::Open(root, /*create=*/false).value();
  ASSERT_EQ(behind.Read(62).value(), StateAfter(62));
  const std::string delta = root + "/_manifests/00000000000000000065.delta";
  text = ReadWholeFile(delta).value();
  text[text.size() - 5] ^= 0x01;
  ASSERT_TRUE(WriteFileAtomically(delta, text).ok());
  EXPECT_EQ(behind.Latest().value(), StateAfter(70));
}

TEST(ManifestLogTest, ADeltaThatDoesNotApplyToTheStateIsRefusedAndNothingIsPublished) {
  otsync::testing::TemporaryDirectory folder("manifest_log");
  ManifestLog log = ManifestLog::Open(folder.Child("warehouse"), /*create=*/true).value();
  PublishAs(log, StateAfter(1));
  CommitUpTo(log, 1, 2);
  Result<CommitLock> lock = log.LockForCommit("a test", 1000000);
  ASSERT_TRUE(lock.ok());

  ManifestDelta removes_what_is_not_there = DiffManifests(StateAfter(2), StateAfter(3));
  removes_what_is_not_there.partitions_removed.push_back({"out", "pt=999999"});
  Status status =
      log.PublishDelta(*lock, log.BeginCommit(*lock).value(), removes_what_is_not_there).status();
  EXPECT_EQ(status.code(), StatusCode::kInternal) << status.ToString();
  EXPECT_NE(status.message().find("partition pt=999999 of table out"), std::string::npos)
      << status.ToString();
  EXPECT_EQ(log.Versions().value().back(), 2);
  EXPECT_EQ(log.Latest().value(), StateAfter(2)) << "the state the refused delta began to change";

  ManifestDelta of_another_version = DiffManifests(StateAfter(1), StateAfter(2));
  status = log.PublishDelta(*lock, log.BeginCommit(*lock).value(), of_another_version).status();
  EXPECT_EQ(status.code(), StatusCode::kInternal) << status.ToString();
  EXPECT_EQ(log.Versions().value().back(), 2);

  ASSERT_TRUE(CommitChange(log, *lock, StateAfter(2), StateAfter(3)).ok());
  EXPECT_EQ(ManifestLog::Open(folder.Child("warehouse"), false).value().Latest().value(),
            StateAfter(3));
}

// A commit changes the cached state in place when no reader holds it — no copy of the state,
// whatever its size — and leaves a state a reader holds as it was.
TEST(ManifestLogTest, ACommitChangesTheCachedStateInPlaceUnlessAReaderHoldsIt) {
  otsync::testing::TemporaryDirectory folder("manifest_log");
  ManifestLog log = ManifestLog::Open(folder.Child("warehouse"), /*create=*/true).value();
  PublishAs(log, StateAfter(1));
  CommitUpTo(log, 1, 3);
  const WarehouseManifest* cached = log.Snapshot().value().get();
  CommitUpTo(log, 3, 4);
  EXPECT_EQ(log.Snapshot().value().get(), cached);
  EXPECT_EQ(*log.Snapshot().value(), StateAfter(4));

  std::shared_ptr<const WarehouseManifest> held = log.Snapshot().value();
  CommitUpTo(log, 4, 5);
  EXPECT_EQ(*held, StateAfter(4));
  EXPECT_NE(log.Snapshot().value().get(), held.get());
  EXPECT_EQ(*log.Snapshot().value(), StateAfter(5));
  EXPECT_EQ(ManifestLog::Open(folder.Child("warehouse"), false).value().Latest().value(),
            StateAfter(5));
}

TEST(ManifestLogTest, ALockTakenAfterItsHolderDiedSaysSoUntilTheLeftoversAreCleanedUp) {
  otsync::testing::TemporaryDirectory folder("manifest_log");
  ManifestLog log = ManifestLog::Open(folder.Child("warehouse"), /*create=*/true).value();
  auto previous_holder_died = [&]() {
    Result<CommitLock> lock = log.LockForCommit("a test", 1000000);
    EXPECT_TRUE(lock.ok()) << lock.status().ToString();
    return lock.ok() && lock->previous_holder_died();
  };
  EXPECT_FALSE(previous_holder_died());
  EXPECT_FALSE(previous_holder_died()) << "a holder that lets go leaves no sign";

  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    Result<CommitLock> lock = log.LockForCommit("a holder that dies", 1000000);
    ::_exit(lock.ok() ? 0 : 1);  // No destructor runs: as after kill -9.
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

  EXPECT_TRUE(previous_holder_died());
  EXPECT_TRUE(previous_holder_died()) << "a holder that did not clean up keeps the sign";
  {
    Result<CommitLock> lock = log.LockForCommit("a test", 1000000);
    ASSERT_TRUE(lock.ok());
    EXPECT_TRUE(lock->previous_holder_died());
    lock->MarkCleanedUp();
  }
  EXPECT_FALSE(previous_holder_died());
}

TEST(ManifestLogTest, PruningKeepsTheChainOfTheOldestKeptVersion) {
  otsync::testing::TemporaryDirectory folder("manifest_log");
  const std::string root = folder.Child("warehouse");
  ManifestLog log = ManifestLog::Open(root, /*create=*/true).value();
  PublishAs(log, StateAfter(1));
  // A temporary file of a committer that died before publishing (of a version no later commit
  // writes again here, so that only the sweep removes it).
  const std::string temporary = root + "/_manifests/00000000000000000999.delta.tmp";
  ASSERT_TRUE(WriteFileAtomically(temporary, "half a delta").ok());
  CommitUpTo(log, 1, 250);
  EXPECT_FALSE(std::filesystem::exists(temporary));
  // Each commit prunes. Complete manifests at 1, 65, 129, 193: the oldest of the newest 100 (151)
  // reads from 129.
  const std::vector<int64_t> versions = log.Versions().value();
  ASSERT_FALSE(versions.empty());
  EXPECT_EQ(versions.front(), 129);
  EXPECT_EQ(versions.back(), 250);
  EXPECT_FALSE(std::filesystem::exists(root + "/_manifests/00000000000000000065.delta"));
  EXPECT_TRUE(std::filesystem::exists(root + "/_manifests/00000000000000000129.delta"));
  ManifestLog fresh = ManifestLog::Open(root, /*create=*/false).value();
  EXPECT_EQ(fresh.Read(151).value(), StateAfter(151));
  EXPECT_EQ(fresh.Latest().value(), StateAfter(250));
}

// The complete manifest owed is written after the lock, by a writer that may die first: the
// version stays published as its delta, the commit that doubles the chain owes it again, and
// should none be written a chain still ends at kMostDeltasInAChain, with a version written
// complete under the lock.
TEST(ManifestLogTest, ACompleteManifestNotWrittenIsOwedAgainAndAChainStaysBounded) {
  otsync::testing::TemporaryDirectory folder("manifest_log");
  const std::string root = folder.Child("warehouse");
  ManifestLog writer = ManifestLog::Open(root, /*create=*/true).value();
  PublishAs(writer, StateAfter(1));
  CommitUpTo(writer, 1, 70, /*write_owed=*/false);
  for (int64_t version = 2; version <= 70; ++version) {
    ASSERT_TRUE(IsDelta(writer, version)) << version;
  }
  ManifestLog fresh = ManifestLog::Open(root, /*create=*/false).value();
  EXPECT_EQ(fresh.Latest().value(), StateAfter(70));
  EXPECT_EQ(fresh.Read(40).value(), StateAfter(40));

  // Owed again by the commit that makes the chain twice as long, not by every commit meanwhile.
  CommitUpTo(writer, 70, 1 + 2 * kDeltasPerCompleteManifest);
  for (int64_t version = 71; version <= 2 * kDeltasPerCompleteManifest; ++version) {
    ASSERT_TRUE(IsDelta(writer, version)) << version;
  }
  const int64_t owed = 1 + 2 * kDeltasPerCompleteManifest;
  EXPECT_FALSE(IsDelta(writer, owed));
  EXPECT_TRUE(std::filesystem::exists(ManifestPath(root, owed, ".delta")));

  const int64_t last_delta = owed + kMostDeltasInAChain;
  CommitUpTo(writer, owed, last_delta + 1, /*write_owed=*/false);
  EXPECT_TRUE(IsDelta(writer, last_delta));
  EXPECT_FALSE(IsDelta(writer, last_delta + 1)) << "a chain is never longer than 256 deltas";
  EXPECT_TRUE(std::filesystem::exists(ManifestPath(root, last_delta + 1, ".delta")));
  EXPECT_EQ(ManifestLog::Open(root, /*create=*/false).value().Latest().value(),
            StateAfter(last_delta + 1));
}

TEST(ManifestLogTest, AWriterKilledWritingACompleteManifestLeavesTheVersionPublished) {
  if (!KillPointsCompiledIn()) GTEST_SKIP() << "kill points are compiled only into test builds";
  otsync::testing::TemporaryDirectory folder("manifest_log");
  const std::string root = folder.Child("warehouse");
  ManifestLog log = ManifestLog::Open(root, /*create=*/true).value();
  PublishAs(log, StateAfter(1));
  CommitUpTo(log, 1, kDeltasPerCompleteManifest);

  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (!ArmKillPoint("warehouse.complete_manifest.after_written", 1).ok()) ::_exit(3);
    ManifestLog other = ManifestLog::Open(root, /*create=*/false).value();
    CommitUpTo(other, kDeltasPerCompleteManifest, kDeltasPerCompleteManifest + 1);
    ::_exit(4);  // Not killed: the point was never reached.
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "exit " << WEXITSTATUS(status);

  const int64_t owed = kDeltasPerCompleteManifest + 1;
  EXPECT_TRUE(IsDelta(log, owed)) << "published as its delta, its complete manifest not linked";
  EXPECT_EQ(ManifestLog::Open(root, /*create=*/false).value().Latest().value(), StateAfter(owed));
  size_t temporary_files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(root + "/_manifests")) {
    if (entry.path().string().ends_with(".tmp")) ++temporary_files;
  }
  EXPECT_EQ(temporary_files, 1u) << "the killed writer's synced temporary file";

  CommitUpTo(log, owed, 1 + 2 * kDeltasPerCompleteManifest);
  EXPECT_TRUE(IsDelta(log, owed + 1));
  EXPECT_FALSE(IsDelta(log, 1 + 2 * kDeltasPerCompleteManifest)) << "owed again, and written";
  for (const auto& entry : std::filesystem::directory_iterator(root + "/_manifests")) {
    EXPECT_FALSE(entry.path().string().ends_with(".tmp")) << entry.path() << " was not swept";
  }
  EXPECT_EQ(ManifestLog::Open(root, /*create=*/false).value().Latest().value(),
            StateAfter(1 + 2 * kDeltasPerCompleteManifest));
}

// A commit sweeps the temporary files of writers that died, never one a living writer holds.
TEST(ManifestLogTest, ACommitSweepsTemporaryFilesOfDeadWritersOnly) {
  otsync::testing::TemporaryDirectory folder("manifest_log");
  const std::string root = folder.Child("warehouse");
  ManifestLog log = ManifestLog::Open(root, /*create=*/true).value();
  PublishAs(log, StateAfter(1));
  CommitUpTo(log, 1, 3);
  const std::string living = ManifestPath(root, 2, ".manifest.4242.tmp");
  const std::string dead = ManifestPath(root, 3, ".manifest.4243.tmp");
  ASSERT_TRUE(WriteFileAtomically(living, "a part of a manifest").ok());
  ASSERT_TRUE(WriteFileAtomically(dead, "a part of a manifest").ok());
  const int fd = ::open(living.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX), 0);  // As WriteCompleteManifest holds its file.

  CommitUpTo(log, 3, 4);
  EXPECT_TRUE(std::filesystem::exists(living));
  EXPECT_FALSE(std::filesystem::exists(dead));
  ::close(fd);
  CommitUpTo(log, 4, 5);
  EXPECT_FALSE(std::filesystem::exists(living));
  EXPECT_EQ(log.Latest().value(), StateAfter(5));
}

TEST(ManifestLogTest, ADamagedOrMissingDeltaDamagesTheVersionsAfterItOnly) {
  otsync::testing::TemporaryDirectory folder("manifest_log");
  const std::string root = folder.Child("warehouse");
  ManifestLog log = ManifestLog::Open(root, /*create=*/true).value();
  PublishAs(log, StateAfter(1));
  CommitUpTo(log, 1, 6);
  const std::string four = root + "/_manifests/00000000000000000004.delta";
  std::string text = ReadWholeFile(four).value();
  text[text.size() - 5] ^= 0x01;
  ASSERT_TRUE(WriteFileAtomically(four, text).ok());

  ManifestLog fresh = ManifestLog::Open(root, /*create=*/false).value();
  EXPECT_EQ(fresh.Read(3).value(), StateAfter(3));
  Result<WarehouseManifest> latest = fresh.Latest();
  ASSERT_FALSE(latest.ok());
  EXPECT_EQ(latest.status().code(), StatusCode::kCorruption);
  EXPECT_NE(latest.status().message().find(four + " is damaged"), std::string::npos)
      << latest.status().ToString();

  ASSERT_EQ(std::remove(four.c_str()), 0);
  Result<WarehouseManifest> five = fresh.Read(5);
  ASSERT_FALSE(five.ok());
  EXPECT_EQ(five.status().code(), StatusCode::kCorruption);
  EXPECT_NE(five.status().message().find("00000000000000000005.delta has no base: version 4 is "
                                         "missing"),
            std::string::npos)
      << five.status().ToString();
}

}  // namespace
}  // namespace otsync::odps
