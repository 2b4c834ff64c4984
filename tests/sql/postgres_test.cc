// Against a real PostgreSQL server: RUNBOOK_TEST_PG (set by ./dev test). Unset: the cases say so
// and pass; set but unreachable: they fail.

#include <doctest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "process_support.h"
#include "sql/target.h"
#include "sql_support.h"

using namespace std::chrono_literals;
using nlohmann::json;
using runbook::sql::open_target;
using runbook::sql::QueryResult;
using runbook::sql::Target;
using runbook::testing::error_of;
using runbook::testing::options;
using runbook::testing::PgSchema;
using runbook::testing::test_pg_dsn;

namespace {

QueryResult run_ok(Target& target, const std::string& sql, bool read_only = true) {
  auto r = target.execute(sql, options(read_only));
  REQUIRE_MESSAGE(r.ok(), (sql + ": " + error_of(r)));
  return std::move(r.value());
}

// A schema with items(id, name, price).
void make_items(PgSchema& s) {
  run_ok(s.target(),
         "CREATE TABLE " + s.name() + ".items(id int PRIMARY KEY, name text, price numeric);"
         "INSERT INTO " + s.name() + ".items VALUES (1, 'apple', 1.25), (2, 'pear', NULL), (3, 'plum', 3)",
         false);
}

json count_items(PgSchema& s, const std::string& where = "true") {
  return run_ok(s.target(), "SELECT count(*) FROM " + s.name() + ".items WHERE " + where).rows.at(0).at(0);
}

}  // namespace

TEST_CASE("postgres: value types") {
  auto dsn = test_pg_dsn();
  if (!dsn) return;
  PgSchema s(*dsn);
  CHECK(std::string(s.target().driver()) == "postgres");
  auto r = run_ok(s.target(),
                  "SELECT 1::int2 AS a, 2::int4 AS b, 9007199254740993::int8 AS c, 1.5::float4 AS d, 0.1::float8 AS e,"
                  " 12.50::numeric AS f, 123456789012345678901234::numeric AS g, 0.1234567890123456789::numeric AS h,"
                  " true AS i, false AS j, NULL::text AS k, 'tëxt' AS l, 'NaN'::float8 AS m, '\\x01ff'::bytea AS n,"
                  " DATE '2024-02-29' AS o, 42::oid AS p, 'Infinity'::numeric AS q");
  REQUIRE(r.rows.size() == 1);
  const auto& row = r.rows[0];
  CHECK(r.columns.size() == 17);
  CHECK(r.columns[0] == "a");
  CHECK(row[0] == json(1));
  CHECK(row[1] == json(2));
  CHECK(row[2] == json(9007199254740993LL));  // exact, as a 64-bit integer
  CHECK(row[2].is_number_integer());
  CHECK(row[3] == json(1.5));
  CHECK(row[4] == json(0.1));
  CHECK(row[5] == json(12.5));
  CHECK(row[6] == json("123456789012345678901234"));
  CHECK(row[7] == json("0.1234567890123456789"));
  CHECK(row[8] == json(true));
  CHECK(row[9] == json(false));
  CHECK(row[10].is_null());
  CHECK(row[11] == json("tëxt"));
  CHECK(row[12] == json("NaN"));
  CHECK(row[13] == json("\\x01ff"));
  CHECK(row[14] == json("2024-02-29"));
  CHECK(row[15] == json(42));
  CHECK(row[16] == json("Infinity"));
  CHECK(r.affected == -1);
  CHECK(r.table.find("(1 row)\n") != std::string::npos);
}

TEST_CASE("postgres: rows, several statements and affected counts") {
  auto dsn = test_pg_dsn();
  if (!dsn) return;
  PgSchema s(*dsn);
  make_items(s);
  const std::string t = s.name() + ".items";
  auto r = run_ok(s.target(), "SELECT id, name, price FROM " + t + " ORDER BY id");
  CHECK(r.columns == std::vector<std::string>{"id", "name", "price"});
  REQUIRE(r.rows.size() == 3);
  CHECK(r.row_count == 3);
  CHECK(r.rows[1] == std::vector<json>{json(2), json("pear"), json(nullptr)});
  CHECK(r.table ==
        " id | name  | price\n"
        "----+-------+-------\n"
        "  1 | apple |  1.25\n"
        "  2 | pear  |\n"
        "  3 | plum  |     3\n"
        "(3 rows)\n");

  auto multi = run_ok(s.target(),
                      "UPDATE " + t + " SET price = 5 WHERE id >= 2;"
                      "SELECT name FROM " + t + " WHERE id = 1;"
                      "SELECT id FROM " + t + " WHERE price = 5 ORDER BY id;"
                      "CREATE TABLE " + s.name() + ".other(x int);",
                      false);
  CHECK(multi.affected == 2);
  CHECK(multi.columns == std::vector<std::string>{"id"});
  CHECK(multi.rows == std::vector<std::vector<json>>{{json(2)}, {json(3)}});

  auto del = run_ok(s.target(), "DELETE FROM " + t + " WHERE id = 3", false);
  CHECK(del.affected == 1);
  CHECK(del.columns.empty());
  CHECK(del.table == "(1 row affected)\n");
  auto ret = run_ok(s.target(), "INSERT INTO " + t + " VALUES (7, 'fig', 1), (8, 'kiwi', 2) RETURNING id * 10 AS x",
                    false);
  CHECK(ret.affected == 2);
  CHECK(ret.rows == std::vector<std::vector<json>>{{json(70)}, {json(80)}});
  // A statement returning no rows still sets the columns.
  auto none = run_ok(s.target(), "SELECT 1 AS a; SELECT name FROM " + t + " WHERE false");
  CHECK(none.columns == std::vector<std::string>{"name"});
  CHECK(none.rows.empty());
  CHECK(none.table == " name\n------\n(0 rows)\n");
}

TEST_CASE("postgres: read-only executions cannot write, also when the text ends the transaction") {
  auto dsn = test_pg_dsn();
  if (!dsn) return;
  PgSchema s(*dsn);
  make_items(s);
  const std::string t = s.name() + ".items";
  for (const std::string& sql : {"UPDATE " + t + " SET name = 'x'",
                                 "COMMIT; UPDATE " + t + " SET name = 'x'",
                                 "SET TRANSACTION READ WRITE; UPDATE " + t + " SET name = 'x'"}) {
    auto r = s.target().execute(sql, options(true));
    REQUIRE_FALSE(r.ok());
    const std::string& m = r.error().message;
    if (sql.rfind("SET TRANSACTION", 0) == 0) {
      CHECK_MESSAGE(m == "transaction read-write mode must be set before any query (SQLSTATE 25001)", m);
    } else {
      CHECK_MESSAGE(m.rfind("read-only: ", 0) == 0, (sql + " -> " + m));
      CHECK_MESSAGE(m.find("cannot execute UPDATE in a read-only transaction (SQLSTATE 25006)") != std::string::npos, m);
    }
  }
  CHECK(count_items(s, "name = 'x'") == json(0));
  // The same connection writes when allowed to.
  CHECK(run_ok(s.target(), "UPDATE " + t + " SET name = 'x' WHERE id = 1", false).affected == 1);
}

TEST_CASE("postgres: errors carry the server message and roll back") {
  auto dsn = test_pg_dsn();
  if (!dsn) return;
  PgSchema s(*dsn);
  make_items(s);
  const std::string t = s.name() + ".items";
  auto syntax = s.target().execute("SELEC 1", options(true));
  REQUIRE_FALSE(syntax.ok());
  CHECK(syntax.error().message == "syntax error at or near \"SELEC\" (SQLSTATE 42601)");
  auto missing = s.target().execute("SELECT * FROM " + s.name() + ".nope", options(true));
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message == "relation \"" + s.name() + ".nope\" does not exist (SQLSTATE 42P01)");
  // Everything the text did is rolled back.
  auto failed = s.target().execute("INSERT INTO " + t + " VALUES (9, 'x', 1); SELECT 1 / 0", options(false));
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().message == "division by zero (SQLSTATE 22012)");
  CHECK(count_items(s) == json(3));
  auto dup = s.target().execute("INSERT INTO " + t + " VALUES (1, 'again', 1)", options(false));
  REQUIRE_FALSE(dup.ok());
  CHECK(dup.error().message.find("duplicate key value violates unique constraint") == 0);
  CHECK(dup.error().message.find("(SQLSTATE 23505); detail: Key (id)=(1) already exists.") != std::string::npos);
  // COPY has no place to go.
  for (const std::string& copy : {"COPY " + t + " TO STDOUT", "COPY " + t + " FROM STDIN"}) {
    auto r = s.target().execute(copy, options(false));
    REQUIRE_FALSE(r.ok());
    CHECK_MESSAGE(r.error().message.find("COPY") != std::string::npos, r.error().message);
  }
  // The connection is usable afterwards.
  CHECK(count_items(s) == json(3));
}

TEST_CASE("postgres: statement timeout") {
  auto dsn = test_pg_dsn();
  if (!dsn) return;
  PgSchema s(*dsn);
  auto start = std::chrono::steady_clock::now();
  auto r = s.target().execute("SELECT pg_sleep(5)", options(true, 200ms));
  auto elapsed = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(r.ok());
  CHECK_MESSAGE(r.error().message.rfind("timed out after 0.2s", 0) == 0, r.error().message);
  CHECK(elapsed < 3s);
  CHECK(run_ok(s.target(), "SELECT 2 AS two").rows[0][0] == json(2));
  // The timeout covers the whole text, not only each statement.
  start = std::chrono::steady_clock::now();
  auto several = s.target().execute("SELECT pg_sleep(0.15); SELECT pg_sleep(0.15); SELECT pg_sleep(0.15)",
                                    options(true, 200ms));
  elapsed = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(several.ok());
  CHECK_MESSAGE(several.error().message.rfind("timed out after 0.2s", 0) == 0, several.error().message);
  CHECK(elapsed < 1s);
}

TEST_CASE("postgres: an interrupt from another thread cancels the query") {
  auto dsn = test_pg_dsn();
  if (!dsn) return;
  PgSchema s(*dsn);
  runbook::exec::Interrupt interrupt;
  auto o = options(true, 30s);
  o.interrupt = &interrupt;
  std::thread raiser([&] {
    std::this_thread::sleep_for(300ms);
    interrupt.raise();
  });
  auto start = std::chrono::steady_clock::now();
  auto r = s.target().execute("SELECT pg_sleep(5)", o);
  auto elapsed = std::chrono::steady_clock::now() - start;
  raiser.join();
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == "interrupted");
  CHECK(elapsed < 3s);
  // The server stopped sleeping: the next query on the same connection answers at once.
  start = std::chrono::steady_clock::now();
  CHECK(run_ok(s.target(), "SELECT 1").rows[0][0] == json(1));
  CHECK(std::chrono::steady_clock::now() - start < 2s);
  // Still raised: nothing runs.
  auto again = s.target().execute("SELECT 1", o);
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().message == "interrupted");
}

TEST_CASE("postgres: a connection the server closed is reopened") {
  auto dsn = test_pg_dsn();
  if (!dsn) return;
  PgSchema s(*dsn);
  json pid = run_ok(s.target(), "SELECT pg_backend_pid()").rows.at(0).at(0);
  auto other = open_target({"other", "postgres", "", *dsn});
  REQUIRE_MESSAGE(other.ok(), error_of(other));
  CHECK(run_ok(**other, "SELECT pg_terminate_backend(" + pid.dump() + ")").rows.at(0).at(0) == json(true));
  std::this_thread::sleep_for(100ms);
  auto r = run_ok(s.target(), "SELECT pg_backend_pid()");
  CHECK(r.rows.at(0).at(0) != pid);
}

TEST_CASE("postgres: max_rows keeps the first rows and counts them all") {
  auto dsn = test_pg_dsn();
  if (!dsn) return;
  PgSchema s(*dsn);
  auto o = options(true);
  o.max_rows = 10;
  auto r = s.target().execute("SELECT n FROM generate_series(1, 25) AS n", o);
  REQUIRE_MESSAGE(r.ok(), error_of(r));
  CHECK(r->rows.size() == 10);
  CHECK(r->rows.back()[0] == json(10));
  CHECK(r->truncated);
  CHECK(r->row_count == 25);
  CHECK(r->table.find("(25 rows, first 10 shown)\n") != std::string::npos);
}

TEST_CASE("postgres: a bad connection string or an unreachable server is a clear error") {
  auto refused = open_target({"pg", "postgres", "", "host=127.0.0.1 port=1 dbname=x user=x connect_timeout=3"});
  REQUIRE_FALSE(refused.ok());
  CHECK_MESSAGE(refused.error().message.rfind("target 'pg': cannot connect to PostgreSQL: ", 0) == 0,
                refused.error().message);
  CHECK(refused.error().message.find("127.0.0.1") != std::string::npos);
  CHECK(refused.error().message.find('\n') == std::string::npos);
  auto syntax = open_target({"pg", "postgres", "", "host=127.0.0.1 nonsense=1"});
  REQUIRE_FALSE(syntax.ok());
  CHECK_MESSAGE(syntax.error().message.find("invalid connection option \"nonsense\"") != std::string::npos,
                syntax.error().message);

  auto dsn = test_pg_dsn();
  if (!dsn) return;
  auto wrong_password = open_target({"pg", "postgres", "", *dsn + " password=wrong"});
  REQUIRE_FALSE(wrong_password.ok());
  CHECK_MESSAGE(wrong_password.error().message.find("password authentication failed") != std::string::npos,
                wrong_password.error().message);
  CHECK(wrong_password.error().message.find("wrong") == std::string::npos);
}

// Run in a process of its own by the case below (the library is opened once per process and
// the outcome kept, so this process may already have it): reports on stdout.
TEST_CASE("postgres: [child] connecting without the client library") {
  if (!std::getenv("RUNBOOK_LIBPQ_CHILD")) return;  // only as the child of the case below
  auto opened = open_target({"pg", "postgres", "", "host=127.0.0.1 port=1 dbname=x"});
  std::printf("%s\n", opened.ok() ? "opened" : opened.error().message.c_str());
}

TEST_CASE("postgres: without the client library, connecting is a clear error naming the package") {
  auto r = runbook::testing::run_process(
      {"/proc/self/exe", "--test-case=postgres: [child] connecting without the client library", "--no-version"},
      {"RUNBOOK_LIBPQ_CHILD=1", "RUNBOOK_LIBPQ=/nonexistent/libpq-for-runbook-tests.so.5"});
  CHECK_MESSAGE(r.out.find("target 'pg': cannot load the PostgreSQL client library (") != std::string::npos, r.out);
  CHECK_MESSAGE(r.out.find("/nonexistent/libpq-for-runbook-tests.so.5") != std::string::npos, r.out);
  CHECK_MESSAGE(r.out.find("apt-get install libpq5") != std::string::npos, r.out);
}
