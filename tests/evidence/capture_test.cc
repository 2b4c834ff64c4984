#include <doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "evidence/capture.h"
#include "evidence/evidence_test_util.h"
#include "util/sha256.h"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using runbook::evidence::EvidenceLog;
using runbook::evidence::OutputCapture;
using runbook::evidence::Redactor;
using runbook::exec::Stream;
using runbook::testing::read_all;
using runbook::testing::TempDir;

std::unique_ptr<EvidenceLog> make_log(const std::string& dir, Redactor r = Redactor()) {
  auto log = EvidenceLog::create(dir, std::move(r));
  REQUIRE_MESSAGE(log.ok(), runbook::testing::why(log));
  return std::move(log.value());
}

/// Feeds `data` to the capture in chunks of random sizes (1..max).
void feed(OutputCapture& cap, Stream s, const std::string& data, std::mt19937& rng, std::size_t max = 5000) {
  std::size_t at = 0;
  std::int64_t ms = 0;
  while (at < data.size()) {
    const std::size_t n = std::min<std::size_t>(1 + rng() % max, data.size() - at);
    cap.on_output(s, std::string_view(data).substr(at, n), std::chrono::milliseconds(ms++));
    at += n;
  }
}

/// The resident set size now, in KiB (/proc/self/statm), or -1 when unknown.
long rss_kib() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  if (!(statm >> pages >> resident)) return -1;
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

struct Recorder : runbook::exec::OutputSink {
  std::string out, err;
  int ticks = 0;
  void on_output(Stream s, std::string_view chunk, std::chrono::milliseconds) override {
    (s == Stream::Stdout ? out : err).append(chunk);
  }
  void on_tick(std::chrono::milliseconds) override { ++ticks; }
};

}  // namespace

TEST_CASE("a 200 MB stream keeps the capture's memory bounded") {
  TempDir tmp;
  auto log = make_log(tmp.sub("run"));
  const long rss_before = rss_kib();
  long rss_peak = rss_before;
  std::size_t peak = 0;
  std::uint64_t total = 0;
  {
    OutputCapture cap(*log, "flood", 1u << 20);
    // 64 KiB chunks of log-like lines; one line in a few hundred carries a token to redact.
    std::string chunk;
    for (int i = 0; chunk.size() < 65536 - 100; ++i)
      chunk += (i % 300 == 0 ? "TOKEN=abc" : "2026-11-24T03:58:10Z INFO request served ") + std::to_string(i) + "\n";
    const std::uint64_t target = 200ull << 20;
    std::int64_t ms = 0;
    while (total < target) {
      cap.on_output(total % 3 ? Stream::Stdout : Stream::Stderr, chunk, std::chrono::milliseconds(ms++ / 16));
      total += chunk.size();
      peak = std::max(peak, cap.memory_in_use());
      if (ms % 64 == 0) rss_peak = std::max(rss_peak, rss_kib());
    }
    auto fields = cap.finish();
    const std::uint64_t stored = fields["stdout"]["bytes"].get<std::uint64_t>() + fields["stderr"]["bytes"].get<std::uint64_t>();
    CHECK(stored > total - total / 100);  // redaction shortens "abcN" to "[REDACTED]" or lengthens it a little
    CHECK(fields["stdout"]["truncated"] == true);
    CHECK(fs::file_size(fs::path(log->dir()) / fields["stdout"]["file"].get<std::string>()) ==
          fields["stdout"]["bytes"].get<std::uint64_t>());
    CHECK(fields["stdout"]["text"].get<std::string>().size() <= (1u << 20));
    CHECK(fields["timeline"].size() <= OutputCapture::kMaxTimeline);
  }
  const long grew_kib = rss_peak - rss_before;
  INFO("peak capture memory " << peak << " bytes, RSS grew by " << grew_kib << " KiB from " << rss_before << " KiB");
  // Two inline texts of 1 MiB, two 1 MiB write buffers, partial lines and the timeline.
  CHECK(peak <= (5u << 20));
  CHECK(rss_before > 0);
  CHECK(grew_kib < 32 * 1024);
}

TEST_CASE("short output stays inline, without a file") {
  TempDir tmp;
  auto log = make_log(tmp.sub("run"));
  OutputCapture cap(*log, "step-1");
  cap.on_output(Stream::Stdout, "hello\nwor", 5ms);
  cap.on_output(Stream::Stdout, "ld", 7ms);
  cap.on_output(Stream::Stderr, "warning\n", 7ms);
  auto f = cap.finish();
  CHECK(f["stdout"]["text"] == "hello\nworld");
  CHECK(f["stdout"]["bytes"] == 11);
  CHECK(f["stdout"]["truncated"] == false);
  CHECK_FALSE(f["stdout"].contains("file"));
  CHECK_FALSE(f["stdout"].contains("sha256"));
  CHECK(f["stderr"]["text"] == "warning\n");
  CHECK(f["timeline"] == nlohmann::json::parse(R"([[5,"o",9],[7,"o",2],[7,"e",8]])"));
  CHECK(f["timeline_dropped"] == 0);
  CHECK(cap.finish() == f);  // finish is idempotent
  CHECK(fs::is_empty(fs::path(log->dir()) / "outputs"));
}

TEST_CASE("a stream that outgrows the inline limit goes whole to a file") {
  TempDir tmp;
  auto log = make_log(tmp.sub("run"));
  std::mt19937 rng(7);
  std::string data;
  for (int i = 0; data.size() < 300000; ++i) data += "line " + std::to_string(i) + " " + std::string(rng() % 120, 'x') + "\n";
  data += "no newline at the end";
  OutputCapture cap(*log, "big step", 1000);
  feed(cap, Stream::Stdout, data, rng);
  cap.on_output(Stream::Stderr, "short\n", 1ms);
  auto f = cap.finish();
  const auto& out = f["stdout"];
  REQUIRE(out.contains("file"));
  CHECK(out["file"] == "outputs/1-big_step.stdout");
  CHECK(out["truncated"] == true);
  CHECK(out["bytes"] == data.size());
  const std::string file = read_all(fs::path(log->dir()) / out["file"].get<std::string>());
  CHECK(file == data);
  CHECK(out["sha256"] == runbook::util::sha256_hex(data));
  CHECK(out["text"] == data.substr(0, 1000));
  CHECK_FALSE(f["stderr"].contains("file"));
  CHECK(f["stderr"]["text"] == "short\n");
}

TEST_CASE("a second capture with the same name gets its own file") {
  TempDir tmp;
  auto log = make_log(tmp.sub("run"));
  std::string a(5000, 'a'), b(5000, 'b');
  OutputCapture one(*log, "same", 10);
  one.on_output(Stream::Stdout, a, 0ms);
  OutputCapture two(*log, "same", 10);
  two.on_output(Stream::Stdout, b, 0ms);
  auto f1 = one.finish(), f2 = two.finish();
  CHECK(f1["stdout"]["file"] == "outputs/1-same.stdout");
  CHECK(f2["stdout"]["file"] == "outputs/1-same-2.stdout");
  CHECK(read_all(fs::path(log->dir()) / "outputs/1-same-2.stdout") == b);
}

TEST_CASE("secrets split across chunks are still redacted, inline and in the file") {
  TempDir tmp;
  Redactor red;
  REQUIRE(red.add_secret("hunter2-very-secret"));
  auto log = make_log(tmp.sub("run"), std::move(red));
  for (std::size_t limit : {std::size_t{1} << 20, std::size_t{8}}) {
    CAPTURE(limit);
    Recorder echo;
    OutputCapture cap(*log, "s", limit, &echo);
    cap.on_output(Stream::Stdout, "the password is hunter2-ve", 1ms);
    cap.on_output(Stream::Stdout, "ry-secret, ok\nexport PGPASS", 2ms);
    cap.on_output(Stream::Stdout, "WORD=abc123", 3ms);
    cap.on_output(Stream::Stdout, "xyz\nAuthorization: Bea", 4ms);
    cap.on_output(Stream::Stdout, "rer tok", 5ms);
    cap.on_output(Stream::Stdout, "en-value-1\n", 6ms);
    cap.on_output(Stream::Stderr, "hunter2-", 6ms);
    cap.on_output(Stream::Stderr, "very-secret", 7ms);  // no newline before finish
    cap.on_tick(250ms);
    auto f = cap.finish();
    const std::string expected_out =
        "the password is [REDACTED], ok\nexport PGPASSWORD=[REDACTED]\nAuthorization: Bearer [REDACTED]\n";
    std::string out = f["stdout"]["text"];
    std::string err = f["stderr"]["text"];
    if (f["stdout"].contains("file")) out = read_all(fs::path(log->dir()) / f["stdout"]["file"].get<std::string>());
    if (f["stderr"].contains("file")) err = read_all(fs::path(log->dir()) / f["stderr"]["file"].get<std::string>());
    CHECK(out == expected_out);
    CHECK(err == "[REDACTED]");
    CHECK(f["stdout"]["bytes"] == expected_out.size());
    if (limit == 8) CHECK(f["stdout"]["text"] == expected_out.substr(0, 8));
    // The live echo sees what the command printed.
    CHECK(echo.out.find("hunter2-very-secret") != std::string::npos);
    CHECK(echo.err == "hunter2-very-secret");
    CHECK(echo.ticks == 1);
  }
}

TEST_CASE("a line longer than kMaxLine is flushed in pieces without waiting for its end") {
  TempDir tmp;
  auto log = make_log(tmp.sub("run"));
  OutputCapture cap(*log, "long", 100);
  const std::string piece(10000, 'z');
  for (int i = 0; i < 30; ++i) cap.on_output(Stream::Stdout, piece, 0ms);
  CHECK(cap.memory_in_use() < (2u << 20));
  cap.on_output(Stream::Stdout, "\nTOKEN=abc\n", 1ms);
  auto f = cap.finish();
  const std::string file = read_all(fs::path(log->dir()) / f["stdout"]["file"].get<std::string>());
  CHECK(file.size() == 300000 + std::string("\nTOKEN=[REDACTED]\n").size());
  CHECK(file.substr(300000) == "\nTOKEN=[REDACTED]\n");
}

TEST_CASE("inline text cut inside a UTF-8 character ends before it") {
  TempDir tmp;
  auto log = make_log(tmp.sub("run"));
  OutputCapture cap(*log, "utf8", 5);
  cap.on_output(Stream::Stdout, "abcd\xc3\xa9" "fgh\n", 0ms);  // 'é' is bytes 5 and 6
  auto f = cap.finish();
  CHECK(f["stdout"]["text"] == "abcd");
  CHECK(f["stdout"]["truncated"] == true);
  CHECK(f["stdout"]["bytes"] == 10);
}

TEST_CASE("the timeline merges chunks of one millisecond and counts what it drops") {
  TempDir tmp;
  auto log = make_log(tmp.sub("run"));
  OutputCapture cap(*log, "t", 1u << 20);
  for (int i = 0; i < 3; ++i) cap.on_output(Stream::Stdout, "ab", 3ms);
  for (int ms = 4; ms < 4 + static_cast<int>(OutputCapture::kMaxTimeline) + 5; ++ms)
    cap.on_output(Stream::Stderr, "x", std::chrono::milliseconds(ms));
  auto f = cap.finish();
  CHECK(f["timeline"][0] == nlohmann::json::parse(R"([3,"o",6])"));
  CHECK(f["timeline"].size() == OutputCapture::kMaxTimeline);
  CHECK(f["timeline_dropped"] == 6);
  CHECK(f["stderr"]["bytes"] == OutputCapture::kMaxTimeline + 5);
}

TEST_CASE("output after finish is ignored but still echoed") {
  TempDir tmp;
  auto log = make_log(tmp.sub("run"));
  Recorder echo;
  OutputCapture cap(*log, "late", 1u << 20, &echo);
  cap.on_output(Stream::Stdout, "a\n", 0ms);
  auto f = cap.finish();
  cap.on_output(Stream::Stdout, "b\n", 1ms);
  CHECK(cap.finish()["stdout"]["text"] == "a\n");
  CHECK(echo.out == "a\nb\n");
}
