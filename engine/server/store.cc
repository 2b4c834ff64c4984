// The runs table on SQLite. Why these settings:
//   journal_mode=WAL      readers (GET /runs) never block the writer, and a commit is one append
//                         plus one fsync of the WAL;
//   synchronous=FULL      that fsync happens at every commit, so a committed row survives kill -9
//                         and power loss; the 2xx answer is sent only after it;
//   BEGIN IMMEDIATE       a write transaction takes the write lock at its start, so the dedupe
//                         check and the insert that depends on it cannot interleave with another.
#include "server/store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <functional>
#include <mutex>

#include "server/log.h"

namespace runbook::server {

namespace {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Db = std::unique_ptr<sqlite3, DbCloser>;

struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};

/// A prepared statement, reset and cleared by every use (so a failed step leaves nothing bound).
class Statement {
 public:
  Statement() = default;
  Statement(sqlite3* db, const char* sql) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr) == SQLITE_OK) stmt_.reset(raw);
  }
  bool ok() const { return stmt_ != nullptr; }
  sqlite3_stmt* get() { return stmt_.get(); }

  /// Starts a use: resets and binds the arguments in order.
  template <typename... Args>
  Statement& bind(const Args&... args) {
    sqlite3_reset(stmt_.get());
    sqlite3_clear_bindings(stmt_.get());
    int index = 1;
    (bind_one(index++, args), ...);
    return *this;
  }
  /// SQLITE_ROW, SQLITE_DONE or an error code.
  int step() { return sqlite3_step(stmt_.get()); }

  std::int64_t int_at(int col) { return sqlite3_column_int64(stmt_.get(), col); }
  bool null_at(int col) { return sqlite3_column_type(stmt_.get(), col) == SQLITE_NULL; }
  std::string text_at(int col) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_.get(), col));
    return text ? std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt_.get(), col))) : "";
  }

 private:
  void bind_one(int i, std::int64_t v) { sqlite3_bind_int64(stmt_.get(), i, v); }
  void bind_one(int i, int v) { sqlite3_bind_int64(stmt_.get(), i, v); }
  void bind_one(int i, const std::string& v) {
    sqlite3_bind_text(stmt_.get(), i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void bind_one(int i, const char* v) { sqlite3_bind_text(stmt_.get(), i, v, -1, SQLITE_TRANSIENT); }
  void bind_one(int i, std::nullptr_t) { sqlite3_bind_null(stmt_.get(), i); }
  void bind_one(int i, const std::optional<int>& v) {
    if (v) sqlite3_bind_int64(stmt_.get(), i, *v);
    else sqlite3_bind_null(stmt_.get(), i);
  }

  std::unique_ptr<sqlite3_stmt, StmtFinalizer> stmt_;
};

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS runs (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,  -- also the run directory's prefix: never reused
  received_at   TEXT NOT NULL,
  source        TEXT NOT NULL,
  alertname     TEXT NOT NULL,
  fingerprint   TEXT NOT NULL,
  status        TEXT NOT NULL,
  resolved_seen INTEGER NOT NULL DEFAULT 0,
  alert         TEXT NOT NULL,
  playbook      TEXT,
  run_dir       TEXT,
  summary       TEXT,
  exit_code     INTEGER,
  started_at    TEXT,
  finished_at   TEXT
);
-- The dedupe lookup and the queue: only the few active rows are indexed.
CREATE INDEX IF NOT EXISTS runs_active ON runs(fingerprint) WHERE status IN ('queued', 'running');
CREATE INDEX IF NOT EXISTS runs_queue ON runs(id) WHERE status = 'queued';
)sql";

// The columns of the list view, then the two large ones of the full view.
constexpr const char* kColumns =
    "id, received_at, source, alertname, fingerprint, status, resolved_seen, playbook, run_dir, "
    "exit_code, started_at, finished_at";

RunRow read_row(Statement& s, bool full) {
  RunRow r;
  r.id = s.int_at(0);
  r.received_at = s.text_at(1);
  r.source = s.text_at(2);
  r.alertname = s.text_at(3);
  r.fingerprint = s.text_at(4);
  r.status = s.text_at(5);
  r.resolved_seen = s.int_at(6) != 0;
  r.playbook = s.text_at(7);
  r.run_dir = s.text_at(8);
  if (!s.null_at(9)) r.exit_code = static_cast<int>(s.int_at(9));
  r.started_at = s.text_at(10);
  r.finished_at = s.text_at(11);
  if (full) {
    r.alert = nlohmann::json::parse(s.text_at(12), nullptr, false);
    if (!s.null_at(13)) r.summary = nlohmann::json::parse(s.text_at(13), nullptr, false);
    if (r.alert.is_discarded()) r.alert = nullptr;
    if (r.summary.is_discarded()) r.summary = nullptr;
  }
  return r;
}

}  // namespace

nlohmann::json RunRow::to_json(bool full) const {
  nlohmann::json j = {{"id", id},
                      {"received_at", received_at},
                      {"source", source},
                      {"alertname", alertname},
                      {"fingerprint", fingerprint},
                      {"status", status},
                      {"resolved_seen", resolved_seen},
                      {"playbook", playbook.empty() ? nlohmann::json() : nlohmann::json(playbook)},
                      {"run_dir", run_dir.empty() ? nlohmann::json() : nlohmann::json(run_dir)},
                      {"exit_code", exit_code ? nlohmann::json(*exit_code) : nlohmann::json()},
                      {"started_at", started_at.empty() ? nlohmann::json() : nlohmann::json(started_at)},
                      {"finished_at", finished_at.empty() ? nlohmann::json() : nlohmann::json(finished_at)}};
  if (full) {
    j["alert"] = alert;
    j["summary"] = summary;
  }
  return j;
}

/// The state file's lock: held while the process lives (the kernel drops it at kill -9).
struct LockFile {
  int fd = -1;
  ~LockFile() {
    if (fd >= 0) close(fd);
  }
};

struct Store::Impl {
  // Declaration order is destruction order reversed: statements go before their connections,
  // the lock last, once nothing can write any more.
  LockFile lock;
  Db db;      // the writer; only the group-commit leader (below) uses it
  Db reader;  // list/get/count: a WAL reader sees the last commit and never waits for the writer
  std::string path;

  Statement begin, commit, rollback, savepoint, release, rollback_to;
  Statement find_active, insert, mark_resolved, cancel_queued;
  Statement next_queued, start_run, read_run, set_dir, finish_run, recover_running;

  std::mutex read_mutex;  // the reader's statements
  Statement list, get, counts;

  // Group commit. A commit costs one fsync (milliseconds on real disks) whatever it holds, so
  // writers that arrive while one commits queue up, and the next leader commits them all in one
  // transaction, each inside its own savepoint (one failing write does not undo the others).
  // Every caller still returns only after the commit that holds its write.
  struct Write {
    std::function<std::optional<util::Error>()> body;
    std::optional<util::Error> error;
    bool done = false;
  };
  std::mutex queue_mutex;
  std::condition_variable committed;
  std::vector<Write*> queue;
  bool leading = false;

  util::Error error(const std::string& what, sqlite3* on = nullptr) const {
    return util::Error{"state database " + path + ": " + what + ": " + sqlite3_errmsg(on ? on : db.get()), "", 0};
  }

  /// Runs `body` in a write transaction; returns once that transaction is committed (or failed).
  util::Result<bool> write(std::function<std::optional<util::Error>()> body) {
    Write w{std::move(body), std::nullopt, false};
    std::unique_lock lock(queue_mutex);
    queue.push_back(&w);
    while (!w.done) {
      if (leading) {
        committed.wait(lock);
        continue;
      }
      leading = true;
      std::vector<Write*> batch;
      batch.swap(queue);
      lock.unlock();
      commit_batch(batch);
      lock.lock();
      leading = false;
      for (Write* b : batch) b->done = true;
      committed.notify_all();
    }
    if (w.error) return *w.error;
    return true;
  }

  void commit_batch(const std::vector<Write*>& batch) {
    if (begin.bind().step() != SQLITE_DONE) {
      const auto e = error("BEGIN");
      for (Write* b : batch) b->error = e;
      return;
    }
    for (Write* b : batch) {
      savepoint.bind().step();
      b->error = b->body();
      if (b->error) rollback_to.bind().step();
      release.bind().step();
    }
    if (commit.bind().step() != SQLITE_DONE) {
      const auto e = error("COMMIT");
      rollback.bind().step();
      for (Write* b : batch) b->error = e;
    }
  }
};

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

namespace {

util::Result<Db> open_connection(const std::string& path) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  Db db(raw);
  if (rc != SQLITE_OK)
    return util::Error{"cannot open the state database " + path + ": " +
                           (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)), "", 0};
  sqlite3_extended_result_codes(db.get(), 1);
  // Checkpoints may hold a lock briefly; wait rather than fail an intake.
  sqlite3_busy_timeout(db.get(), 5000);
  return db;
}

}  // namespace

util::Result<std::unique_ptr<Store>> Store::open(const std::string& path) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  std::error_code ec;
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec) return util::Error{"cannot create the state directory " + parent.string() + ": " + ec.message(), "", 0};

  const std::string lock_path = path + ".lock";
  impl->lock.fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (impl->lock.fd < 0)
    return util::Error{"cannot open " + lock_path + ": " + std::strerror(errno), "", 0};
  if (flock(impl->lock.fd, LOCK_EX | LOCK_NB) != 0)
    return util::Error{"state file " + path + " is in use by another runbook serve (lock " + lock_path + ")", "", 0};

  auto writer = open_connection(path);
  if (!writer.ok()) return writer.error();
  impl->db = std::move(writer.value());
  sqlite3* db = impl->db.get();
  char* message = nullptr;
  const std::string setup = std::string("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; ") + kSchema;
  if (sqlite3_exec(db, setup.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : sqlite3_errmsg(db);
    sqlite3_free(message);
    return util::Error{"state database " + path + ": " + text, "", 0};
  }
  // journal_mode=WAL is a request; a file system without shared memory support refuses it.
  {
    Statement mode(db, "PRAGMA journal_mode");
    if (!mode.ok() || mode.bind().step() != SQLITE_ROW || mode.text_at(0) != "wal")
      return util::Error{"state database " + path + ": could not switch to WAL journal mode", "", 0};
  }
  auto reader = open_connection(path);
  if (!reader.ok()) return reader.error();
  impl->reader = std::move(reader.value());
  sqlite3_exec(impl->reader.get(), "PRAGMA query_only=1", nullptr, nullptr, nullptr);
  sqlite3* rd = impl->reader.get();

  auto& s = *impl;
  const std::string select_run = std::string("SELECT ") + kColumns + ", alert, summary FROM runs WHERE id = ?";
  s.begin = Statement(db, "BEGIN IMMEDIATE");
  s.commit = Statement(db, "COMMIT");
  s.rollback = Statement(db, "ROLLBACK");
  s.savepoint = Statement(db, "SAVEPOINT one_write");
  s.release = Statement(db, "RELEASE one_write");
  s.rollback_to = Statement(db, "ROLLBACK TO one_write");
  s.find_active = Statement(db,
      "SELECT id, status FROM runs WHERE fingerprint = ? AND status IN ('queued', 'running') ORDER BY id LIMIT 1");
  s.insert = Statement(db,
      "INSERT INTO runs (received_at, source, alertname, fingerprint, status, alert) VALUES (?, ?, ?, ?, 'queued', ?)");
  s.mark_resolved = Statement(db, "UPDATE runs SET resolved_seen = 1 WHERE id = ?");
  s.cancel_queued = Statement(db,
      "UPDATE runs SET status = 'cancelled', finished_at = ? WHERE id = ? AND status = 'queued'");
  s.next_queued = Statement(db, "SELECT id FROM runs WHERE status = 'queued' ORDER BY id LIMIT 1");
  s.start_run = Statement(db, "UPDATE runs SET status = 'running', started_at = ? WHERE id = ?");
  s.read_run = Statement(db, select_run.c_str());
  s.set_dir = Statement(db, "UPDATE runs SET run_dir = ? WHERE id = ?");
  s.finish_run = Statement(db,
      "UPDATE runs SET status = ?, exit_code = ?, summary = ?, playbook = ?, finished_at = ? "
      "WHERE id = ? AND status = 'running'");
  s.recover_running = Statement(db,
      "UPDATE runs SET status = 'interrupted', finished_at = ? WHERE status = 'running'");
  s.list = Statement(rd, (std::string("SELECT ") + kColumns + " FROM runs ORDER BY id DESC LIMIT ?").c_str());
  s.get = Statement(rd, select_run.c_str());
  s.counts = Statement(rd,
      "SELECT status, count(*) FROM runs WHERE status IN ('queued', 'running') GROUP BY status");
  for (Statement* st : {&s.begin, &s.commit, &s.rollback, &s.savepoint, &s.release, &s.rollback_to, &s.find_active,
                        &s.insert, &s.mark_resolved, &s.cancel_queued, &s.next_queued, &s.start_run, &s.read_run,
                        &s.set_dir, &s.finish_run, &s.recover_running})
    if (!st->ok()) return s.error("prepare");
  for (Statement* st : {&s.list, &s.get, &s.counts})
    if (!st->ok()) return s.error("prepare", rd);
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

util::Result<int> Store::recover() {
  auto& s = *impl_;
  int changed = 0;
  const std::string now = utc_now();
  auto done = s.write([&]() -> std::optional<util::Error> {
    if (s.recover_running.bind(now).step() != SQLITE_DONE) return s.error("recover");
    changed = sqlite3_changes(s.db.get());
    return std::nullopt;
  });
  if (!done.ok()) return done.error();
  return changed;
}

util::Result<std::vector<Recorded>> Store::record(const std::vector<IncomingAlert>& alerts, bool cancel_on_resolved) {
  const std::string now = utc_now();
  std::vector<std::string> texts;  // serialised outside the commit: the leader's time is everyone's
  texts.reserve(alerts.size());
  for (const auto& a : alerts) texts.push_back(a.alert.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  auto& s = *impl_;
  std::vector<Recorded> out;
  auto done = s.write([&]() -> std::optional<util::Error> {
    out.clear();
    for (std::size_t i = 0; i < alerts.size(); ++i) {
      const auto& a = alerts[i];
      Recorded r;
      // Within this transaction the lookup also sees the rows inserted for earlier alerts of the
      // same webhook (and of other webhooks in the same group commit), so an alert sent twice
      // makes one run.
      int rc = s.find_active.bind(a.fingerprint).step();
      const bool active = rc == SQLITE_ROW;
      if (rc != SQLITE_ROW && rc != SQLITE_DONE) return s.error("dedupe lookup");
      const std::int64_t active_id = active ? s.find_active.int_at(0) : 0;
      const bool running = active && s.find_active.text_at(1) == status::kRunning;
      sqlite3_reset(s.find_active.get());
      if (a.resolved) {
        if (!active) {
          r.kind = Recorded::Kind::ResolvedIgnored;
        } else {
          r.kind = Recorded::Kind::ResolvedRecorded;
          r.run_id = active_id;
          if (s.mark_resolved.bind(active_id).step() != SQLITE_DONE) return s.error("mark resolved");
          if (cancel_on_resolved && !running) {
            if (s.cancel_queued.bind(now, active_id).step() != SQLITE_DONE) return s.error("cancel");
            r.cancelled_queued = true;
          }
          r.cancel_running = cancel_on_resolved && running;
        }
      } else if (active) {
        r.kind = Recorded::Kind::Duplicate;
        r.run_id = active_id;
      } else {
        if (s.insert.bind(now, a.source, a.alertname, a.fingerprint, texts[i]).step() != SQLITE_DONE)
          return s.error("insert");
        r.kind = Recorded::Kind::Created;
        r.run_id = sqlite3_last_insert_rowid(s.db.get());
      }
      out.push_back(r);
    }
    return std::nullopt;
  });
  if (!done.ok()) return done.error();
  return out;
}

util::Result<std::optional<RunRow>> Store::claim_next() {
  const std::string now = utc_now();
  auto& s = *impl_;
  std::optional<RunRow> claimed;
  auto done = s.write([&]() -> std::optional<util::Error> {
    claimed.reset();
    int rc = s.next_queued.bind().step();
    if (rc == SQLITE_DONE) return std::nullopt;
    if (rc != SQLITE_ROW) return s.error("queue lookup");
    const std::int64_t next = s.next_queued.int_at(0);
    sqlite3_reset(s.next_queued.get());
    if (s.start_run.bind(now, next).step() != SQLITE_DONE) return s.error("start run");
    if (s.read_run.bind(next).step() != SQLITE_ROW) return s.error("read claimed run");
    claimed = read_row(s.read_run, true);
    sqlite3_reset(s.read_run.get());
    return std::nullopt;
  });
  if (!done.ok()) return done.error();
  return claimed;
}

util::Result<bool> Store::set_run_dir(std::int64_t id, const std::string& run_dir) {
  auto& s = *impl_;
  return s.write([&]() -> std::optional<util::Error> {
    if (s.set_dir.bind(run_dir, id).step() != SQLITE_DONE) return s.error("set run_dir");
    return std::nullopt;
  });
}

util::Result<bool> Store::finish(std::int64_t id, const std::string& final_status, std::optional<int> exit_code,
                                 const nlohmann::json& summary, const std::string& playbook) {
  const std::string now = utc_now();
  const std::string summary_text =
      summary.is_null() ? std::string() : summary.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  auto& s = *impl_;
  bool changed = false;
  auto done = s.write([&]() -> std::optional<util::Error> {
    s.finish_run.bind(final_status, exit_code, summary_text, playbook, now, id);
    if (summary.is_null()) sqlite3_bind_null(s.finish_run.get(), 3);
    if (playbook.empty()) sqlite3_bind_null(s.finish_run.get(), 4);
    if (s.finish_run.step() != SQLITE_DONE) return s.error("finish run");
    changed = sqlite3_changes(s.db.get()) == 1;
    return std::nullopt;
  });
  if (!done.ok()) return done.error();
  return changed;
}

util::Result<std::vector<RunRow>> Store::list(int limit) {
  auto& s = *impl_;
  std::lock_guard lock(s.read_mutex);
  std::vector<RunRow> rows;
  s.list.bind(limit);
  int rc;
  while ((rc = s.list.step()) == SQLITE_ROW) rows.push_back(read_row(s.list, false));
  if (rc != SQLITE_DONE) return s.error("list runs", s.reader.get());
  return rows;
}

util::Result<std::optional<RunRow>> Store::get(std::int64_t id) {
  auto& s = *impl_;
  std::lock_guard lock(s.read_mutex);
  int rc = s.get.bind(id).step();
  if (rc == SQLITE_DONE) return std::optional<RunRow>();
  if (rc != SQLITE_ROW) return s.error("read run", s.reader.get());
  RunRow row = read_row(s.get, true);
  sqlite3_reset(s.get.get());
  return std::optional<RunRow>(std::move(row));
}

util::Result<std::map<std::string, std::int64_t>> Store::count_active() {
  auto& s = *impl_;
  std::lock_guard lock(s.read_mutex);
  std::map<std::string, std::int64_t> out;
  s.counts.bind();
  int rc;
  while ((rc = s.counts.step()) == SQLITE_ROW) out[s.counts.text_at(0)] = s.counts.int_at(1);
  if (rc != SQLITE_DONE) return s.error("count runs", s.reader.get());
  return out;
}

}  // namespace runbook::server
