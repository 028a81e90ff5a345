// Shows that a DuckDB checkpoint rewrites, in place, a metadata block that the previous (still
// authoritative) database header depends on, and that a write torn at a page boundary there
// leaves a file that no DuckDB open can read. Driven by run.sh; see README.md beside it.
//
//   torn_checkpoint build DB                  warehouse with 3 committed windows, each checkpointed
//   torn_checkpoint window DB N               commit window N and CHECKPOINT (run it under strace)
//   torn_checkpoint headers DB                print both database headers
//   torn_checkpoint check DB                  open read-only and read-write (on a copy), count rows
//   torn_checkpoint tear PRE POST STRACE OUT  find the in-place write, build torn files, open them
//   torn_checkpoint salvage IN OUT            reseal IN's catalog block checksum into OUT, open OUT
//   torn_checkpoint killloop DIR SECONDS      random SIGKILLs of a commit+checkpoint loop
//   torn_checkpoint churn DB FD               the child of killloop
//   torn_checkpoint tearwrite DIR SECONDS     SIGKILL a plain 256 KiB pwrite loop: does Linux tear
//   it? torn_checkpoint rewrite FILE FD           the child of tearwrite

#include <duckdb.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace {

// The children are this same program; the working directory never changes, so argv[0] finds it.
const char* g_self = nullptr;

// DuckDB's fixed layout (storage_info.hpp, single_file_block_manager.cpp): a 4 KiB main header,
// two 4 KiB database headers that are written alternately, then blocks from this offset on.
constexpr uint64_t kHeaderSize = 4096;
constexpr uint64_t kBlockStart = 3 * kHeaderSize;
constexpr uint64_t kPage = 4096;
constexpr uint64_t kInvalid = ~uint64_t{0};

struct DbHeader {
  uint64_t location = 0;
  uint64_t checksum = 0;
  uint64_t iteration = 0;
  uint64_t meta_block = 0;  // MetaBlockPointer: block id in the low 56 bits, sub-block in the top 8
  uint64_t free_list = 0;
  uint64_t block_count = 0;
  uint64_t block_alloc_size = 0;
};

uint64_t BlockId(uint64_t pointer) { return pointer & ((uint64_t{1} << 56) - 1); }
uint64_t SubBlock(uint64_t pointer) { return pointer >> 56; }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

uint64_t Load64(const std::string& data, uint64_t offset) {
  uint64_t v = 0;
  if (offset + 8 <= data.size()) memcpy(&v, data.data() + offset, 8);
  return v;
}

DbHeader ParseHeader(const std::string& file, uint64_t location) {
  DbHeader h;
  h.location = location;
  h.checksum = Load64(file, location);
  // The 8-byte checksum precedes the serialized DatabaseHeader fields.
  h.iteration = Load64(file, location + 8);
  h.meta_block = Load64(file, location + 16);
  h.free_list = Load64(file, location + 24);
  h.block_count = Load64(file, location + 32);
  h.block_alloc_size = Load64(file, location + 40);
  return h;
}

std::string PointerText(uint64_t pointer) {
  if (pointer == kInvalid) return "none";
  char buf[96];
  snprintf(buf, sizeof buf, "block %llu sub-block %llu", (unsigned long long)BlockId(pointer),
           (unsigned long long)SubBlock(pointer));
  return buf;
}

uint64_t BlockOffset(const DbHeader& h, uint64_t block) {
  return kBlockStart + block * h.block_alloc_size;
}

void PrintHeaders(const std::string& label, const std::string& file) {
  for (uint64_t loc : {kHeaderSize, 2 * kHeaderSize}) {
    DbHeader h = ParseHeader(file, loc);
    printf(
        "  %s header@%llu: iteration %llu, meta_block = %s (file offset %llu), free_list = %s, "
        "block_count %llu, block size %llu\n",
        label.c_str(), (unsigned long long)loc, (unsigned long long)h.iteration,
        PointerText(h.meta_block).c_str(),
        h.meta_block == kInvalid ? 0ULL : (unsigned long long)BlockOffset(h, BlockId(h.meta_block)),
        PointerText(h.free_list).c_str(), (unsigned long long)h.block_count,
        (unsigned long long)h.block_alloc_size);
  }
}

// DuckDB's block checksum (common/checksum.cpp): an XOR of one multiply per 8-byte word, over
// everything after the 8-byte stored checksum. Block payloads are whole words, so no remainder.
uint64_t DuckChecksum(const std::string& file, uint64_t offset, uint64_t size) {
  uint64_t result = 5381;
  for (uint64_t i = 0; i + 8 <= size; i += 8)
    result ^= Load64(file, offset + i) * 0xbf58476d1ce4e5b9ULL;
  return result;
}

// Re-seals the active header's catalog block with the checksum of what it now holds. If the only
// damage is a torn rewrite in which the live sub-blocks kept their bytes, the file then opens at
// the last completed checkpoint; that is the evidence the damage is a torn in-place rewrite and
// nothing else.
std::string Salvage(const std::string& file, uint64_t* stored, uint64_t* computed) {
  DbHeader h1 = ParseHeader(file, kHeaderSize), h2 = ParseHeader(file, 2 * kHeaderSize);
  const DbHeader& active = h1.iteration > h2.iteration ? h1 : h2;
  uint64_t off = BlockOffset(active, BlockId(active.meta_block));
  *stored = Load64(file, off);
  *computed = DuckChecksum(file, off + 8, active.block_alloc_size - 8);
  std::string out = file;
  memcpy(&out[off], computed, 8);
  return out;
}

// One connection on one database; every failure is kept as text because the point of this
// program is to show which error DuckDB gives.
class Db {
 public:
  bool Open(const std::string& path, bool read_only, std::string* error) {
    duckdb_config config;
    duckdb_create_config(&config);
    if (read_only) duckdb_set_config(config, "access_mode", "READ_ONLY");
    // One thread keeps the write order deterministic and the shared machine quiet.
    duckdb_set_config(config, "threads", "1");
    char* err = nullptr;
    duckdb_state st = duckdb_open_ext(path.c_str(), &db_, config, &err);
    duckdb_destroy_config(&config);
    if (st != DuckDBSuccess) {
      *error = err ? err : "unknown open error";
      if (err) duckdb_free(err);
      return false;
    }
    if (duckdb_connect(db_, &con_) != DuckDBSuccess) {
      *error = "connect failed";
      return false;
    }
    open_ = true;
    return true;
  }

  bool Exec(const std::string& sql, std::string* error, int64_t* first_value = nullptr) {
    duckdb_result res;
    if (duckdb_query(con_, sql.c_str(), &res) != DuckDBSuccess) {
      *error = duckdb_result_error(&res) ? duckdb_result_error(&res) : "query failed";
      duckdb_destroy_result(&res);
      return false;
    }
    if (first_value) *first_value = duckdb_value_int64(&res, 0, 0);
    duckdb_destroy_result(&res);
    return true;
  }

  void Close() {
    if (open_) duckdb_disconnect(&con_);
    if (db_) duckdb_close(&db_);
    open_ = false;
    db_ = nullptr;
  }

  ~Db() { Close(); }

 private:
  duckdb_database db_ = nullptr;
  duckdb_connection con_ = nullptr;
  bool open_ = false;
};

void Die(const std::string& what) {
  fprintf(stderr, "torn_checkpoint: %s\n", what.c_str());
  exit(2);
}

// A window as otsync's odps writer commits it: the data rows and the bookkeeping row in one
// transaction, so either both are visible after a crash or neither.
bool CommitWindow(Db& db, int window, int rows, std::string* error) {
  char sql[1024];
  snprintf(sql, sizeof sql,
           "BEGIN; "
           "INSERT INTO person SELECT 'id' || (i %% 97), 'c' || (i %% 5), i, repeat('v', 40), "
           "'PUT', '%d:' || i, 'pt%d' FROM range(%d) t(i); "
           "INSERT INTO windows VALUES (%d, %d, now()); COMMIT;",
           window, window / 10, rows, window, rows);
  return db.Exec(sql, error);
}

int CmdBuild(const std::string& path) {
  unlink(path.c_str());
  unlink((path + ".wal").c_str());
  Db db;
  std::string err;
  if (!db.Open(path, false, &err)) Die("open: " + err);
  if (!db.Exec("CREATE TABLE windows(window_id INTEGER, row_count INTEGER, committed_at TIMESTAMP);"
               "CREATE TABLE person(id VARCHAR, colname VARCHAR, version BIGINT, colvalue VARCHAR,"
               " optype VARCHAR, sequenceinfo VARCHAR, pt VARCHAR); CHECKPOINT;",
               &err))
    Die(err);
  for (int w = 1; w <= 3; ++w) {
    if (!CommitWindow(db, w, 5000, &err) || !db.Exec("CHECKPOINT", &err)) Die(err);
  }
  db.Close();
  printf("built %s: tables windows + person, windows 1..3 committed, each followed by CHECKPOINT\n",
         path.c_str());
  PrintHeaders("built", ReadFile(path));
  return 0;
}

int CmdWindow(const std::string& path, int window) {
  Db db;
  std::string err;
  if (!db.Open(path, false, &err)) Die("open: " + err);
  if (!CommitWindow(db, window, 5000, &err) || !db.Exec("CHECKPOINT", &err)) Die(err);
  db.Close();
  return 0;
}

enum class Outcome { kOk, kCorrupt, kOtherError };

// Opens the way otsync would after a crash and reads every table, so a damaged block anywhere on
// the catalog's path shows up.
Outcome Check(const std::string& path, bool read_only, std::string* detail) {
  Db db;
  std::string err;
  if (!db.Open(path, read_only, &err)) {
    *detail = err;
    return err.find("Corrupt database file") != std::string::npos ? Outcome::kCorrupt
                                                                  : Outcome::kOtherError;
  }
  int64_t windows = -1, rows = -1;
  if (!db.Exec("SELECT count(*) FROM windows", &err, &windows) ||
      !db.Exec("SELECT count(*) FROM person", &err, &rows)) {
    *detail = err;
    return err.find("Corrupt database file") != std::string::npos ? Outcome::kCorrupt
                                                                  : Outcome::kOtherError;
  }
  *detail = "ok: windows=" + std::to_string(windows) + " person rows=" + std::to_string(rows);
  return Outcome::kOk;
}

const char* OutcomeName(Outcome o) {
  return o == Outcome::kOk ? "OPENS" : o == Outcome::kCorrupt ? "CORRUPT" : "ERROR";
}

// Read-write open may replay or write, so it gets its own copy and the evidence stays untouched.
Outcome CheckBoth(const std::string& path, const std::string& label) {
  std::string ro_detail, rw_detail;
  Outcome ro = Check(path, true, &ro_detail);
  std::string copy = path + ".rwcopy";
  WriteFile(copy, ReadFile(path));
  unlink((copy + ".wal").c_str());
  Outcome rw = Check(copy, false, &rw_detail);
  unlink(copy.c_str());
  unlink((copy + ".wal").c_str());
  printf("  %-44s read-only: %-7s | read-write: %-7s\n", label.c_str(), OutcomeName(ro),
         OutcomeName(rw));
  printf("      read-only:  %s\n      read-write: %s\n", ro_detail.c_str(), rw_detail.c_str());
  return ro == Outcome::kCorrupt && rw == Outcome::kCorrupt ? Outcome::kCorrupt
         : ro == Outcome::kOk && rw == Outcome::kOk         ? Outcome::kOk
                                                            : Outcome::kOtherError;
}

int CmdCheck(const std::string& path) {
  Outcome o = CheckBoth(path, path);
  return o == Outcome::kOk ? 0 : o == Outcome::kCorrupt ? 3 : 4;
}

struct Syscall {
  std::string name;  // pwrite64, write, fsync, fdatasync
  uint64_t size = 0;
  uint64_t offset = 0;
  int64_t result = 0;
};

// strace -f -y output for the main database file only (not its .wal). Lines interrupted by
// another thread ("<unfinished ...>") are joined with their "resumed" tail per pid.
std::vector<Syscall> ParseStrace(const std::string& trace_path, const std::string& db_name) {
  std::ifstream in(trace_path);
  std::string line;
  std::map<std::string, std::string> pending;
  std::vector<Syscall> out;
  const std::string tag = "/" + db_name + ">";
  while (std::getline(in, line)) {
    std::string pid = line.substr(0, line.find(' '));
    size_t unfinished = line.find(" <unfinished ...>");
    if (unfinished != std::string::npos) {
      pending[pid] = line.substr(0, unfinished);
      continue;
    }
    size_t resumed = line.find(" resumed>");
    if (resumed != std::string::npos) {
      line = pending[pid] + line.substr(resumed + 9);
      pending.erase(pid);
    }
    if (line.find(tag) == std::string::npos) continue;
    Syscall s;
    for (const char* name : {"pwrite64(", "fdatasync(", "fsync(", "write("}) {
      if (line.find(std::string(" ") + name) != std::string::npos) {
        s.name = std::string(name, strlen(name) - 1);
        break;
      }
    }
    if (s.name.empty()) continue;
    size_t eq = line.rfind(") = ");
    if (eq == std::string::npos) continue;
    s.result = strtoll(line.c_str() + eq + 4, nullptr, 10);
    if (s.name == "pwrite64") {
      size_t c2 = line.rfind(',', eq);
      size_t c1 = line.rfind(',', c2 - 1);
      s.offset = strtoull(line.c_str() + c2 + 1, nullptr, 10);
      s.size = strtoull(line.c_str() + c1 + 1, nullptr, 10);
    }
    out.push_back(s);
  }
  return out;
}

int CmdSalvage(const std::string& in, const std::string& out) {
  uint64_t stored, computed;
  WriteFile(out, Salvage(ReadFile(in), &stored, &computed));
  unlink((out + ".wal").c_str());
  printf("%s: catalog block stored checksum %llu, checksum of its bytes %llu; resealed copy:\n",
         in.c_str(), (unsigned long long)stored, (unsigned long long)computed);
  Outcome o = CheckBoth(out, out);
  return o == Outcome::kOk ? 0 : 1;
}

int CmdTear(const std::string& pre_path, const std::string& post_path,
            const std::string& trace_path, const std::string& out_dir) {
  const std::string pre = ReadFile(pre_path);
  const std::string post = ReadFile(post_path);
  if (pre.size() < kBlockStart || post.size() < kBlockStart) Die("database files too small");
  DbHeader h1 = ParseHeader(pre, kHeaderSize), h2 = ParseHeader(pre, 2 * kHeaderSize);
  const DbHeader& active = h1.iteration > h2.iteration ? h1 : h2;
  const DbHeader& older = h1.iteration > h2.iteration ? h2 : h1;
  printf("pre-checkpoint file (%zu bytes): DuckDB opens the header with the higher iteration\n",
         pre.size());
  PrintHeaders("pre ", pre);
  printf("post-checkpoint file (%zu bytes):\n", post.size());
  PrintHeaders("post", post);

  // The blocks the pre-checkpoint headers reach directly: catalog root and free list.
  std::map<uint64_t, std::string> referenced;
  for (const DbHeader* h : {&active, &older}) {
    std::string who = "iteration " + std::to_string(h->iteration);
    if (h->meta_block != kInvalid) referenced[BlockId(h->meta_block)] += who + " meta_block; ";
    if (h->free_list != kInvalid) referenced[BlockId(h->free_list)] += who + " free_list; ";
  }

  std::string db_name = post_path.substr(post_path.rfind('/') + 1);
  std::vector<Syscall> calls = ParseStrace(trace_path, db_name);
  printf("\nsyscalls on %s during the checkpoint (strace -f -y):\n", db_name.c_str());
  int target = -1;
  for (size_t i = 0; i < calls.size(); ++i) {
    const Syscall& s = calls[i];
    if (s.name != "pwrite64") {
      printf("  #%-3zu %s = %lld\n", i, s.name.c_str(), (long long)s.result);
      continue;
    }
    std::string what;
    if (s.offset < kBlockStart) {
      what = "database header " + std::to_string(s.offset / kHeaderSize);
    } else {
      uint64_t block = (s.offset - kBlockStart) / active.block_alloc_size;
      what = "block " + std::to_string(block);
      if (block >= active.block_count) {
        what += " (new, past the old end of file)";
      } else if (referenced.count(block)) {
        what += " IN PLACE, referenced by pre-checkpoint " + referenced[block];
        if (target < 0 && s.size > kPage) target = static_cast<int>(i);
      } else {
        what += " (reused free block)";
      }
    }
    printf("  #%-3zu pwrite64 %7llu bytes at offset %8llu = %lld  %s\n", i,
           (unsigned long long)s.size, (unsigned long long)s.offset, (long long)s.result,
           what.c_str());
  }
  if (target < 0) {
    printf("\nno multi-page write landed in a block the pre-checkpoint headers reference\n");
    return 1;
  }
  const Syscall& t = calls[target];
  for (size_t i = target + 1; i < calls.size(); ++i) {
    if (calls[i].name == "pwrite64" && calls[i].offset < t.offset + t.size &&
        t.offset < calls[i].offset + calls[i].size)
      Die("the target range is written again later; the post file no longer holds its bytes");
  }
  printf(
      "\ntarget: syscall #%d, %llu bytes at offset %llu, block %llu, which both pre-checkpoint "
      "headers (iterations %llu and %llu) depend on\n",
      target, (unsigned long long)t.size, (unsigned long long)t.offset,
      (unsigned long long)((t.offset - kBlockStart) / active.block_alloc_size),
      (unsigned long long)older.iteration, (unsigned long long)active.iteration);
  uint64_t changed_pages = 0, first_changed = kInvalid, last_changed = 0;
  for (uint64_t p = 0; p < t.size / kPage; ++p) {
    if (pre.compare(t.offset + p * kPage, kPage, post, t.offset + p * kPage, kPage) != 0) {
      ++changed_pages;
      if (first_changed == kInvalid) first_changed = p;
      last_changed = p;
    }
  }
  printf(
      "  the rewrite changes %llu of its %llu pages (first %llu, last %llu); page 0 holds the "
      "block checksum\n",
      (unsigned long long)changed_pages, (unsigned long long)(t.size / kPage),
      (unsigned long long)first_changed, (unsigned long long)last_changed);

  // Everything the checkpoint wrote before the target, complete, as a kill at the target would
  // leave it; ranges written twice would make the post file a wrong source, so they are refused.
  std::string before = pre;
  for (int i = 0; i < target; ++i) {
    const Syscall& s = calls[i];
    if (s.name != "pwrite64") continue;
    for (size_t j = i + 1; j < calls.size(); ++j) {
      if (calls[j].name == "pwrite64" && calls[j].offset < s.offset + s.size &&
          s.offset < calls[j].offset + calls[j].size)
        Die("an earlier write is overwritten later; cannot rebuild the state at the target");
    }
    if (before.size() < s.offset + s.size) before.resize(s.offset + s.size, '\0');
    before.replace(s.offset, s.size, post, s.offset, s.size);
  }

  auto torn_with = [&](const std::string& base, uint64_t bytes) {
    std::string f = base;
    f.replace(t.offset, bytes, post, t.offset, bytes);
    return f;
  };

  printf("\nopening the files (read-only on the file itself, read-write on a copy; no WAL):\n");
  int failures = 0;
  auto expect = [&](const std::string& name, const std::string& data, Outcome want) {
    std::string path = out_dir + "/" + name;
    WriteFile(path, data);
    unlink((path + ".wal").c_str());
    Outcome got = CheckBoth(path, name);
    if (got != want) {
      ++failures;
      printf("      UNEXPECTED: wanted %s\n", OutcomeName(want));
    }
  };
  expect("pre.duckdb", pre, Outcome::kOk);
  expect("post.duckdb", post, Outcome::kOk);
  expect("killed_after_target_complete.duckdb", torn_with(before, t.size), Outcome::kOk);
  expect("torn_first_page_only.duckdb", torn_with(pre, kPage), Outcome::kCorrupt);
  expect("torn_first_page_after_earlier_writes.duckdb", torn_with(before, kPage),
         Outcome::kCorrupt);
  uint64_t stored, computed;
  std::string resealed = Salvage(torn_with(before, kPage), &stored, &computed);
  printf(
      "  (the torn block stores checksum %llu and its bytes sum to %llu: DuckDB's two numbers)\n",
      (unsigned long long)stored, (unsigned long long)computed);
  expect("torn_first_page_resealed.duckdb", resealed, Outcome::kOk);

  // Every page boundary the kernel could stop at; a prefix that already holds every changed page
  // is indistinguishable from a complete write, so those are expected to open.
  printf("\nsweep: pre-checkpoint file + the first k pages of the target write, k = 1..%llu\n",
         (unsigned long long)(t.size / kPage - 1));
  int corrupt = 0, ok = 0, other = 0, unexpected = 0;
  for (uint64_t k = 1; k < t.size / kPage; ++k) {
    std::string path = out_dir + "/sweep.duckdb";
    WriteFile(path, torn_with(before, k * kPage));
    std::string detail;
    Outcome o = Check(path, true, &detail);
    (o == Outcome::kOk ? ok : o == Outcome::kCorrupt ? corrupt : other)++;
    bool holds_all_changes = k > last_changed;
    if ((o == Outcome::kOk) != holds_all_changes) ++unexpected;
    if (k == 1 || k == t.size / kPage - 1 || o == Outcome::kOtherError)
      printf("  k=%-3llu %s  %s\n", (unsigned long long)k, OutcomeName(o), detail.c_str());
  }
  unlink((out_dir + "/sweep.duckdb").c_str());
  printf(
      "  %d of %llu tear points CORRUPT, %d open, %d other errors; %d disagree with "
      "'opens iff every changed page was written'\n",
      corrupt, (unsigned long long)(t.size / kPage - 1), ok, other, unexpected);
  failures += unexpected + other;
  return failures == 0 ? 0 : 1;
}

// Starts `self sub arg 3` with fd 3 the write end of a pipe and waits until the child writes a
// byte there, so the caller's kill lands in the child's steady loop and not while it loads
// libduckdb. Returns the pid, negated if the child never said it was ready.
pid_t SpawnReady(const char* self, const char* sub, const std::string& arg) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) Die("pipe");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 3);
  const char* argv[] = {self, sub, arg.c_str(), "3", nullptr};
  pid_t pid;
  if (posix_spawn(&pid, self, &fa, nullptr, const_cast<char**>(argv), environ) != 0) Die("spawn");
  posix_spawn_file_actions_destroy(&fa);
  close(fds[1]);
  pollfd p{fds[0], POLLIN, 0};
  char c;
  bool ready = poll(&p, 1, 20000) == 1 && read(fds[0], &c, 1) == 1;
  close(fds[0]);
  return ready ? pid : -pid;
}

// The killloop child: commit + checkpoint forever, and say once when it is in its loop so that
// the kill lands in steady state rather than during start-up.
int CmdChurn(const std::string& path, int ready_fd) {
  Db db;
  std::string err;
  if (!db.Open(path, false, &err)) Die("churn open: " + err);
  int64_t next = 0;
  if (!db.Exec("SELECT coalesce(max(window_id), 0) + 1 FROM windows", &err, &next)) Die(err);
  bool told = false;
  for (int w = static_cast<int>(next);; ++w) {
    if (!CommitWindow(db, w, 500, &err) || !db.Exec("CHECKPOINT", &err)) Die(err);
    if (!told) {
      told = write(ready_fd, "r", 1) == 1;
      close(ready_fd);
    }
  }
}

int CmdKillLoop(const std::string& dir, double seconds) {
  const std::string db = dir + "/loop.duckdb";
  const char* self = g_self;
  std::mt19937_64 rng(std::random_device{}());
  auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  long kills = 0, corrupt = 0, corrupt_without_wal = 0, resealed_ok = 0, other = 0, fresh = 0,
       since_reset = 0;
  double next_report = 60;
  while (elapsed() < seconds) {
    // A fresh warehouse now and then keeps the checkpoint cost, and so the kill window, steady.
    if (since_reset == 0) {
      CmdBuild(db);
      ++fresh;
    }
    pid_t pid = SpawnReady(self, "churn", db);
    if (pid > 0) {
      std::uniform_int_distribution<int> us(0, 40000);
      usleep(us(rng));
    } else {
      pid = -pid;
    }
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    ++kills;
    ++since_reset;
    std::string detail;
    Outcome o = Check(db, true, &detail);
    if (o == Outcome::kCorrupt) {
      ++corrupt;
      printf("kill %ld at %.0fs: CORRUPT: %s\n", kills, elapsed(), detail.c_str());

      std::string main_only = dir + "/main_only.duckdb";
      WriteFile(main_only, ReadFile(db));
      unlink((main_only + ".wal").c_str());
      std::string d2;
      if (Check(main_only, true, &d2) == Outcome::kCorrupt) ++corrupt_without_wal;
      uint64_t stored, computed;
      WriteFile(main_only, Salvage(ReadFile(db), &stored, &computed));
      if (Check(main_only, true, &d2) == Outcome::kOk) ++resealed_ok;
      printf("  resealing the catalog block checksum (main file only): %s\n", d2.c_str());
      unlink(main_only.c_str());
      PrintHeaders("corrupt", ReadFile(db));
      if (corrupt <= 3) {
        std::string keep = dir + "/corrupt-" + std::to_string(corrupt) + ".duckdb";
        WriteFile(keep, ReadFile(db));
      }
      since_reset = 0;
    } else if (o == Outcome::kOtherError) {
      ++other;
      printf("kill %ld at %.0fs: ERROR: %s\n", kills, elapsed(), detail.c_str());
      since_reset = 0;
    } else if (since_reset >= 200) {
      since_reset = 0;
    }
    if (elapsed() >= next_report) {
      printf("  ... %.0fs: %ld kills, %ld corrupt\n", elapsed(), kills, corrupt);
      fflush(stdout);
      next_report += 60;
    }
  }
  printf(
      "kill loop: %ld SIGKILLs in %.0fs (%ld fresh warehouses), %ld left the file CORRUPT "
      "(%ld of them also without the WAL; %ld open again once the catalog block checksum is "
      "resealed), %ld other open errors\n",
      kills, elapsed(), fresh, corrupt, corrupt_without_wal, resealed_ok, other);
  return 0;
}

// The tearwrite child: the same 256 KiB pwrite DuckDB issues for a block, over and over, each
// time filled with a new byte so a torn one shows as two values.
int CmdRewrite(const std::string& path, int ready_fd) {
  int fd = open(path.c_str(), O_RDWR | O_CREAT, 0644);
  if (fd < 0) Die("open " + path);
  std::vector<char> buf(256 * 1024);
  for (unsigned char v = 1;; v = v == 255 ? 1 : v + 1) {
    memset(buf.data(), v, buf.size());
    if (pwrite(fd, buf.data(), buf.size(), static_cast<off_t>(kBlockStart)) !=
        static_cast<ssize_t>(buf.size()))
      Die("short pwrite without a signal");
    if (ready_fd >= 0) {
      if (write(ready_fd, "r", 1) != 1) Die("ready pipe");
      close(ready_fd);
      ready_fd = -1;
    }
  }
}

// Isolates the kernel half of the cause: no DuckDB, one process rewriting one block in place.
int CmdTearWrite(const std::string& dir, double seconds) {
  const std::string file = dir + "/tear.bin";
  const char* self = g_self;
  std::mt19937_64 rng(std::random_device{}());
  std::uniform_int_distribution<int> us(0, 5000);
  auto start = std::chrono::steady_clock::now();
  long kills = 0, torn = 0, unaligned = 0;
  std::map<uint64_t, long> split_at;
  while (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() <
         seconds) {
    pid_t pid = SpawnReady(self, "rewrite", file);
    if (pid < 0) Die("rewrite child did not start");
    usleep(us(rng));
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    ++kills;
    std::string data = ReadFile(file);
    if (data.size() < kBlockStart + 256 * 1024) continue;
    uint64_t first_diff = 0;
    for (uint64_t i = 1; i < 256 * 1024; ++i) {
      if (data[kBlockStart + i] != data[kBlockStart]) {
        first_diff = i;
        break;
      }
    }
    if (first_diff != 0) {
      ++torn;
      if (first_diff % kPage != 0) ++unaligned;
      ++split_at[first_diff];
    }
  }
  printf(
      "tearwrite: %ld SIGKILLs of a 256 KiB pwrite loop, %ld left the block torn (two fill "
      "values), %ld of those split off a 4 KiB page boundary\n",
      kills, torn, unaligned);
  int shown = 0;
  for (auto& [offset, count] : split_at) {
    if (shown++ == 8) break;
    printf("  split at byte %llu of the block (page %llu): %ld times\n", (unsigned long long)offset,
           (unsigned long long)(offset / kPage), count);
  }
  unlink(file.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  setvbuf(stdout, nullptr, _IOLBF, 0);
  g_self = argv[0];
  std::string cmd = argc > 1 ? argv[1] : "";
  if (cmd == "build" && argc == 3) return CmdBuild(argv[2]);
  if (cmd == "window" && argc == 4) return CmdWindow(argv[2], atoi(argv[3]));
  if (cmd == "headers" && argc == 3) {
    PrintHeaders(argv[2], ReadFile(argv[2]));
    return 0;
  }
  if (cmd == "check" && argc == 3) return CmdCheck(argv[2]);
  if (cmd == "salvage" && argc == 4) return CmdSalvage(argv[2], argv[3]);
  if (cmd == "tear" && argc == 6) return CmdTear(argv[2], argv[3], argv[4], argv[5]);
  if (cmd == "killloop" && argc == 4) return CmdKillLoop(argv[2], atof(argv[3]));
  if (cmd == "tearwrite" && argc == 4) return CmdTearWrite(argv[2], atof(argv[3]));
  if (cmd == "rewrite" && argc == 4) return CmdRewrite(argv[2], atoi(argv[3]));
  if (cmd == "churn" && argc == 4) return CmdChurn(argv[2], atoi(argv[3]));
  fprintf(stderr, "usage: see the comment at the top of torn_checkpoint.cc\n");
  return 2;
}
