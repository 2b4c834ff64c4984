// bench_runner: what the process runner costs next to starting and reading processes by hand.
//
// Usage: bench_runner [--steps N] [--bytes B] [--rounds R]
//   defaults: 200 steps, 1073741824 bytes (1 GiB), 3 rounds; a quick run: --steps 20 --bytes 50000000
//
// (1) N trivial steps: `bash -c true` through exec::make_process_runner() (pipes, process group,
//     pidfd, reaping, ...) against the same N `bash -c true` started with posix_spawn and reaped
//     with waitpid, nothing else. Each round runs both, alternating which goes first; the figure
//     is the median over the rounds. Target: runner / baseline <= 1.2.
// (2) throughput: `head -c B /dev/zero` (through bash -c, both sides) into a sink that only counts
//     bytes, against the same command's stdout on a plain pipe drained by a read(2) loop with a
//     64 KiB buffer into nowhere. Target: runner MB/s / baseline MB/s >= 0.5.
// Peak RSS of this process (getrusage ru_maxrss) is reported at the end. Target: <= 64 MiB.
// Output: a human-readable table, then `key=value` lines for scripts.

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "exec/runner.h"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;
using runbook::exec::CommandSpec;
using runbook::exec::OutputSink;
using runbook::exec::Stream;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

struct CountingSink : OutputSink {
  std::uint64_t bytes = 0;
  void on_output(Stream, std::string_view chunk, std::chrono::milliseconds) override { bytes += chunk.size(); }
};

/// posix_spawn `/bin/bash -c script`; stdout to `out_fd` if >= 0; returns the pid.
pid_t spawn_bash(const std::string& script, int out_fd) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  if (out_fd >= 0) {
    posix_spawn_file_actions_adddup2(&fa, out_fd, STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&fa, out_fd);
  }
  std::string bash = "/bin/bash", c = "-c", s = script;
  char* argv[] = {bash.data(), c.data(), s.data(), nullptr};
  pid_t pid = -1;
  if (posix_spawn(&pid, "/bin/bash", &fa, nullptr, argv, environ) != 0) {
    std::perror("posix_spawn");
    std::exit(2);
  }
  posix_spawn_file_actions_destroy(&fa);
  return pid;
}

int reap(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) == -1) {
  }
  return status;
}

double steps_by_hand(int n) {
  auto t0 = Clock::now();
  for (int i = 0; i < n; ++i) {
    int status = reap(spawn_bash("true", -1));
    if (status != 0) std::fprintf(stderr, "baseline step failed: %d\n", status);
  }
  return seconds_since(t0);
}

double steps_by_runner(runbook::exec::Runner& runner, int n, const CommandSpec& spec) {
  auto t0 = Clock::now();
  for (int i = 0; i < n; ++i) {
    CountingSink sink;
    auto r = runner.run(spec, sink);
    if (!r.succeeded()) std::fprintf(stderr, "runner step failed: %s %s\n", end_name(r.end), r.error.c_str());
  }
  return seconds_since(t0);
}

/// Seconds to read `bytes` from the command raw; `got` receives the byte count.
double flood_by_hand(const std::string& cmd, std::uint64_t& got) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) std::exit(2);
  auto t0 = Clock::now();
  pid_t pid = spawn_bash(cmd, p[1]);
  close(p[1]);
  std::vector<char> buf(64 * 1024);
  got = 0;
  for (;;) {
    ssize_t n = read(p[0], buf.data(), buf.size());
    if (n > 0) {
      got += static_cast<std::uint64_t>(n);
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  close(p[0]);
  reap(pid);
  return seconds_since(t0);
}

double flood_by_runner(runbook::exec::Runner& runner, const CommandSpec& spec, std::uint64_t& got) {
  CountingSink sink;
  auto t0 = Clock::now();
  auto r = runner.run(spec, sink);
  double s = seconds_since(t0);
  if (!r.succeeded()) std::fprintf(stderr, "runner flood failed: %s %s\n", end_name(r.end), r.error.c_str());
  got = sink.bytes;
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  int steps = 200;
  std::uint64_t bytes = 1073741824ULL;
  int rounds = 3;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--steps" && i + 1 < argc) {
      steps = std::atoi(argv[++i]);
    } else if (a == "--bytes" && i + 1 < argc) {
      bytes = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--rounds" && i + 1 < argc) {
      rounds = std::max(1, std::atoi(argv[++i]));
    } else {
      std::fprintf(stderr, "usage: bench_runner [--steps N] [--bytes B] [--rounds R]\n");
      return 2;
    }
  }
  auto runner = runbook::exec::make_process_runner();
  CommandSpec trivial;
  trivial.script = "true";
  trivial.env = runbook::exec::current_environment();
  CommandSpec flood = trivial;
  flood.script = "head -c " + std::to_string(bytes) + " /dev/zero";

  // Warm-up: page cache, bash's first start.
  steps_by_hand(5);
  steps_by_runner(*runner, 5, trivial);

  std::vector<double> hand_steps, runner_steps, hand_flood, runner_flood;
  std::uint64_t got_hand = 0, got_runner = 0;
  for (int round = 0; round < rounds; ++round) {
    if (round % 2 == 0) {
      hand_steps.push_back(steps_by_hand(steps));
      runner_steps.push_back(steps_by_runner(*runner, steps, trivial));
      hand_flood.push_back(flood_by_hand(flood.script, got_hand));
      runner_flood.push_back(flood_by_runner(*runner, flood, got_runner));
    } else {
      runner_steps.push_back(steps_by_runner(*runner, steps, trivial));
      hand_steps.push_back(steps_by_hand(steps));
      runner_flood.push_back(flood_by_runner(*runner, flood, got_runner));
      hand_flood.push_back(flood_by_hand(flood.script, got_hand));
    }
  }
  if (got_hand != bytes || got_runner != bytes)
    std::fprintf(stderr, "byte counts differ: expected %llu, by hand %llu, runner %llu\n",
                 static_cast<unsigned long long>(bytes), static_cast<unsigned long long>(got_hand),
                 static_cast<unsigned long long>(got_runner));

  double hs = median(hand_steps), rs = median(runner_steps);
  double hf = median(hand_flood), rf = median(runner_flood);
  double mb = static_cast<double>(bytes) / 1e6;
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  double rss_mib = static_cast<double>(ru.ru_maxrss) / 1024.0;

  std::printf("bench_runner: %d steps, %llu bytes, %d rounds (medians)\n", steps,
              static_cast<unsigned long long>(bytes), rounds);
  std::printf("  (1) %d x bash -c true\n", steps);
  std::printf("      posix_spawn + waitpid      %9.1f ms  %7.3f ms/step\n", hs * 1e3, hs * 1e3 / steps);
  std::printf("      process runner             %9.1f ms  %7.3f ms/step\n", rs * 1e3, rs * 1e3 / steps);
  std::printf("      ratio runner/baseline      %9.2fx (target <= 1.20x)\n", rs / hs);
  std::printf("  (2) head -c %llu /dev/zero\n", static_cast<unsigned long long>(bytes));
  std::printf("      pipe + read loop           %9.1f MB/s (%.3f s)\n", mb / hf, hf);
  std::printf("      process runner, count sink %9.1f MB/s (%.3f s)\n", mb / rf, rf);
  std::printf("      ratio runner/baseline      %9.2f  (target >= 0.50)\n", hf / rf);
  std::printf("  peak RSS                       %9.1f MiB (target <= 64 MiB)\n", rss_mib);
  std::printf("steps=%d\nbytes=%llu\nrounds=%d\n", steps, static_cast<unsigned long long>(bytes), rounds);
  std::printf("steps_baseline_ms=%.1f\nsteps_runner_ms=%.1f\nratio_steps=%.3f\ntarget_ratio_steps=1.20\n",
              hs * 1e3, rs * 1e3, rs / hs);
  std::printf("flood_baseline_mb_s=%.1f\nflood_runner_mb_s=%.1f\nratio_flood=%.3f\ntarget_ratio_flood=0.50\n",
              mb / hf, mb / rf, hf / rf);
  std::printf("peak_rss_mib=%.1f\ntarget_peak_rss_mib=64\n", rss_mib);
  return 0;
}
