// The SQLite driver (libsqlite3). The file is opened, never created: read-write for executions
// that may write, read-only (and `PRAGMA query_only`) for read-only ones; each mode keeps its own
// connection, opened on first use. Timeouts and Ctrl-C are checked by a progress handler and a
// busy handler, both on the caller's thread.

#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <system_error>
#include <thread>

#include "sql/drivers.h"

namespace runbook::sql::detail {
namespace {

using Clock = std::chrono::steady_clock;

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Db = std::unique_ptr<sqlite3, DbCloser>;

struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

// What the progress and busy handlers look at during one execution.
struct Watch {
  const exec::Interrupt* interrupt = nullptr;
  bool has_deadline = false;
  Clock::time_point deadline;
  bool interrupted = false;
  bool timed_out = false;

  // True (and records why) when the execution must stop.
  bool should_stop() {
    if (interrupt && interrupt->raised()) interrupted = true;
    else if (has_deadline && Clock::now() >= deadline) timed_out = true;
    return interrupted || timed_out;
  }
};

int on_progress(void* data) { return static_cast<Watch*>(data)->should_stop() ? 1 : 0; }

// Waits for a lock in 1..20 ms steps until the deadline or an interrupt; 0 gives up (SQLITE_BUSY).
int on_busy(void* data, int count) {
  auto* watch = static_cast<Watch*>(data);
  if (watch->should_stop()) return 0;
  // Without a deadline, give up after about a minute rather than hang on a stuck lock.
  if (!watch->has_deadline && count > 3000) return 0;
  std::this_thread::sleep_for(std::chrono::milliseconds(std::min(1 + count, 20)));
  return 1;
}

// The first keyword of a statement, upper-case, after white space and comments.
std::string first_keyword(const char* sql) {
  std::string_view s = sql ? sql : "";
  std::size_t i = 0;
  while (i < s.size()) {
    if (std::isspace(static_cast<unsigned char>(s[i]))) {
      ++i;
    } else if (s.substr(i, 2) == "--") {
      while (i < s.size() && s[i] != '\n') ++i;
    } else if (s.substr(i, 2) == "/*") {
      std::size_t end = s.find("*/", i + 2);
      i = end == std::string_view::npos ? s.size() : end + 2;
    } else {
      break;
    }
  }
  std::string word;
  while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i])))
    word += static_cast<char>(std::toupper(static_cast<unsigned char>(s[i++])));
  return word;
}

// INSERT/UPDATE/DELETE/REPLACE, also behind a WITH clause: sqlite3_changes() counts their rows.
bool changes_data(sqlite3_stmt* stmt) {
  if (sqlite3_stmt_readonly(stmt)) return false;
  std::string word = first_keyword(sqlite3_sql(stmt));
  return word == "INSERT" || word == "UPDATE" || word == "DELETE" || word == "REPLACE" || word == "WITH";
}

nlohmann::json column_value(sqlite3_stmt* stmt, int col) {
  switch (sqlite3_column_type(stmt, col)) {
    case SQLITE_INTEGER:
      return static_cast<std::int64_t>(sqlite3_column_int64(stmt, col));
    case SQLITE_FLOAT: {
      double v = sqlite3_column_double(stmt, col);
      if (std::isfinite(v)) return v;
      return std::isnan(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
    }
    case SQLITE_TEXT: {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, col));
      int size = sqlite3_column_bytes(stmt, col);
      return valid_utf8(std::string_view(text ? text : "", static_cast<std::size_t>(size)));
    }
    case SQLITE_BLOB: {
      const auto* data = static_cast<const unsigned char*>(sqlite3_column_blob(stmt, col));
      int size = sqlite3_column_bytes(stmt, col);
      return blob_text(data, static_cast<std::size_t>(size));
    }
    default:
      return nullptr;
  }
}

class SqliteTarget final : public Target {
 public:
  SqliteTarget(std::string name, std::string path) : name_(std::move(name)), path_(std::move(path)) {}

  const char* driver() const override { return "sqlite"; }

  util::Result<QueryResult> execute(const std::string& sql, const QueryOptions& options) override {
    if (options.interrupt && options.interrupt->raised()) return failure(kInterruptedMessage);
    if (sql.find('\0') != std::string::npos) return failure(kNulMessage);
    auto opened = connection(options.read_only);
    if (!opened.ok()) return opened.error();
    sqlite3* db = *opened;
    // Again each time: the text of an earlier execution may have turned it off.
    if (options.read_only && sqlite3_exec(db, "PRAGMA query_only=1", nullptr, nullptr, nullptr) != SQLITE_OK)
      return failure(sqlite3_errmsg(db));

    Watch watch;
    watch.interrupt = options.interrupt;
    if (options.timeout.count() > 0) {
      watch.has_deadline = true;
      watch.deadline = Clock::now() + options.timeout;
    }
    sqlite3_progress_handler(db, 1000, on_progress, &watch);
    sqlite3_busy_handler(db, on_busy, &watch);
    auto result = run(db, sql, options, watch);
    // Leave no transaction open: commit what succeeded (as postgres does), roll back after an error.
    if (!sqlite3_get_autocommit(db)) {
      sqlite3_progress_handler(db, 0, nullptr, nullptr);
      sqlite3_busy_handler(db, nullptr, nullptr);
      sqlite3_busy_timeout(db, 2000);
      if (result.ok()) {
        if (sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
          std::string message = std::string("COMMIT failed: ") + sqlite3_errmsg(db);
          sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
          result = failure(message);
        }
      } else {
        sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
      }
    }
    sqlite3_progress_handler(db, 0, nullptr, nullptr);
    sqlite3_busy_handler(db, nullptr, nullptr);
    return result;
  }

  // Opens the file read-only once, to fail early when it is missing or not a database.
  util::Result<bool> check() {
    auto db = connection(true);
    if (!db.ok()) return db.error();
    char* error = nullptr;
    if (sqlite3_exec(*db, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, &error) != SQLITE_OK) {
      std::string message = error ? error : sqlite3_errmsg(*db);
      sqlite3_free(error);
      return failure("target '" + name_ + "': " + path_ + ": " + message);
    }
    return true;
  }

 private:
  util::Result<sqlite3*> connection(bool read_only) {
    Db& slot = read_only ? read_only_ : read_write_;
    if (slot) return slot.get();
    std::error_code ec;
    auto status = std::filesystem::status(path_, ec);
    if (!std::filesystem::exists(status))
      return failure("target '" + name_ + "': SQLite database file not found: " + path_ +
                     " (it is opened, never created)");
    if (std::filesystem::is_directory(status))
      return failure("target '" + name_ + "': " + path_ + " is a directory, not an SQLite database file");
    sqlite3* raw = nullptr;
    int flags = (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE);
    int rc = sqlite3_open_v2(path_.c_str(), &raw, flags, nullptr);
    Db db(raw);
    if (rc != SQLITE_OK) {
      std::string message = db ? sqlite3_errmsg(db.get()) : sqlite3_errstr(rc);
      return failure("target '" + name_ + "': cannot open " + path_ + ": " + message);
    }
    sqlite3_extended_result_codes(db.get(), 1);
    if (read_only && sqlite3_exec(db.get(), "PRAGMA query_only=1", nullptr, nullptr, nullptr) != SQLITE_OK)
      return failure("target '" + name_ + "': " + path_ + ": " + sqlite3_errmsg(db.get()));
    slot = std::move(db);
    return slot.get();
  }

  util::Result<QueryResult> run(sqlite3* db, const std::string& sql, const QueryOptions& options, Watch& watch) {
    QueryResult result;
    const char* next = sql.c_str();
    const char* end = sql.c_str() + sql.size();
    while (next < end) {
      sqlite3_stmt* raw = nullptr;
      const char* tail = nullptr;
      int rc = sqlite3_prepare_v2(db, next, static_cast<int>(end - next), &raw, &tail);
      Stmt stmt(raw);
      if (rc != SQLITE_OK) return error(db, rc, options, watch);
      if (!tail || tail <= next) break;  // nothing consumed (cannot happen without NUL bytes)
      next = tail;
      if (!stmt) continue;  // white space or a comment
      int columns = sqlite3_column_count(stmt.get());
      if (columns > 0) {
        result.columns.clear();
        result.rows.clear();
        result.row_count = 0;
        result.truncated = false;
        for (int c = 0; c < columns; ++c) {
          const char* name = sqlite3_column_name(stmt.get(), c);
          result.columns.push_back(valid_utf8(name ? name : ""));
        }
      }
      while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
        ++result.row_count;
        if (result.rows.size() >= options.max_rows) {
          result.truncated = true;
          continue;
        }
        auto& row = result.rows.emplace_back();
        row.reserve(static_cast<std::size_t>(columns));
        for (int c = 0; c < columns; ++c) row.push_back(column_value(stmt.get(), c));
      }
      if (rc != SQLITE_DONE) return error(db, rc, options, watch);
      if (changes_data(stmt.get())) result.affected = sqlite3_changes64(db);
    }
    result.table = result_table(result);
    return result;
  }

  util::Error error(sqlite3* db, int rc, const QueryOptions& options, const Watch& watch) const {
    if (watch.interrupted) return failure(kInterruptedMessage);
    if (watch.timed_out) {
      std::string message = timed_out_message(options.timeout);
      if ((rc & 0xFF) == SQLITE_BUSY || (rc & 0xFF) == SQLITE_LOCKED)
        message += " waiting for a lock (" + std::string(sqlite3_errmsg(db)) + ")";
      return failure(message);
    }
    std::string message = sqlite3_errmsg(db);
    if ((rc & 0xFF) == SQLITE_READONLY && options.read_only)
      return failure(std::string(kReadOnlyPrefix) + " (" + message + ")");
    if ((rc & 0xFF) == SQLITE_READONLY)
      return failure(message + " (" + path_ + " is not writable)");
    return failure(message);
  }

  std::string name_;
  std::string path_;
  Db read_only_;
  Db read_write_;
};

}  // namespace

util::Result<std::unique_ptr<Target>> open_sqlite(const TargetConfig& config) {
  auto target = std::make_unique<SqliteTarget>(config.name, config.path);
  auto checked = target->check();
  if (!checked.ok()) return checked.error();
  return std::unique_ptr<Target>(std::move(target));
}

}  // namespace runbook::sql::detail
