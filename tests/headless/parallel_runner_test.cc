// Early commands: started before their turn, claimed in order, output replayed whole.
#include <doctest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "exec/parallel_runner.h"

using namespace runbook;
using namespace std::chrono_literals;

namespace {

struct Collect : exec::OutputSink {
  std::string out, err;
  std::vector<std::chrono::milliseconds> times;
  void on_output(exec::Stream s, std::string_view chunk, std::chrono::milliseconds at) override {
    (s == exec::Stream::Stdout ? out : err).append(chunk);
    times.push_back(at);
  }
};

exec::CommandSpec shell(const std::string& script) {
  exec::CommandSpec spec;
  spec.script = script;
  spec.env = exec::current_environment();
  spec.timeout = 20s;
  return spec;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

TEST_CASE("three slow commands started early finish in the time of one, each output replayed whole") {
  auto inner = exec::make_process_runner();
  exec::ParallelRunner parallel(*inner, 3);
  std::vector<exec::CommandSpec> specs;
  for (int i = 0; i < 3; ++i)
    specs.push_back(shell("echo start-" + std::to_string(i) + "; sleep 1; echo end-" + std::to_string(i) +
                          "; echo err-" + std::to_string(i) + " >&2"));
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 3; ++i) CHECK(parallel.start("step-" + std::to_string(i), specs[static_cast<std::size_t>(i)]));
  CHECK(parallel.running() == 3);
  for (int i = 0; i < 3; ++i) {
    Collect sink;
    auto r = parallel.run(specs[static_cast<std::size_t>(i)], sink);
    CHECK(r.succeeded());
    CHECK(parallel.last_was_early());
    const std::string n = std::to_string(i);
    CHECK(sink.out == "start-" + n + "\nend-" + n + "\n");
    CHECK(sink.err == "err-" + n + "\n");
    REQUIRE(!sink.times.empty());
    CHECK(sink.times.back() >= 900ms);  // the original timings, not the replay's
  }
  CHECK(seconds_since(t0) < 2.5);  // one after the other would take 3 s or more
}

TEST_CASE("the limit bounds early commands; a command not started early runs in its turn") {
  auto inner = exec::make_process_runner();
  exec::ParallelRunner parallel(*inner, 1);
  auto a = shell("sleep 0.3; echo a");
  auto b = shell("echo b");
  CHECK(parallel.start("a", a));
  CHECK_FALSE(parallel.start("b", b));  // the limit is 1
  Collect sa, sb;
  CHECK(parallel.run(b, sb).succeeded());
  CHECK_FALSE(parallel.last_was_early());
  CHECK(sb.out == "b\n");
  CHECK(parallel.run(a, sa).succeeded());
  CHECK(parallel.last_was_early());
  CHECK(sa.out == "a\n");
}

TEST_CASE("a command differing in its environment is not taken for the early one") {
  auto inner = exec::make_process_runner();
  exec::ParallelRunner parallel(*inner, 2);
  auto a = shell("echo $WHO");
  a.env["WHO"] = "early";
  CHECK(parallel.start("a", a));
  auto b = a;
  b.env["WHO"] = "late";
  Collect sink;
  CHECK(parallel.run(b, sink).succeeded());
  CHECK_FALSE(parallel.last_was_early());
  CHECK(sink.out == "late\n");
  auto left = parallel.abandon();
  REQUIRE(left.size() == 1);
  CHECK(left.front().key == "a");
}

TEST_CASE("abandoning stops early commands nobody claimed: their process groups are gone") {
  auto inner = exec::make_process_runner();
  exec::ParallelRunner parallel(*inner, 2);
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(parallel.start("slow", shell("sleep 30")));
  std::this_thread::sleep_for(200ms);
  auto left = parallel.abandon();
  REQUIRE(left.size() == 1);
  CHECK(left.front().result.end == exec::RunResult::End::Interrupted);
  CHECK(seconds_since(t0) < 10);
  CHECK(parallel.running() == 0);
}

TEST_CASE("a flood from an early command is spooled to disk and replayed byte for byte") {
  auto inner = exec::make_process_runner();
  exec::ParallelRunner parallel(*inner, 2);
  auto flood = shell("head -c 20000000 /dev/zero | tr '\\0' 'x'");
  CHECK(parallel.start("flood", flood));
  struct Count : exec::OutputSink {
    std::size_t bytes = 0;
    bool only_x = true;
    void on_output(exec::Stream, std::string_view chunk, std::chrono::milliseconds) override {
      bytes += chunk.size();
      for (char c : chunk) only_x = only_x && c == 'x';
    }
  } count;
  CHECK(parallel.run(flood, count).succeeded());
  CHECK(count.bytes == 20000000u);
  CHECK(count.only_x);
}

TEST_CASE("Ctrl-C while waiting for an early command stops it") {
  auto inner = exec::make_process_runner();
  exec::ParallelRunner parallel(*inner, 2);
  auto slow = shell("sleep 30");
  CHECK(parallel.start("slow", slow));
  exec::Interrupt irq;
  std::thread raiser([&] {
    std::this_thread::sleep_for(300ms);
    irq.raise();
  });
  const auto t0 = std::chrono::steady_clock::now();
  Collect sink;
  auto r = parallel.run(slow, sink, &irq);
  raiser.join();
  CHECK(r.end == exec::RunResult::End::Interrupted);
  CHECK(seconds_since(t0) < 10);
}
