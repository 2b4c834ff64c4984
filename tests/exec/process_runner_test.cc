// The process runner against real processes: endings, streams, environment, working directory,
// stdin, descriptors, timeouts, interrupts, process-group cleanup, volume.

#include <doctest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "exec/runner.h"
#include "process_support.h"

namespace {

using namespace runbook::exec;
using namespace std::chrono_literals;
using std::chrono::milliseconds;
using End = RunResult::End;

struct Chunk {
  Stream stream;
  std::string text;
  milliseconds at;
};

/// Keeps everything (small outputs only).
struct CollectSink : OutputSink {
  std::vector<Chunk> chunks;
  std::vector<milliseconds> ticks;
  std::string out, err;
  bool other_thread = false;
  void on_output(Stream stream, std::string_view chunk, milliseconds at) override {
    if (std::this_thread::get_id() != caller) other_thread = true;
    chunks.push_back({stream, std::string(chunk), at});
    (stream == Stream::Stdout ? out : err).append(chunk);
  }
  void on_tick(milliseconds elapsed) override {
    if (std::this_thread::get_id() != caller) other_thread = true;
    ticks.push_back(elapsed);
  }
  std::thread::id caller = std::this_thread::get_id();
};

/// Counts bytes only.
struct CountingSink : OutputSink {
  std::uint64_t bytes = 0;
  std::size_t largest = 0;
  std::size_t chunks = 0;
  void on_output(Stream, std::string_view chunk, milliseconds) override {
    bytes += chunk.size();
    largest = std::max(largest, chunk.size());
    ++chunks;
  }
};

std::map<std::string, std::string> path_env() {
  const char* path = std::getenv("PATH");
  return {{"PATH", path ? path : "/usr/local/bin:/usr/bin:/bin"}};
}

CommandSpec script(std::string text) {
  CommandSpec spec;
  spec.script = std::move(text);
  spec.env = path_env();
  spec.timeout = 20s;  // a broken runner fails the test instead of hanging it
  return spec;
}

RunResult run(const CommandSpec& spec, OutputSink& sink, const Interrupt* interrupt = nullptr) {
  static auto runner = make_process_runner();
  return runner->run(spec, sink, interrupt);
}

/// The first line of the command's stdout as a number: the scripts below start with `echo $$`,
/// and the shell is the group leader, so that is the process group id.
pid_t first_pid(const std::string& out) { return static_cast<pid_t>(std::atol(out.c_str())); }

bool group_gone(pid_t pgid) { return pgid > 1 && ::kill(-pgid, 0) == -1 && errno == ESRCH; }

/// A name unique to this test process, for `(exec -a NAME sleep 1000) &`: pgrep -f finds it.
std::string marker(const char* tag) { return "runbook-exec-test-" + std::to_string(getpid()) + "-" + tag; }

/// Processes whose command line contains `marker` (pgrep -f), as its output.
std::string pgrep(const std::string& marker) {
  return runbook::testing::run_process({"pgrep", "-f", marker}).out;
}

long max_rss_kib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

}  // namespace

TEST_CASE("exit status and signal death") {
  CollectSink sink;
  auto ok = run(script("true"), sink);
  CHECK(ok.end == End::Exited);
  CHECK(ok.exit_code == 0);
  CHECK(ok.succeeded());
  auto three = run(script("exit 3"), sink);
  CHECK(three.end == End::Exited);
  CHECK(three.exit_code == 3);
  CHECK_FALSE(three.succeeded());
  auto killed = run(script("kill -KILL $$"), sink);
  CHECK(killed.end == End::Signaled);
  CHECK(killed.signal == SIGKILL);
  CHECK(killed.exit_code == -1);
  auto termed = run(script("kill -TERM $$; sleep 5"), sink);
  CHECK(termed.end == End::Signaled);
  CHECK(termed.signal == SIGTERM);
  CHECK(std::string(end_name(termed.end)) == "signaled");
}

TEST_CASE("stdout and stderr arrive separately, in order, with times") {
  CollectSink sink;
  auto r = run(script("echo a; sleep 0.1; echo b >&2; sleep 0.1; echo c"), sink);
  REQUIRE(r.end == End::Exited);
  CHECK(sink.out == "a\nc\n");
  CHECK(sink.err == "b\n");
  CHECK(r.stdout_bytes == 4);
  CHECK(r.stderr_bytes == 2);
  REQUIRE(sink.chunks.size() == 3);
  CHECK(sink.chunks[0].stream == Stream::Stdout);
  CHECK(sink.chunks[1].stream == Stream::Stderr);
  CHECK(sink.chunks[2].stream == Stream::Stdout);
  CHECK(sink.chunks[1].at >= sink.chunks[0].at + 80ms);
  CHECK(sink.chunks[2].at >= sink.chunks[1].at + 80ms);
  CHECK(r.duration >= 200ms);
  CHECK(r.duration < 5s);
  CHECK_FALSE(sink.other_thread);
}

TEST_CASE("argv runs directly: no shell, arguments kept whole, argv[0] as given") {
  CommandSpec spec;
  spec.argv = {"printf", "%s|", "a b", "$HOME", "*"};
  spec.env = path_env();
  CollectSink sink;
  auto r = run(spec, sink);
  REQUIRE(r.end == End::Exited);
  CHECK(sink.out == "a b|$HOME|*|");
  spec.argv = {"sh", "-c", "echo $0"};
  CollectSink sink2;
  run(spec, sink2);
  CHECK(sink2.out == "sh\n");
}

TEST_CASE("the environment is exactly the given map") {
  CommandSpec spec;
  spec.argv = {"env"};  // found through the engine's PATH: the map has none
  spec.env = {{"A", "1"}, {"B", "two words"}, {"EMPTY", ""}};
  CollectSink sink;
  auto r = run(spec, sink);
  REQUIRE(r.end == End::Exited);
  CHECK(sink.out == "A=1\nB=two words\nEMPTY=\n");

  spec.env.clear();
  CollectSink none;
  r = run(spec, none);
  REQUIRE(r.end == End::Exited);
  CHECK(none.out == "");

  auto s = script("echo \"$FOO|${HOME-unset}|${USER-unset}\"");
  s.env["FOO"] = "bar";
  CollectSink sh;
  run(s, sh);
  CHECK(sh.out == "bar|unset|unset\n");

  CHECK_FALSE(current_environment().empty());
  if (const char* path = std::getenv("PATH")) CHECK(current_environment().at("PATH") == path);
}

TEST_CASE("working directory") {
  auto s = script("pwd");
  s.cwd = "/tmp";
  CollectSink sink;
  auto r = run(s, sink);
  CHECK(r.end == End::Exited);
  CHECK(sink.out == "/tmp\n");

  s.cwd = "/no/such/dir-runbook";
  CollectSink bad;
  r = run(s, bad);
  CHECK(r.end == End::FailedToStart);
  CHECK(r.error.find("/no/such/dir-runbook") != std::string::npos);
  CHECK(bad.chunks.empty());

  s.cwd = "/etc/passwd";
  r = run(s, bad);
  CHECK(r.end == End::FailedToStart);
  CHECK(r.error.find("not a directory") != std::string::npos);

  // A relative program path is looked up from the command's working directory.
  CommandSpec rel;
  rel.argv = {"./true"};
  rel.cwd = "/bin";
  r = run(rel, bad);
  CHECK(r.end == End::Exited);
  CHECK(r.exit_code == 0);
}

TEST_CASE("stdin is /dev/null unless interactive") {
  CollectSink sink;
  auto start = std::chrono::steady_clock::now();
  auto r = run(script("cat; readlink /proc/$$/fd/0"), sink);
  CHECK(r.end == End::Exited);
  CHECK(sink.out == "/dev/null\n");
  CHECK(std::chrono::steady_clock::now() - start < 5s);

  // interactive: the engine's own fd 0 (here: whatever the test runner gave us).
  auto i = script("readlink /proc/$$/fd/0");
  i.interactive = true;
  CollectSink inherited;
  run(i, inherited);
  char self[4096] = {};
  ssize_t n = readlink("/proc/self/fd/0", self, sizeof self - 1);
  if (n > 0) CHECK(inherited.out == std::string(self, static_cast<std::size_t>(n)) + "\n");
}

TEST_CASE("missing or unusable program: FailedToStart, no exception") {
  CollectSink sink;
  CommandSpec spec;
  spec.argv = {"runbook-no-such-program-xyz", "--help"};
  spec.env = path_env();
  auto r = run(spec, sink);
  CHECK(r.end == End::FailedToStart);
  CHECK(r.error.find("runbook-no-such-program-xyz") != std::string::npos);
  CHECK(std::string(end_name(r.end)) == "failed-to-start");

  spec.argv = {"/no/such/program"};
  r = run(spec, sink);
  CHECK(r.end == End::FailedToStart);
  CHECK(r.error.find("/no/such/program") != std::string::npos);

  spec.argv = {"/etc/passwd"};  // not executable
  r = run(spec, sink);
  CHECK(r.end == End::FailedToStart);

  // Passes the pre-checks (an executable regular file) but execve refuses it (ENOEXEC): the error
  // comes back from the child through Boost.Process, and the failed child is reaped.
  auto dir = std::filesystem::temp_directory_path() / ("runbook-exec-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto bogus = dir / "bogus";
  { std::ofstream(bogus, std::ios::binary) << std::string("\x7f" "ELF\x02\x01\x01garbage", 15); }
  std::filesystem::permissions(bogus, std::filesystem::perms::owner_all);
  spec.argv = {bogus.string()};
  r = run(spec, sink);
  CHECK(r.end == End::FailedToStart);
  CHECK(r.error.find("bogus") != std::string::npos);
  std::filesystem::remove_all(dir);

  spec.argv.clear();
  spec.script = "true";
  spec.env = {{"BAD=NAME", "x"}};
  r = run(spec, sink);
  CHECK(r.end == End::FailedToStart);
  CHECK(sink.chunks.empty());
}

TEST_CASE("the command gets no descriptor of the engine but 0, 1 and 2") {
  // A file opened without O_CLOEXEC, like a careless evidence writer would.
  auto path = std::filesystem::temp_directory_path() / ("runbook-fd-" + std::to_string(getpid()));
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  REQUIRE(fd >= 0);
  int flags = fcntl(fd, F_GETFD);
  REQUIRE((flags & FD_CLOEXEC) == 0);
  CollectSink sink;
  // Two commands, so that bash does not exec ls (whose own directory fd would show up).
  auto r = run(script("ls /proc/$$/fd; true"), sink);
  CHECK(r.end == End::Exited);
  CHECK(sink.out == "0\n1\n2\n");
  ::close(fd);
  std::filesystem::remove(path);
}

// The SigIgn mask a command should start with when this process ignores what it ignores now:
// the runner resets the signals an engine ignores for itself (SIGINT, SIGPIPE, ...) and keeps
// the rest, such as SIGHUP under nohup, which the operator's environment asked for.
std::string expected_sig_ign() {
  unsigned long long mask = 0;
  for (int sig = 1; sig < 64; ++sig) {
    struct sigaction now {};
    if (sigaction(sig, nullptr, &now) != 0 || (now.sa_flags & SA_SIGINFO) || now.sa_handler != SIG_IGN) continue;
    switch (sig) {
      case SIGINT: case SIGTERM: case SIGPIPE: case SIGQUIT: case SIGCHLD: case SIGTSTP: case SIGTTIN:
      case SIGTTOU: case SIGALRM: case SIGUSR1: case SIGUSR2: case SIGXFSZ:
        break;
      default:
        mask |= 1ULL << (sig - 1);
    }
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "SigIgn:\t%016llx", mask);
  return buf;
}

TEST_CASE("own process group, default signal dispositions, empty mask") {
  const std::string sig_ign = expected_sig_ign();  // all zeros unless started under nohup or the like
  // Make the engine side hostile: SIGINT and SIGPIPE ignored, SIGTERM blocked in this thread.
  struct sigaction ign {}, old_int {}, old_pipe {};
  ign.sa_handler = SIG_IGN;
  sigemptyset(&ign.sa_mask);
  sigaction(SIGINT, &ign, &old_int);
  sigaction(SIGPIPE, &ign, &old_pipe);
  sigset_t term, old_mask;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &term, &old_mask);

  CommandSpec spec;
  spec.argv = {"grep", "-E", "^(SigIgn|SigBlk)", "/proc/self/status"};
  spec.env = path_env();
  CollectSink sink;
  auto r = run(spec, sink);
  CollectSink group;
  auto g = run(script("echo $$ $(cut -d' ' -f5 /proc/$$/stat)"), group);

  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGPIPE, &old_pipe, nullptr);
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);

  REQUIRE(r.end == End::Exited);
  CHECK_MESSAGE(sink.out.find(sig_ign) != std::string::npos, sink.out);
  CHECK(sink.out.find("SigBlk:\t0000000000000000") != std::string::npos);

  REQUIRE(g.end == End::Exited);
  auto space = group.out.find(' ');
  REQUIRE(space != std::string::npos);
  pid_t pid = std::atoi(group.out.substr(0, space).c_str());
  pid_t pgid = std::atoi(group.out.substr(space + 1).c_str());
  CHECK(pid == pgid);
  CHECK(pgid != getpgrp());
}

TEST_CASE("ticks about every 250 ms") {
  CollectSink sink;
  auto r = run(script("sleep 1.1"), sink);
  CHECK(r.end == End::Exited);
  CHECK(sink.ticks.size() >= 3);
  CHECK(sink.ticks.size() <= 5);
  for (std::size_t i = 1; i < sink.ticks.size(); ++i) {
    CHECK(sink.ticks[i] > sink.ticks[i - 1]);
    CHECK(sink.ticks[i] - sink.ticks[i - 1] >= 150ms);
  }
  if (!sink.ticks.empty()) CHECK(sink.ticks.front() >= 240ms);
}

TEST_CASE("timeout: SIGTERM to the group, then the group is gone") {
  // A backgrounded grandchild and a foreground sleep; the marker lets pgrep look for leftovers.
  auto mark = marker("timeout");
  struct Sink : CollectSink {
    std::string mark, seen_running;
    void on_tick(milliseconds) override {
      if (seen_running.empty()) seen_running = pgrep(mark);  // the check below can see it at all
    }
  } sink;
  sink.mark = mark;
  auto s = script("echo $$; (exec -a " + mark + " sleep 1000) & sleep 1000");
  s.timeout = 400ms;
  s.grace = 2000ms;
  auto r = run(s, sink);
  CHECK(r.end == End::TimedOut);
  CHECK(r.signal == SIGTERM);
  CHECK(r.exit_code == -1);
  CHECK(r.duration >= 400ms);
  CHECK(r.duration < 400ms + 1000ms);  // SIGTERM ends it: no need for the grace
  pid_t pgid = first_pid(sink.out);
  CHECK(pgid > 1);
  CHECK(group_gone(pgid));
  CHECK(sink.seen_running != "");
  CHECK(pgrep(mark) == "");
  CHECK(std::string(end_name(r.end)) == "timed-out");
}

TEST_CASE("timeout: a group that ignores SIGTERM gets SIGKILL after the grace") {
  CollectSink sink;
  auto mark = marker("ignore");
  auto s = script("trap '' TERM; echo $$; (exec -a " + mark + " sleep 1000) & bash -c 'trap \"\" TERM; sleep 1000'");
  s.timeout = 300ms;
  s.grace = 400ms;
  auto r = run(s, sink);
  CHECK(r.end == End::TimedOut);
  CHECK(r.signal == SIGKILL);
  CHECK(r.duration >= 700ms);
  CHECK(r.duration < 700ms + 1500ms);
  pid_t pgid = first_pid(sink.out);
  CHECK(group_gone(pgid));
  CHECK(pgrep(mark) == "");
}

TEST_CASE("timeout: the reported signal is the one that ended it") {
  // Exits by itself on SIGTERM: still TimedOut, with SIGTERM.
  CollectSink trapped;
  auto s = script("trap 'exit 0' TERM; echo $$; sleep 1000 & wait");
  s.timeout = 200ms;
  auto r = run(s, trapped);
  CHECK(r.end == End::TimedOut);
  CHECK(r.signal == SIGTERM);
  CHECK(r.exit_code == -1);
  CHECK(group_gone(first_pid(trapped.out)));
  // No grace: SIGKILL right after SIGTERM, for what ignores SIGTERM.
  CollectSink hard;
  s = script("trap '' TERM; echo $$; sleep 1000");
  s.timeout = 200ms;
  s.grace = 0ms;
  r = run(s, hard);
  CHECK(r.end == End::TimedOut);
  CHECK(r.signal == SIGKILL);
  CHECK(r.duration < 1200ms);
  CHECK(group_gone(first_pid(hard.out)));
  CHECK_FALSE(hard.other_thread);
}

TEST_CASE("timeout: a command that forked fifty sleeps is cleaned up entirely") {
  CollectSink sink;
  auto s = script("echo $$; for i in $(seq 50); do sleep 100 & done; wait");
  s.timeout = 500ms;
  s.grace = 500ms;
  auto r = run(s, sink);
  CHECK(r.end == End::TimedOut);
  CHECK(r.duration < 500ms + 500ms + 1500ms);
  pid_t pgid = first_pid(sink.out);
  CHECK(group_gone(pgid));
}

TEST_CASE("interrupt from another thread stops a running step") {
  Interrupt interrupt;
  CollectSink sink;
  auto s = script("echo $$; sleep 1000");
  s.timeout = 0ms;
  std::thread raiser([&] {
    std::this_thread::sleep_for(300ms);
    interrupt.raise();
  });
  auto r = run(s, sink, &interrupt);
  raiser.join();
  CHECK(r.end == End::Interrupted);
  CHECK(r.signal == SIGTERM);
  CHECK(r.duration >= 300ms);
  CHECK(r.duration < 300ms + 1000ms);
  CHECK(group_gone(first_pid(sink.out)));
  CHECK(std::string(end_name(r.end)) == "interrupted");

  // Already raised: nothing starts.
  CollectSink nothing;
  auto r2 = run(script("echo should-not-run"), nothing, &interrupt);
  CHECK(r2.end == End::Interrupted);
  CHECK(nothing.chunks.empty());
  interrupt.clear();
  auto r3 = run(script("true"), nothing, &interrupt);
  CHECK(r3.succeeded());
}

TEST_CASE("a background process holding the pipes does not keep run() waiting") {
  CollectSink sink;
  auto mark = marker("background");
  auto s = script("echo $$; (exec -a " + mark + " sleep 1000) & echo done");
  auto r = run(s, sink);
  CHECK(r.end == End::Exited);
  CHECK(r.exit_code == 0);
  CHECK(r.duration < 2000ms);
  CHECK(sink.out.find("done\n") != std::string::npos);
  CHECK(group_gone(first_pid(sink.out)));
  CHECK(pgrep(mark) == "");

  // Detached from the pipes: run() returns at once, and still nothing of the group survives.
  CollectSink quiet;
  auto mark2 = marker("detached");
  auto q = run(script("echo $$; (exec -a " + mark2 + " sleep 1000) >/dev/null 2>&1 &"), quiet);
  CHECK(q.end == End::Exited);
  CHECK(q.duration < 400ms);
  CHECK(group_gone(first_pid(quiet.out)));
  CHECK(pgrep(mark2) == "");
}

TEST_CASE("200 MB stream through a counting sink with bounded memory") {
  long before = max_rss_kib();
  CountingSink sink;
  auto r = run(script("head -c 200000000 /dev/zero; echo tail >&2"), sink);
  CHECK(r.end == End::Exited);
  CHECK(r.exit_code == 0);
  CHECK(r.stdout_bytes == 200000000u);
  CHECK(r.stderr_bytes == 5u);
  CHECK(sink.bytes == 200000005u);
  CHECK(sink.largest <= 64u * 1024u);
  long after = max_rss_kib();
  CHECK(after - before < 32 * 1024);  // KiB
}

TEST_CASE("an exception from the sink propagates after the group is killed") {
  struct Throwing : OutputSink {
    std::string first;
    void on_output(Stream, std::string_view chunk, milliseconds) override {
      first = std::string(chunk);
      throw std::runtime_error("sink full");
    }
  } sink;
  auto s = script("echo $$; sleep 1000");
  CHECK_THROWS_AS(run(s, sink), std::runtime_error);
  CHECK(group_gone(first_pid(sink.first)));
}

TEST_CASE("names") {
  CHECK(std::string(stream_name(Stream::Stdout)) == "stdout");
  CHECK(std::string(stream_name(Stream::Stderr)) == "stderr");
  CHECK(std::string(end_name(End::Exited)) == "exited");
}
