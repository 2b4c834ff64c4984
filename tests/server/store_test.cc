// The runs table on its own: durability across reopening, the queue order, recovery after a
// crash, and one server per state file.
#include <doctest.h>

#include "server/store.h"
#include "server_support.h"

using namespace runbook;
using namespace runbook::testing;
using server::Recorded;

namespace {

server::IncomingAlert firing(const std::string& name, const std::string& fp, bool resolved = false) {
  server::IncomingAlert a;
  a.source = "alertmanager";
  a.alertname = name;
  a.fingerprint = fp;
  a.resolved = resolved;
  a.alert = {{"labels", {{"alertname", name}}}, {"annotations", json::object()},
             {"status", resolved ? "resolved" : "firing"}};
  return a;
}

}  // namespace

TEST_CASE("store: recorded alerts survive closing; claims go oldest first; recover marks running interrupted") {
  TempDir tmp("store");
  const std::string path = tmp.sub("nested/dir/state.db");
  {
    auto store = server::Store::open(path);
    REQUIRE(store.ok());
    auto rec = (*store)->record({firing("A", "fa"), firing("B", "fb"), firing("C", "fc")}, false);
    REQUIRE(rec.ok());
    CHECK(rec->size() == 3);
    CHECK((*rec)[0].kind == Recorded::Kind::Created);
    CHECK((*rec)[2].run_id == 3);
    auto claimed = (*store)->claim_next();
    REQUIRE(claimed.ok());
    REQUIRE(claimed->has_value());
    CHECK((**claimed).id == 1);
    CHECK((**claimed).status == "running");
    CHECK((**claimed).alert["labels"]["alertname"] == "A");
    CHECK_FALSE((**claimed).started_at.empty());
  }  // closed as after kill -9: the lock and the connection go with the process
  auto store = server::Store::open(path);
  REQUIRE(store.ok());
  auto recovered = (*store)->recover();
  REQUIRE(recovered.ok());
  CHECK(*recovered == 1);
  auto one = (*store)->get(1);
  REQUIRE(one.ok());
  CHECK((**one).status == "interrupted");
  CHECK_FALSE((**one).finished_at.empty());
  auto next = (*store)->claim_next();
  CHECK((**next).id == 2);
  auto finished = (*store)->finish(2, "completed", 0, json{{"outcome", "completed"}}, "pb.md");
  REQUIRE(finished.ok());
  CHECK(*finished);
  CHECK((**(*store)->get(2)).summary["outcome"] == "completed");
  CHECK((**(*store)->get(2)).playbook == "pb.md");
  // A run cannot be finished twice (or after it was cancelled).
  CHECK_FALSE(*(*store)->finish(2, "failed", 6, json(), ""));
  auto counts = (*store)->count_active();
  REQUIRE(counts.ok());
  CHECK((*counts)["queued"] == 1);
  CHECK((*counts)["running"] == 0);
  auto list = (*store)->list(10);
  REQUIRE(list.ok());
  CHECK(list->size() == 3);
  CHECK(list->front().id == 3);
}

TEST_CASE("store: dedupe and resolved bookkeeping in one transaction") {
  TempDir tmp("store");
  auto store = server::Store::open(tmp.sub("state.db"));
  REQUIRE(store.ok());
  auto& s = **store;
  auto rec = s.record({firing("A", "fa"), firing("A", "fa"), firing("Z", "fz", true)}, false);
  REQUIRE(rec.ok());
  CHECK((*rec)[0].kind == Recorded::Kind::Created);
  CHECK((*rec)[1].kind == Recorded::Kind::Duplicate);
  CHECK((*rec)[1].run_id == 1);
  CHECK((*rec)[2].kind == Recorded::Kind::ResolvedIgnored);

  auto resolved = s.record({firing("A", "fa", true)}, true);
  REQUIRE(resolved.ok());
  CHECK((*resolved)[0].kind == Recorded::Kind::ResolvedRecorded);
  CHECK((*resolved)[0].cancelled_queued);  // still queued: cancelled in the same transaction
  CHECK((**s.get(1)).status == "cancelled");
  CHECK((**s.get(1)).resolved_seen);
  CHECK_FALSE(s.claim_next()->has_value());  // nothing left to run

  REQUIRE(s.record({firing("B", "fb")}, false).ok());
  REQUIRE(s.claim_next()->has_value());
  auto running = s.record({firing("B", "fb", true)}, true);
  CHECK((*running)[0].cancel_running);  // the caller interrupts it
  CHECK_FALSE((*running)[0].cancelled_queued);
}

TEST_CASE("store: a second server on the same state file is refused") {
  TempDir tmp("store");
  auto first = server::Store::open(tmp.sub("state.db"));
  REQUIRE(first.ok());
  auto second = server::Store::open(tmp.sub("state.db"));
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().message.find("in use by another runbook serve") != std::string::npos);
}

TEST_CASE("store: the database is in WAL mode with synchronous=FULL") {
  TempDir tmp("store");
  auto store = server::Store::open(tmp.sub("state.db"));
  REQUIRE(store.ok());
  REQUIRE((*store)->record({firing("A", "fa")}, false).ok());
  CHECK(std::filesystem::exists(tmp.sub("state.db-wal")));
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(tmp.sub("state.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, nullptr);
  REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))) == "wal");
  sqlite3_finalize(st);
  sqlite3_close(db);
  CHECK(statuses_on_disk(tmp.sub("state.db")).at(1) == "queued");
}
