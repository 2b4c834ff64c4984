#include <doctest.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "sql/target.h"
#include "sql_support.h"

using namespace std::chrono_literals;
using nlohmann::json;
using runbook::sql::open_target;
using runbook::sql::QueryResult;
using runbook::sql::Target;
using runbook::testing::error_of;
using runbook::testing::make_sqlite_db;
using runbook::testing::options;
using runbook::testing::TempDir;

namespace {

const char* kSetup =
    "CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT, price REAL, data BLOB);"
    "INSERT INTO items VALUES (1, 'apple', 1.25, x'00ff10'), (2, 'pear', NULL, NULL),"
    "                         (3, 'plum', 3, zeroblob(5000));";

std::unique_ptr<Target> open_db(const TempDir& dir) {
  auto file = dir.path() / "test.db";
  make_sqlite_db(file, kSetup);
  auto target = open_target({"db", "sqlite", file.string(), ""});
  REQUIRE_MESSAGE(target.ok(), error_of(target));
  CHECK(std::string(target.value()->driver()) == "sqlite");
  return std::move(target.value());
}

QueryResult run_ok(Target& target, const std::string& sql, bool read_only = true) {
  auto r = target.execute(sql, options(read_only));
  REQUIRE_MESSAGE(r.ok(), (sql + ": " + error_of(r)));
  return std::move(r.value());
}

}  // namespace

TEST_CASE("sqlite: rows and value types") {
  TempDir dir;
  auto db = open_db(dir);
  auto r = run_ok(*db, "SELECT id, name, price, data FROM items ORDER BY id");
  CHECK(r.columns == std::vector<std::string>{"id", "name", "price", "data"});
  REQUIRE(r.rows.size() == 3);
  CHECK(r.row_count == 3);
  CHECK_FALSE(r.truncated);
  CHECK(r.affected == -1);
  CHECK(r.rows[0][0] == json(1));
  CHECK(r.rows[0][0].is_number_integer());
  CHECK(r.rows[0][1] == json("apple"));
  CHECK(r.rows[0][2] == json(1.25));
  CHECK(r.rows[0][3] == json("\\x00ff10"));
  CHECK(r.rows[1][2].is_null());
  CHECK(r.rows[1][3].is_null());
  CHECK(r.rows[2][2] == json(3.0));
  // A large blob is cut: the first bytes as hex, then the size.
  std::string blob = r.rows[2][3].get<std::string>();
  CHECK(blob.rfind("\\x0000", 0) == 0);
  CHECK(blob.size() < 9000);
  CHECK(blob.find("(5000 bytes)") != std::string::npos);
  CHECK(r.table.find(" id | name  | price |") == 0);
  CHECK(r.table.find("(3 rows)\n") != std::string::npos);
  // Invalid UTF-8 in a text value is replaced, so the rows always serialise as JSON.
  auto bad = run_ok(*db, "SELECT CAST(x'61ff62' AS TEXT) AS t");
  CHECK(bad.rows[0][0] == json("a\xEF\xBF\xBD" "b"));
  CHECK_NOTHROW((void)json(bad.rows).dump());
}

TEST_CASE("sqlite: several statements, affected counts, the last rows are kept") {
  TempDir dir;
  auto db = open_db(dir);
  auto r = run_ok(*db,
                  "UPDATE items SET price = 2 WHERE id >= 2;\n"
                  "SELECT name FROM items WHERE id = 1;  -- a comment\n"
                  "SELECT id, price FROM items WHERE price = 2 ORDER BY id;\n"
                  "CREATE TABLE other(x);\n",
                  false);
  CHECK(r.affected == 2);  // CREATE TABLE changes no rows
  CHECK(r.columns == std::vector<std::string>{"id", "price"});
  CHECK(r.rows.size() == 2);
  auto del = run_ok(*db, "DELETE FROM items WHERE id = 3; INSERT INTO other VALUES (1), (2), (3);", false);
  CHECK(del.affected == 3);
  CHECK(del.columns.empty());
  CHECK(del.table == "(3 rows affected)\n");
  auto ret = run_ok(*db, "INSERT INTO other VALUES (7) RETURNING x * 2 AS doubled", false);
  CHECK(ret.affected == 1);
  CHECK(ret.rows == std::vector<std::vector<json>>{{json(14)}});
  // The read-only connection sees what the read-write one wrote.
  CHECK(run_ok(*db, "SELECT count(*) AS n FROM other").rows[0][0] == json(4));
  auto empty = run_ok(*db, "  -- nothing\n");
  CHECK(empty.columns.empty());
  CHECK(empty.affected == -1);
  CHECK(empty.table.empty());
}

TEST_CASE("sqlite: read-only executions cannot write") {
  TempDir dir;
  auto db = open_db(dir);
  for (const char* sql : {"UPDATE items SET name = 'x'", "PRAGMA query_only = 0; DELETE FROM items",
                          "CREATE TABLE t(x)"}) {
    auto r = db->execute(sql, options(true));
    REQUIRE_FALSE(r.ok());
    CHECK_MESSAGE(r.error().message.find("read-only") != std::string::npos, r.error().message);
    CHECK_MESSAGE(r.error().message.find("attempt to write a readonly database") != std::string::npos,
                  r.error().message);
  }
  CHECK(run_ok(*db, "SELECT count(*) FROM items WHERE name = 'x'").rows[0][0] == json(0));
  CHECK(run_ok(*db, "SELECT count(*) FROM items").rows[0][0] == json(3));
}

TEST_CASE("sqlite: errors carry the message, and a transaction left open is rolled back") {
  TempDir dir;
  auto db = open_db(dir);
  auto syntax = db->execute("SELEC 1", options(true));
  REQUIRE_FALSE(syntax.ok());
  CHECK(syntax.error().message == "near \"SELEC\": syntax error");
  auto nul = db->execute(std::string("SELECT 1;\0 SELECT 2", 19), options(true));
  REQUIRE_FALSE(nul.ok());
  CHECK(nul.error().message == "the SQL text contains a NUL byte");
  auto failed = db->execute("BEGIN; INSERT INTO items(id, name) VALUES (10, 'kiwi'); SELECT no_such_function()",
                            options(false));
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().message.find("no such function") != std::string::npos);
  CHECK(run_ok(*db, "SELECT count(*) FROM items").rows[0][0] == json(3));
  // Statements before the failing one stay done (SQLite runs each on its own), as in the CLI.
  auto partial = db->execute("INSERT INTO items(id, name) VALUES (11, 'fig'); SELECT * FROM nope", options(false));
  REQUIRE_FALSE(partial.ok());
  CHECK(partial.error().message == "no such table: nope");
  CHECK(run_ok(*db, "SELECT count(*) FROM items").rows[0][0] == json(4));
  // A transaction the text opens and does not close is committed after success.
  run_ok(*db, "BEGIN; DELETE FROM items WHERE id = 11", false);
  CHECK(run_ok(*db, "SELECT count(*) FROM items").rows[0][0] == json(3));
}

TEST_CASE("sqlite: a missing file is an error and is not created") {
  TempDir dir;
  auto file = dir.path() / "missing.db";
  auto r = open_target({"db", "sqlite", file.string(), ""});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == "target 'db': SQLite database file not found: " + file.string() +
                                 " (it is opened, never created)");
  CHECK_FALSE(std::filesystem::exists(file));
  auto not_db = dir.path() / "text.db";
  std::ofstream(not_db) << "this is not a database, just some text that is long enough to have a header";
  auto bad = open_target({"db", "sqlite", not_db.string(), ""});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.find("file is not a database") != std::string::npos);
  CHECK_FALSE(open_target({"db", "sqlite", dir.path().string(), ""}).ok());
}

TEST_CASE("sqlite: max_rows keeps the first rows and counts them all") {
  TempDir dir;
  auto db = open_db(dir);
  auto o = options(true);
  o.max_rows = 10;
  auto r = db->execute("WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 25) SELECT n FROM c", o);
  REQUIRE_MESSAGE(r.ok(), error_of(r));
  CHECK(r->rows.size() == 10);
  CHECK(r->rows.back()[0] == json(10));
  CHECK(r->truncated);
  CHECK(r->row_count == 25);
  CHECK(r->table.find("(25 rows, first 10 shown)\n") != std::string::npos);
}

TEST_CASE("sqlite: statement timeout and interrupt") {
  TempDir dir;
  auto db = open_db(dir);
  const std::string forever =
      "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 1000000000) SELECT count(*) FROM c";
  auto start = std::chrono::steady_clock::now();
  auto r = db->execute(forever, options(true, 200ms));
  auto elapsed = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == "timed out after 0.2s");
  CHECK(elapsed < 3s);

  runbook::exec::Interrupt interrupt;
  auto o = options(true, 0ms);
  o.interrupt = &interrupt;
  std::thread raiser([&] {
    std::this_thread::sleep_for(200ms);
    interrupt.raise();
  });
  start = std::chrono::steady_clock::now();
  auto stopped = db->execute(forever, o);
  elapsed = std::chrono::steady_clock::now() - start;
  raiser.join();
  REQUIRE_FALSE(stopped.ok());
  CHECK(stopped.error().message == "interrupted");
  CHECK(elapsed < 3s);
  // The connection is still usable.
  CHECK(run_ok(*db, "SELECT 1").rows[0][0] == json(1));
}

TEST_CASE("sqlite: a lock held elsewhere ends in a timeout, not a hang") {
  TempDir dir;
  auto db = open_db(dir);
  sqlite3* other = nullptr;
  REQUIRE(sqlite3_open_v2((dir.path() / "test.db").c_str(), &other, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_exec(other, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr) == SQLITE_OK);
  auto r = db->execute("UPDATE items SET name = 'y'", options(false, 300ms));
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  REQUIRE_FALSE(r.ok());
  CHECK_MESSAGE(r.error().message.rfind("timed out after 0.3s waiting for a lock", 0) == 0, r.error().message);
  CHECK(run_ok(*db, "UPDATE items SET name = 'y'", false).affected == 3);
}
