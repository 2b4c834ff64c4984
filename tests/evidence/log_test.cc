#include <doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <functional>
#include <string>

#include "evidence/evidence_test_util.h"
#include "evidence/log.h"
#include "util/sha256.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using runbook::evidence::EvidenceLog;
using runbook::evidence::kGenesisHash;
using runbook::evidence::Redactor;
using runbook::testing::lines_of;
using runbook::testing::read_all;
using runbook::testing::TempDir;

std::unique_ptr<EvidenceLog> make_log(const std::string& dir, Redactor r = Redactor()) {
  auto log = EvidenceLog::create(dir, std::move(r));
  REQUIRE_MESSAGE(log.ok(), runbook::testing::why(log));
  return std::move(log.value());
}

/// A log of `n` records of a few shapes.
std::string write_chain(const TempDir& tmp, int n) {
  const std::string dir = tmp.sub("run");
  auto log = make_log(dir);
  for (int i = 1; i <= n; ++i) {
    auto r = log->append(i % 2 ? "step-started" : "command-finished",
                         {{"step", "s" + std::to_string(i)}, {"exit", i * 7}, {"list", {1, "two", nullptr}}});
    REQUIRE_MESSAGE(r.ok(), runbook::testing::why(r));
  }
  return dir;
}

std::string log_file(const std::string& dir) { return (fs::path(dir) / runbook::evidence::kLogFile).string(); }

}  // namespace

TEST_CASE("records carry seq, a UTC millisecond timestamp, the type and the previous line's hash") {
  TempDir tmp;
  const std::string dir = tmp.sub("run");
  auto log = make_log(dir);
  CHECK(log->last_seq() == 0);
  CHECK(log->last_hash() == kGenesisHash);
  CHECK(fs::is_directory(fs::path(dir) / "outputs"));

  auto first = log->append("run-started", {{"playbook", "disk.md"}});
  REQUIRE(first.ok());
  CHECK((*first)["seq"] == 1);
  CHECK((*first)["prev"] == kGenesisHash);
  CHECK((*first)["type"] == "run-started");
  CHECK((*first)["playbook"] == "disk.md");
  const std::string ts = (*first)["ts"];
  REQUIRE(ts.size() == 24);
  CHECK(ts[10] == 'T');
  CHECK(ts[19] == '.');
  CHECK(ts.back() == 'Z');

  auto second = log->append("note", json::object());
  REQUIRE(second.ok());
  const auto lines = lines_of(read_all(log_file(dir)));
  REQUIRE(lines.size() == 2);
  CHECK((*second)["prev"] == runbook::util::sha256_hex(lines[0]));
  CHECK(log->last_hash() == runbook::util::sha256_hex(lines[1]));
  CHECK(log->last_seq() == 2);
  // The envelope comes first, in this order.
  CHECK(lines[0].rfind("{\"seq\":1,\"ts\":\"" + ts + "\",\"type\":\"run-started\",\"prev\":\"" + kGenesisHash + "\",", 0) == 0);
  CHECK(lines[1].rfind("{\"seq\":2,", 0) == 0);
  CHECK(json::parse(lines[1]) == *second);
}

TEST_CASE("append refuses reserved fields, non-object fields and an empty type") {
  TempDir tmp;
  auto log = make_log(tmp.sub("run"));
  CHECK_FALSE(log->append("x", {{"seq", 5}}).ok());
  CHECK_FALSE(log->append("x", {{"prev", "a"}}).ok());
  CHECK_FALSE(log->append("x", json::array({1, 2})).ok());
  CHECK_FALSE(log->append("", json::object()).ok());
  CHECK(log->append("x", nullptr).ok());
  CHECK(log->last_seq() == 1);
}

TEST_CASE("a chain of records verifies") {
  TempDir tmp;
  const std::string dir = write_chain(tmp, 25);
  auto v = runbook::evidence::verify(dir);
  CHECK(v.ok);
  CHECK(v.records == 25);
  CHECK(v.broken_seq == 0);
  CHECK(v.reason.empty());
  CHECK_FALSE(v.torn_tail);
  auto r = runbook::evidence::read_log(dir);
  REQUIRE(r.ok());
  CHECK(r->records.size() == 25);
  CHECK(r->problem.empty());
  CHECK(r->records[24]["seq"] == 25);
}

TEST_CASE("flipping any byte of a middle record makes verify name that record") {
  TempDir tmp;
  const std::string dir = write_chain(tmp, 10);
  const std::string original = read_all(log_file(dir));
  const auto lines = lines_of(original);
  const std::size_t start = original.find(lines[4]);  // record 5, line 5
  REQUIRE(start != std::string::npos);
  int checked = 0;
  for (std::size_t i = 0; i < lines[4].size(); ++i) {
    std::string doctored = original;
    doctored[start + i] = static_cast<char>(doctored[start + i] ^ 0x01);
    runbook::testing::write_all(log_file(dir), doctored);
    auto v = runbook::evidence::verify(dir);
    INFO("flipped byte " << i << " ('" << original[start + i] << "'): " << v.reason);
    REQUIRE_FALSE(v.ok);
    CHECK(v.broken_line == 5);
    CHECK(v.records == 4);
    if (v.reason.find("seq") == std::string::npos) CHECK(v.broken_seq == 5);
    ++checked;
  }
  CHECK(checked == static_cast<int>(lines[4].size()));
  CHECK(checked > 150);
}

TEST_CASE("verify says why: bad JSON, missing field, seq gap, prev mismatch") {
  TempDir tmp;
  const std::string dir = write_chain(tmp, 6);
  const std::string original = read_all(log_file(dir));
  auto lines = lines_of(original);
  auto join = [](const std::vector<std::string>& ls) {
    std::string out;
    for (const auto& l : ls) out += l + "\n";
    return out;
  };

  SUBCASE("a deleted line is a seq gap") {
    auto ls = lines;
    ls.erase(ls.begin() + 2);  // record 3
    runbook::testing::write_all(log_file(dir), join(ls));
    auto v = runbook::evidence::verify(dir);
    CHECK_FALSE(v.ok);
    CHECK(v.broken_line == 3);
    CHECK(v.broken_seq == 4);
    CHECK(v.records == 2);
    CHECK(v.reason == "seq gap: expected 3, found 4");
  }
  SUBCASE("bad JSON") {
    auto ls = lines;
    ls[3] = ls[3].substr(0, 20);
    runbook::testing::write_all(log_file(dir), join(ls));
    auto v = runbook::evidence::verify(dir);
    CHECK_FALSE(v.ok);
    CHECK(v.broken_line == 4);
    CHECK(v.broken_seq == 4);
    CHECK(v.reason.rfind("bad JSON", 0) == 0);
    // read_log skips the line, names it, and keeps the others.
    auto r = runbook::evidence::read_log(dir);
    REQUIRE(r.ok());
    CHECK(r->records.size() == 5);
    CHECK(r->problem_line == 4);
    CHECK_FALSE(r->torn_tail);
  }
  SUBCASE("a missing field") {
    auto ls = lines;
    json j = json::parse(ls[1]);
    j.erase("ts");
    ls[1] = j.dump();
    runbook::testing::write_all(log_file(dir), join(ls));
    auto v = runbook::evidence::verify(dir);
    CHECK(v.broken_line == 2);
    CHECK(v.reason == "missing field 'ts'");
    auto r = runbook::evidence::read_log(dir);
    REQUIRE(r.ok());
    CHECK(r->problem == "missing field 'ts'");
    CHECK(r->problem_line == 2);
  }
  SUBCASE("a record rewritten with a new hash chain after it is a prev mismatch at the first rewritten link") {
    // Replace record 6's prev with the hash of a different line: the last record cannot be
    // confirmed by a successor, so the record whose prev is wrong is named.
    auto ls = lines;
    json j = json::parse(ls[5]);
    j["prev"] = runbook::util::sha256_hex("something else");
    ls[5] = j.dump();
    runbook::testing::write_all(log_file(dir), join(ls));
    auto v = runbook::evidence::verify(dir);
    CHECK(v.broken_line == 6);
    CHECK(v.broken_seq == 6);
    CHECK(v.reason.rfind("prev mismatch", 0) == 0);
  }
  SUBCASE("a first record that does not start from the genesis hash") {
    auto ls = lines;
    json j = json::parse(ls[0]);
    j["prev"] = std::string(64, 'f');
    ls[0] = j.dump();
    runbook::testing::write_all(log_file(dir), join(ls));
    auto v = runbook::evidence::verify(dir);
    CHECK(v.broken_line == 1);
    CHECK(v.reason.find("genesis") != std::string::npos);
  }
  SUBCASE("an empty line") {
    auto ls = lines;
    ls.insert(ls.begin() + 1, "");
    runbook::testing::write_all(log_file(dir), join(ls));
    auto v = runbook::evidence::verify(dir);
    CHECK(v.broken_line == 2);
    CHECK(v.broken_seq == 2);
  }
}

TEST_CASE("a torn last line is reported, never parsed, and reopen moves it aside") {
  TempDir tmp;
  const std::string dir = write_chain(tmp, 3);
  const std::string file = log_file(dir);
  const std::string whole = read_all(file);

  SUBCASE("a partial line") {
    const std::string torn = R"({"seq":4,"ts":"2026-11-24T03:58:10.123Z","type":"comm)";
    runbook::testing::append_raw(file, torn);
    auto r = runbook::evidence::read_log(dir);
    REQUIRE(r.ok());
    CHECK(r->torn_tail);
    CHECK(r->torn_offset == whole.size());
    CHECK(r->records.size() == 3);
    CHECK(r->problem.empty());
    auto v = runbook::evidence::verify(dir);
    CHECK(v.ok);
    CHECK(v.torn_tail);
    CHECK(v.records == 3);

    auto log = EvidenceLog::reopen(dir, Redactor());
    REQUIRE_MESSAGE(log.ok(), runbook::testing::why(log));
    CHECK((*log)->last_seq() == 3);
    CHECK(read_all(file) == whole);
    CHECK(read_all(fs::path(dir) / runbook::evidence::kTornFile) == torn + "\n");
    REQUIRE((*log)->append("resumed", {{"n", 1}}).ok());
    REQUIRE((*log)->append("more", {{"n", 2}}).ok());
  }
  SUBCASE("a whole record without its newline is still torn") {
    // Take the last line off and write it back without '\n': it parses, but must not be trusted.
    const auto lines = lines_of(whole);
    const std::string cut = whole.substr(0, whole.size() - lines.back().size() - 1);
    runbook::testing::write_all(file, cut + lines.back());
    auto r = runbook::evidence::read_log(dir);
    REQUIRE(r.ok());
    CHECK(r->torn_tail);
    CHECK(r->records.size() == 2);
    auto v = runbook::evidence::verify(dir);
    CHECK(v.ok);
    CHECK(v.torn_tail);
    CHECK(v.records == 2);
    {
      auto log = EvidenceLog::reopen(dir, Redactor());
      REQUIRE(log.ok());
      CHECK((*log)->last_seq() == 2);
      REQUIRE((*log)->append("after", json::object()).ok());
    }
  }
  auto v = runbook::evidence::verify(dir);
  CHECK(v.ok);
  CHECK_FALSE(v.torn_tail);
  CHECK(v.records >= 3);
}

TEST_CASE("torn fragments from two crashes are both kept") {
  TempDir tmp;
  const std::string dir = write_chain(tmp, 2);
  const std::string file = log_file(dir);
  runbook::testing::append_raw(file, "{\"seq\":3,\"ts");
  { REQUIRE(EvidenceLog::reopen(dir, Redactor()).ok()); }
  runbook::testing::append_raw(file, "{\"se");
  {
    auto log = EvidenceLog::reopen(dir, Redactor());
    REQUIRE(log.ok());
    REQUIRE((*log)->append("x", json::object()).ok());
  }
  CHECK(read_all(fs::path(dir) / runbook::evidence::kTornFile) == "{\"seq\":3,\"ts\n{\"se\n");
  auto v = runbook::evidence::verify(dir);
  CHECK(v.ok);
  CHECK(v.records == 3);
}

TEST_CASE("reopen refuses a log that does not verify") {
  TempDir tmp;
  const std::string dir = write_chain(tmp, 4);
  std::string data = read_all(log_file(dir));
  data[data.find("s2")] = 'S';
  runbook::testing::write_all(log_file(dir), data);
  auto log = EvidenceLog::reopen(dir, Redactor());
  REQUIRE_FALSE(log.ok());
  CHECK(log.error().line == 2);
  CHECK(log.error().message.find("does not verify") != std::string::npos);
}

TEST_CASE("one writer per directory") {
  TempDir tmp;
  const std::string dir = tmp.sub("run");
  auto first = make_log(dir);
  REQUIRE(first->append("a", json::object()).ok());

  auto again = EvidenceLog::create(dir, Redactor());
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().message.find("already holds") != std::string::npos);

  auto second = EvidenceLog::reopen(dir, Redactor());
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().message.find("in use") != std::string::npos);

  // Another process is refused too.
  pid_t pid = fork();
  if (pid == 0) _exit(EvidenceLog::reopen(dir, Redactor()).ok() ? 0 : 3);
  int status = 0;
  waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 3);

  first.reset();  // the lock goes with the writer
  auto third = EvidenceLog::reopen(dir, Redactor());
  REQUIRE(third.ok());
  REQUIRE((*third)->append("b", json::object()).ok());
  CHECK((*third)->last_seq() == 2);
  CHECK(runbook::evidence::verify(dir).ok);
}

TEST_CASE("invalid UTF-8 and control characters serialise to one valid line") {
  TempDir tmp;
  const std::string dir = tmp.sub("run");
  auto log = make_log(dir);
  const std::string nasty = std::string("a\x01" "b\x1b[31mred\n\r\t\"\\ ") + "\xff\xfe" + "\xc3" + std::string(1, '\0') + "end";
  auto r = log->append("output", {{"text", nasty}, {"bad key \xff", 1}, {"nested", {{"x", "\xe2\x82"}}}});
  REQUIRE_MESSAGE(r.ok(), runbook::testing::why(r));
  const std::string data = read_all(log_file(dir));
  REQUIRE(std::count(data.begin(), data.end(), '\n') == 1);
  CHECK(data.back() == '\n');
  const auto line = lines_of(data)[0];
  CHECK(line.find('\x01') == std::string::npos);
  CHECK(line.find('\x1b') == std::string::npos);
  CHECK(line.find('\0') == std::string::npos);
  json parsed;
  REQUIRE_NOTHROW(parsed = json::parse(line));  // valid UTF-8 JSON
  const std::string text = parsed["text"];
  CHECK(text.rfind("a\x01" "b\x1b[31mred\n\r\t\"\\ ", 0) == 0);
  CHECK(text.find("\xef\xbf\xbd") != std::string::npos);  // U+FFFD for the bad bytes
  CHECK(text.size() > 3);
  CHECK(text.substr(text.size() - 4) == std::string(1, '\0') + "end");
  CHECK(*r == parsed);
  CHECK(runbook::evidence::verify(dir).ok);
}

TEST_CASE("the record append returns is the record a reader parses, value for value and type for type") {
  TempDir tmp;
  const std::string dir = tmp.sub("run");
  auto log = make_log(dir);
  auto check_same = [&](const json& fields) {
    auto r = log->append("shapes", fields);
    REQUIRE_MESSAGE(r.ok(), runbook::testing::why(r));
    const auto lines = lines_of(read_all(log_file(dir)));
    const json parsed = json::parse(lines.back());
    CHECK(*r == parsed);
    CHECK(r->dump() == parsed.dump());
    // Types too: a non-negative integer reads back unsigned, a float stays a float.
    std::function<void(const json&, const json&)> same_types = [&](const json& a, const json& b) {
      REQUIRE(a.type() == b.type());
      if (a.is_structured())
        for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib) same_types(*ia, *ib);
    };
    same_types(*r, parsed);
  };
  check_same({{"int", 5}, {"neg", -3}, {"zero", 0}, {"big", std::uint64_t{18446744073709551615ULL}},
              {"float", 2.5}, {"whole_float", 3.0}, {"tiny", 1e-300}, {"bool", true}, {"null", nullptr},
              {"utf8", "h\xc3\xa9llo \xe2\x9c\x94 \xf0\x9f\x94\xa5"}, {"ctl", std::string("a\0b\x1f\n", 5)},
              {"nested", {{"list", {1, -1, "x", {{"k", 0}}}}, {"empty", json::object()}, {"arr", json::array()}}}});
  check_same(json::object());
  // Serialising changes these: the returned record still matches what was written.
  check_same({{"nan", std::nan("")}, {"inf", INFINITY}, {"n", 1}});
  check_same({{"overlong", "\xc0\xaf"}, {"surrogate", "\xed\xa0\x80"}, {"too_big", "\xf4\x90\x80\x80"}});
  check_same({{"key \xe2\x82", 1}});
  CHECK(runbook::evidence::verify(dir).ok);
}

TEST_CASE("append redacts every string before writing") {
  TempDir tmp;
  const std::string dir = tmp.sub("run");
  Redactor red;
  REQUIRE(red.add_secret("correct-horse-battery"));
  auto log = make_log(dir, std::move(red));
  auto r = log->append("command", {{"script", "PGPASSWORD=hunter2 psql -c 'select 1'"},
                                   {"env", {{"DB_PASS", "correct-horse-battery"}}},
                                   {"argv", {"curl", "-H", "Authorization: Bearer abcdef123456"}},
                                   {"correct-horse-battery", "keys are kept"}});
  REQUIRE(r.ok());
  const std::string data = read_all(log_file(dir));
  CHECK(data.find("hunter2") == std::string::npos);
  CHECK(data.find("abcdef123456") == std::string::npos);
  CHECK(data.find("\"DB_PASS\":\"[REDACTED]\"") != std::string::npos);
  CHECK((*r)["script"] == "PGPASSWORD=[REDACTED] psql -c 'select 1'");
  CHECK((*r)["argv"][2] == "Authorization: Bearer [REDACTED]");
  CHECK(r->contains("correct-horse-battery"));  // object keys are not redacted
}

TEST_CASE("output_path names the next record and keeps file names safe") {
  TempDir tmp;
  auto log = make_log(tmp.sub("run"));
  CHECK(log->output_path("step-3") == "outputs/1-step-3");
  REQUIRE(log->append("a", json::object()).ok());
  CHECK(log->output_path("../etc/passwd x") == "outputs/2-_._etc_passwd_x");
  CHECK(log->output_path("") == "outputs/2-output");
  CHECK(log->output_path(".hidden") == "outputs/2-_hidden");
}

TEST_CASE("read_log and verify on a missing log") {
  TempDir tmp;
  CHECK_FALSE(runbook::evidence::read_log(tmp.sub("nothing")).ok());
  auto v = runbook::evidence::verify(tmp.sub("nothing"));
  CHECK_FALSE(v.ok);
  CHECK_FALSE(v.reason.empty());
  CHECK_FALSE(EvidenceLog::reopen(tmp.sub("nothing"), Redactor()).ok());
  // An empty log verifies.
  { auto log = make_log(tmp.sub("empty")); }
  auto e = runbook::evidence::verify(tmp.sub("empty"));
  CHECK(e.ok);
  CHECK(e.records == 0);
  auto reopened = EvidenceLog::reopen(tmp.sub("empty"), Redactor());
  REQUIRE(reopened.ok());
  CHECK((*reopened)->last_hash() == kGenesisHash);
}
