#pragma once
// Helpers for the sql suites: a temporary SQLite file built with the C API, and a PostgreSQL
// schema of its own per test case (RUNBOOK_TEST_PG, set by `./dev test`).

#include <doctest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "sql/target.h"

#include "test_support.h"

namespace runbook::testing {


/// Creates an SQLite database file with the sqlite3 C API and runs `setup_sql` in it.
inline void make_sqlite_db(const std::filesystem::path& file, const std::string& setup_sql) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  REQUIRE(rc == SQLITE_OK);
  char* error = nullptr;
  rc = sqlite3_exec(db, setup_sql.c_str(), nullptr, nullptr, &error);
  std::string message = error ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  REQUIRE_MESSAGE(rc == SQLITE_OK, message);
}

/// The error text of a failed result ("" when it succeeded).
template <typename T>
std::string error_of(const util::Result<T>& r) {
  return r.ok() ? std::string() : r.error().describe();
}

/// Options with a small timeout, writes allowed or not.
inline sql::QueryOptions options(bool read_only, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  sql::QueryOptions o;
  o.read_only = read_only;
  o.timeout = timeout;
  return o;
}

/// RUNBOOK_TEST_PG, or nothing (with a message) when it is not set: the PostgreSQL cases are then
/// skipped. When it is set, an unreachable server fails the cases.
inline std::optional<std::string> test_pg_dsn() {
  const char* v = std::getenv("RUNBOOK_TEST_PG");
  if (v && *v) return std::string(v);
  MESSAGE("RUNBOOK_TEST_PG is not set: PostgreSQL cases skipped (./dev test starts a server and sets it)");
  return std::nullopt;
}

/// A connection to the test server and a schema of its own, dropped at the end.
class PgSchema {
 public:
  explicit PgSchema(const std::string& dsn) {
    static std::atomic<int> counter{0};
    name_ = "runbook_t_" + std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" +
            std::to_string(std::chrono::steady_clock::now().time_since_epoch().count() % 1000000);
    auto opened = sql::open_target({"test", "postgres", "", dsn});
    REQUIRE_MESSAGE(opened.ok(), ("RUNBOOK_TEST_PG is set but the server cannot be used: " + error_of(opened)));
    target_ = std::move(opened.value());
    auto created = target_->execute("CREATE SCHEMA " + name_, options(false));
    REQUIRE_MESSAGE(created.ok(), error_of(created));
  }
  ~PgSchema() {
    if (target_) target_->execute("DROP SCHEMA IF EXISTS " + name_ + " CASCADE", options(false));
  }
  PgSchema(const PgSchema&) = delete;
  PgSchema& operator=(const PgSchema&) = delete;

  /// The schema name, to qualify tables: s.name() + ".items".
  const std::string& name() const { return name_; }
  sql::Target& target() { return *target_; }

 private:
  std::string name_;
  std::unique_ptr<sql::Target> target_;
};

}  // namespace runbook::testing
