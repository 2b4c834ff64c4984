// SQL classification: statements, comments, literals, sub-statements and functions.
#include <doctest.h>

#include "safety/classifier.h"
#include "safety/sql.h"

using runbook::safety::Classifier;
using runbook::safety::Level;

namespace {

Level sql_level(const char* sql) {
  static const Classifier c;
  return c.classify_sql(sql).level;
}

std::string sql_rule(const char* sql) {
  static const Classifier c;
  return c.classify_sql(sql).rule;
}

}  // namespace

TEST_CASE("read-only SQL statements") {
  CHECK(sql_level("SELECT pid, state, query FROM pg_stat_activity WHERE state <> 'idle';") == Level::ReadOnly);
  CHECK(sql_level("select count(*) from orders where created_at > now() - interval '1 hour'") == Level::ReadOnly);
  CHECK(sql_level("EXPLAIN SELECT * FROM orders WHERE id = 42") == Level::ReadOnly);
  CHECK(sql_level("EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM orders WHERE id = 42") == Level::ReadOnly);
  CHECK(sql_level("SHOW max_connections;") == Level::ReadOnly);
  CHECK(sql_level("WITH recent AS (SELECT * FROM jobs WHERE failed) SELECT count(*) FROM recent") == Level::ReadOnly);
  CHECK(sql_level("VALUES (1, 'a'), (2, 'b')") == Level::ReadOnly);
  CHECK(sql_level("TABLE pg_stat_replication;") == Level::ReadOnly);
  CHECK(sql_level("SHOW PROCESSLIST") == Level::ReadOnly);
  CHECK(sql_level("COPY (SELECT * FROM orders) TO STDOUT WITH CSV HEADER") == Level::ReadOnly);
  CHECK(sql_level("BEGIN; SELECT 1; COMMIT;") == Level::ReadOnly);
  CHECK(sql_level("SELECT * FROM orders FOR UPDATE SKIP LOCKED") == Level::ReadOnly);
  CHECK(sql_level("PRAGMA integrity_check;") == Level::ReadOnly);
  CHECK(sql_rule("SELECT 1") == "sql.select");
}

TEST_CASE("mutating SQL statements") {
  CHECK(sql_level("INSERT INTO audit(note) VALUES ('failover')") == Level::Mutating);
  CHECK(sql_level("UPDATE accounts SET locked = false WHERE id = 7;") == Level::Mutating);
  CHECK(sql_level("CREATE INDEX CONCURRENTLY idx_orders_created ON orders(created_at);") == Level::Mutating);
  CHECK(sql_rule("CREATE INDEX CONCURRENTLY i ON t(c)") == "sql.create-index");
  CHECK(sql_level("ALTER SYSTEM SET max_connections = 500;") == Level::Mutating);
  CHECK(sql_rule("alter system set work_mem = '64MB'") == "sql.alter-system");
  CHECK(sql_level("ALTER TABLE orders ADD COLUMN note text") == Level::Mutating);
  CHECK(sql_level("GRANT SELECT ON ALL TABLES IN SCHEMA public TO readonly;") == Level::Mutating);
  CHECK(sql_level("REVOKE ALL ON orders FROM app") == Level::Mutating);
  CHECK(sql_level("VACUUM (VERBOSE, ANALYZE) orders;") == Level::Mutating);
  CHECK(sql_level("ANALYZE orders;") == Level::Mutating);
  CHECK(sql_level("REINDEX INDEX CONCURRENTLY idx_orders_created;") == Level::Mutating);
  CHECK(sql_level("SET statement_timeout = '5s';") == Level::Mutating);
  CHECK(sql_level("COPY orders FROM '/tmp/orders.csv' CSV") == Level::Mutating);
  CHECK(sql_rule("COPY orders FROM STDIN") == "sql.copy-from");
  CHECK(sql_level("COPY orders TO '/tmp/orders.csv'") == Level::Mutating);
  CHECK(sql_level("CALL rebuild_rollups()") == Level::Mutating);
  CHECK(sql_level("SELECT setval('orders_id_seq', 100000)") == Level::Mutating);
  CHECK(sql_rule("SELECT setval('orders_id_seq', 100000)") == "sql.setval");
  CHECK(sql_level("select nextval('orders_id_seq')") == Level::Mutating);
  CHECK(sql_level("SELECT pg_reload_conf();") == Level::Mutating);
  CHECK(sql_level("SELECT * INTO orders_backup FROM orders") == Level::Mutating);
  CHECK(sql_level("PRAGMA journal_mode = WAL;") == Level::Mutating);
  CHECK(sql_level("DO $$ BEGIN RAISE NOTICE 'hi'; END $$;") == Level::Mutating);
}

TEST_CASE("destructive SQL statements") {
  CHECK(sql_level("DELETE FROM sessions WHERE expires_at < now()") == Level::Destructive);
  CHECK(sql_level("DROP TABLE IF EXISTS tmp_import;") == Level::Destructive);
  CHECK(sql_level("TRUNCATE job_queue;") == Level::Destructive);
  CHECK(sql_level("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE state = 'idle in transaction'") ==
        Level::Destructive);
  CHECK(sql_rule("SELECT pg_terminate_backend(12345);") == "sql.pg_terminate_backend");
  CHECK(sql_level("SELECT pg_cancel_backend(12345);") == Level::Destructive);
  CHECK(sql_level("SELECT pg_catalog.pg_cancel_backend(12345);") == Level::Destructive);
  CHECK(sql_level("select pg_drop_replication_slot('old_replica');") == Level::Destructive);
  CHECK(sql_level("KILL 4711;") == Level::Destructive);
  CHECK(sql_level("WITH gone AS (DELETE FROM jobs WHERE done RETURNING id) SELECT count(*) FROM gone") ==
        Level::Destructive);
  CHECK(sql_level("EXPLAIN ANALYZE DELETE FROM jobs WHERE done") == Level::Destructive);
  CHECK(sql_level("EXPLAIN (ANALYZE true, BUFFERS) UPDATE jobs SET done = true") == Level::Mutating);
  CHECK(sql_level("EXPLAIN DELETE FROM jobs WHERE done") == Level::ReadOnly);
  CHECK(sql_level("EXPLAIN (ANALYZE off) DELETE FROM jobs") == Level::ReadOnly);
  CHECK(sql_level("SELECT count(*) FROM t WHERE id IN (SELECT id FROM u)") == Level::ReadOnly);
  CHECK(sql_level("INSERT INTO archive SELECT * FROM (DELETE FROM live RETURNING *) x") == Level::Destructive);
}

TEST_CASE("the worst statement wins") {
  CHECK(sql_level("SELECT 1; UPDATE t SET a = 1; SELECT 2;") == Level::Mutating);
  CHECK(sql_level("SELECT 1; DROP TABLE t; UPDATE t SET a = 1;") == Level::Destructive);
  CHECK(sql_rule("SELECT 1; DROP TABLE t; DELETE FROM u;") == "sql.drop");
  auto v = Classifier().classify_sql("SELECT 1;\nDROP   TABLE\n users;");
  CHECK(v.subject == "DROP TABLE users");
}

TEST_CASE("comments and literals never count") {
  CHECK(sql_level("-- DROP TABLE users;\nSELECT 1") == Level::ReadOnly);
  CHECK(sql_level("/* DELETE FROM t; */ SELECT 1") == Level::ReadOnly);
  CHECK(sql_level("/* outer /* nested DELETE */ still comment */ SELECT 1") == Level::ReadOnly);
  CHECK(sql_level("SELECT 'DROP TABLE users; DELETE FROM t' AS note") == Level::ReadOnly);
  CHECK(sql_level("SELECT 'it''s fine; DROP TABLE x' ") == Level::ReadOnly);
  CHECK(sql_level("SELECT E'a\\'; DROP TABLE x; --'") == Level::ReadOnly);
  CHECK(sql_level("SELECT $$ ; DROP TABLE x; $$") == Level::ReadOnly);
  CHECK(sql_level("SELECT $body$ pg_terminate_backend(1) $body$") == Level::ReadOnly);
  CHECK(sql_level("SELECT \"delete\" FROM t") == Level::ReadOnly);
  CHECK(sql_level("SELECT 'pg_terminate_backend(1)'") == Level::ReadOnly);
  CHECK(sql_level("SELECT 1 -- ; DROP TABLE t") == Level::ReadOnly);
  CHECK(sql_level("DROP /* harmless? */ TABLE t") == Level::Destructive);
}

TEST_CASE("empty and unknown SQL") {
  CHECK(sql_level("") == Level::ReadOnly);
  CHECK(sql_level("  -- just a comment\n /* and another */ ;;") == Level::ReadOnly);
  CHECK(sql_rule("") == "sql.empty");
  CHECK(sql_level("FROBNICATE the_table") == Level::Mutating);
  CHECK(sql_rule("FROBNICATE the_table") == "sql.unknown");
  CHECK(sql_level("42") == Level::Mutating);
}

TEST_CASE("psql and sqlite meta commands") {
  CHECK(sql_level("\\dt+ public.*") == Level::ReadOnly);
  CHECK(sql_level("\\x\nSELECT * FROM pg_stat_replication;") == Level::ReadOnly);
  CHECK(sql_level("\\copy orders to stdout csv") == Level::ReadOnly);
  CHECK(sql_level("\\copy orders from 'orders.csv' csv") == Level::Mutating);
  CHECK(sql_level("\\i fix.sql") == Level::Mutating);
  CHECK(sql_level("SELECT format('DROP TABLE %I', tablename) FROM pg_tables \\gexec") == Level::Mutating);
  CHECK(sql_level(".tables") == Level::ReadOnly);
  CHECK(sql_level(".schema orders") == Level::ReadOnly);
  CHECK(sql_level(".import data.csv orders") == Level::Mutating);
  CHECK(sql_level("SELECT 1.5 FROM t") == Level::ReadOnly);
}

TEST_CASE("split_sql keeps statement text") {
  auto st = runbook::safety::split_sql("select 1;  -- c\n update t set a = ';' ; \\dt");
  REQUIRE(st.size() == 3);
  CHECK(st[0].text == "select 1");
  CHECK(st[1].text == "update t set a = ';'");
  CHECK(st[2].text == "\\dt");
}
