// bench_executor: what the interactive executor costs next to starting and reading processes by
// hand, measured in the same run.
//
// Usage: bench_executor [--steps N] [--bytes B] [--rounds R] [--dir D] [--no-shm] [--only steps|flood]
//   defaults: 200 steps, 1073741824 bytes (1 GiB), 3 rounds, D = the system temp dir (/tmp);
//   a quick run: --steps 20 --bytes 50000000 --rounds 3
//
// (1) N trivial steps: a playbook generated in memory (N sections, each one ```bash block: `true`,
//     and in a second variant `echo step K`), parsed once with playbook::parse_playbook, walked by a
//     real executor::Session with scripted answers (`defaults: {action: run}`), the real process
//     runner and a real evidence log (a fresh directory under D each time; every record is one
//     write + fdatasync: run_started, then step_started + step_finished per step, run_finished).
//     Baseline: N `bash -c true` (or `bash -c 'echo step K'` with its stdout on a pipe drained by
//     read(2)) started with posix_spawn and reaped with waitpid, nothing else. Only Session::start()
//     is timed (not creating the log directory, nor removing it). Target: executor / baseline <= 1.2.
//     Second baseline, for the breakdown: the same by hand plus what the records cost the disk
//     without any of our code: a line as long as the Session's average record, appended with
//     write + fdatasync before and after each command and once at each end (2N+2, as the Session
//     writes them) to a file under D.
// (2) one step printing B bytes: ```bash `head -c B /dev/zero` walked by the Session as above, so
//     the output goes through evidence::OutputCapture (redaction line by line, 1 MiB inline, the rest
//     spilled to outputs/ with SHA-256 and fsync) and the live echo (into a null ostream). Variant:
//     `yes 0123456789abcdef | head -c B` (newline-rich output). Baseline: the same command's stdout
//     on a plain pipe drained by a read(2) loop with a 64 KiB buffer into nowhere; second reference:
//     the same read loop writing into a file under D, then fdatasync (what this disk allows). The
//     baselines run in a forked child, so the peak RSS of this process is the executor's.
//     Target: executor MB/s / baseline MB/s >= 0.5; peak RSS (getrusage ru_maxrss) <= 64 MiB.
// Unless --no-shm, (1) and (2) are also run with the evidence directory on /dev/shm (tmpfs, where
// fdatasync costs nothing), which separates the engine's own cost from the disk's.
// Every round runs executor and baselines back to back, alternating which goes first; the figures
// are medians over the rounds. Session output goes to a null ostream. Beside each wall-clock time
// the CPU time of this process (user + system, getrusage; not the commands') is given: it depends
// less on what else the machine is doing.
// Output: a human-readable table, then `key=value` lines for scripts.

#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <ostream>
#include <streambuf>
#include <string>
#include <vector>

#include "util/sha256.h"
#include "evidence/log.h"
#include "exec/runner.h"
#include "executor/config.h"
#include "executor/operator.h"
#include "executor/session.h"
#include "graph/graph.h"
#include "playbook/loader.h"
#include "safety/classifier.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace runbook;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

/// CPU seconds (user + system) this process has used so far; its children not included.
double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return s(ru.ru_utime) + s(ru.ru_stime);
}

/// Wall-clock and CPU seconds of one timed run.
struct Timing {
  double wall = 0;
  double cpu = 0;  ///< of this process (the engine side), not of the commands it started
};

/// Times `fn`.
template <typename F>
Timing timed(F&& fn) {
  const double c0 = cpu_seconds();
  const auto t0 = Clock::now();
  fn();
  return {seconds_since(t0), cpu_seconds() - c0};
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "bench_executor: %s\n", what.c_str());
  std::exit(2);
}

/// An ostream that drops everything (counts the bytes).
class NullBuf : public std::streambuf {
 public:
  std::uint64_t bytes = 0;

 protected:
  int_type overflow(int_type c) override {
    if (!traits_type::eq_int_type(c, traits_type::eof())) ++bytes;
    return traits_type::not_eof(c);
  }
  std::streamsize xsputn(const char*, std::streamsize n) override {
    bytes += static_cast<std::uint64_t>(n);
    return n;
  }
};

// ---------------------------------------------------------------------------------------------
// Baselines: posix_spawn + waitpid, pipes drained by read(2).

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
  if (int rc = posix_spawn(&pid, "/bin/bash", &fa, nullptr, argv, environ); rc != 0)
    die(std::string("posix_spawn: ") + std::strerror(rc));
  posix_spawn_file_actions_destroy(&fa);
  return pid;
}

int reap(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) == -1 && errno == EINTR) {
  }
  return status;
}

/// Runs `script` with its stdout on a pipe drained into `buf` (into `file_fd` too when >= 0);
/// returns the bytes read.
std::uint64_t drain(const std::string& script, std::vector<char>& buf, int file_fd) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) die("pipe2 failed");
  pid_t pid = spawn_bash(script, p[1]);
  close(p[1]);
  std::uint64_t got = 0;
  for (;;) {
    ssize_t n = read(p[0], buf.data(), buf.size());
    if (n > 0) {
      got += static_cast<std::uint64_t>(n);
      if (file_fd >= 0) {
        for (ssize_t off = 0; off < n;) {
          ssize_t w = write(file_fd, buf.data() + off, static_cast<std::size_t>(n - off));
          if (w < 0 && errno == EINTR) continue;
          if (w <= 0) die("write failed");
          off += w;
        }
      }
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  close(p[0]);
  if (int st = reap(pid); st != 0) std::fprintf(stderr, "baseline command failed: status %d\n", st);
  return got;
}

/// Appends a record-sized line to `fd` and makes it durable, as EvidenceLog::append does.
void append_synced(int fd, const std::string& line) {
  if (::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) die("write failed");
  if (::fdatasync(fd) != 0) die(std::string("fdatasync failed: ") + std::strerror(errno));
}

/// N steps by hand. `echo`: `echo step K` with stdout on a drained pipe; else `true`, no pipe.
/// With `records_dir`: also what the evidence log costs the disk, without any of our code: a
/// line of `record_bytes` appended + fdatasync before and after each command, one more at the
/// start and at the end (2N+2, as the Session writes), to a new file in records_dir.
Timing steps_by_hand(int n, bool echo, const std::string& records_dir = "", std::size_t record_bytes = 0) {
  std::vector<char> buf(64 * 1024);
  int fd = -1;
  std::string path, line(record_bytes > 0 ? record_bytes - 1 : 0, 'x');
  line += '\n';
  if (!records_dir.empty()) {
    path = records_dir + "/records-by-hand.jsonl";
    fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) die("cannot create " + path);
  }
  const Timing t = timed([&] {
    if (fd >= 0) append_synced(fd, line);
    for (int i = 1; i <= n; ++i) {
      if (fd >= 0) append_synced(fd, line);
      if (echo) {
        drain("echo step " + std::to_string(i), buf, -1);
      } else if (int st = reap(spawn_bash("true", -1)); st != 0) {
        std::fprintf(stderr, "baseline step failed: status %d\n", st);
      }
      if (fd >= 0) append_synced(fd, line);
    }
    if (fd >= 0) append_synced(fd, line);
  });
  if (fd >= 0) {
    ::close(fd);
    ::unlink(path.c_str());
  }
  return t;
}

/// Runs `fn` in a forked child (so its memory does not count in this process's peak RSS) and
/// returns what it reports.
Timing in_child(const std::function<Timing()>& fn) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) die("pipe2 failed");
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) die("fork failed");
  if (pid == 0) {
    close(p[0]);
    Timing v = fn();
    (void)!::write(p[1], &v, sizeof v);
    _exit(0);
  }
  close(p[1]);
  Timing v;
  if (::read(p[0], &v, sizeof v) != static_cast<ssize_t>(sizeof v)) die("a baseline child failed");
  close(p[0]);
  reap(pid);
  return v;
}

/// Time to read the command's stdout raw (into a file under `dir` + fdatasync when not empty).
Timing flood_by_hand(const std::string& cmd, std::uint64_t expect, const std::string& dir) {
  return in_child([&] {
    std::vector<char> buf(64 * 1024);
    int fd = -1;
    std::string path;
    if (!dir.empty()) {
      path = dir + "/flood-by-hand.out";
      fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd < 0) die("cannot create " + path);
    }
    std::uint64_t got = 0;
    const Timing s = timed([&] {
      got = drain(cmd, buf, fd);
      if (fd >= 0 && ::fdatasync(fd) != 0) die("fdatasync failed");
    });
    if (fd >= 0) {
      ::close(fd);
      ::unlink(path.c_str());
    }
    if (got != expect)
      std::fprintf(stderr, "baseline read %llu bytes, expected %llu\n", static_cast<unsigned long long>(got),
                   static_cast<unsigned long long>(expect));
    return s;
  });
}

// ---------------------------------------------------------------------------------------------
// The executor.

std::string steps_playbook(int n, bool echo) {
  std::string md = "# Executor bench\n\nTrivial steps, one command each.\n\n";
  for (int i = 1; i <= n; ++i) {
    md += "## Step " + std::to_string(i) + "\n\n```bash\n";
    md += echo ? "echo step " + std::to_string(i) : std::string("true");
    md += "\n```\n\n";
  }
  return md;
}

std::string flood_playbook(const std::string& cmd) {
  return "# Executor flood\n\n## Print a lot\n\n```bash\n" + cmd + "\n```\n";
}

/// A parsed playbook and what a Session needs besides.
struct Rig {
  playbook::Playbook pb;
  graph::StepGraph graph;
  executor::RunConfig config;
  const safety::Classifier& classifier;
  exec::Runner& runner;

  Rig(const std::string& markdown, const std::string& name, const safety::Classifier& cls, exec::Runner& r)
      : pb(parse(markdown, name, cls)), graph(graph::StepGraph::build(pb)), classifier(cls), runner(r) {}

  static playbook::Playbook parse(const std::string& markdown, const std::string& name, const safety::Classifier& cls) {
    playbook::ParseOptions options;
    options.classifier = &cls;
    auto r = playbook::parse_playbook(markdown, name, options);
    if (!r) die("cannot parse the generated playbook: " + r.error().describe());
    return std::move(r).value();
  }
};

struct RunFigures {
  Timing time;
  executor::Session::Tally tally;
  std::uint64_t records = 0;
  std::uint64_t echoed = 0;  ///< bytes the session wrote to its (null) output
};

/// A fresh evidence directory under `parent`, a session over the rig, Session::start() timed.
RunFigures run_session(Rig& rig, const std::string& parent, const std::function<void(const std::string&)>& inspect = {}) {
  std::string pattern = parent + "/runbook-bench-exec-XXXXXX";
  if (!mkdtemp(pattern.data())) die("mkdtemp under " + parent + ": " + std::strerror(errno));
  const std::string dir = pattern + "/run";
  NullBuf null_buf;
  std::ostream out(&null_buf);
  RunFigures f;
  {
    auto op = executor::make_scripted_operator_from_text("defaults: {action: run}\n", "bench-answers.yaml", out);
    if (!op) die(op.error().describe());
    auto log = evidence::EvidenceLog::create(dir, evidence::Redactor());
    if (!log) die(log.error().describe());
    exec::Interrupt interrupt;
    executor::Session session(rig.pb, rig.graph, rig.config, rig.classifier, rig.runner, **op, **log, out, interrupt);
    executor::SessionSettings settings;
    settings.mode = "scripted";
    executor::Outcome outcome = executor::Outcome::Failed;
    f.time = timed([&] { outcome = session.start(settings); });
    f.tally = session.tally();
    f.records = (*log)->last_seq();
    if (outcome != executor::Outcome::Completed)
      die(std::string("the session did not complete: ") + executor::outcome_name(outcome));
  }
  f.echoed = null_buf.bytes;
  if (inspect) inspect(dir);
  std::error_code ec;
  fs::remove_all(pattern, ec);
  return f;
}

bool writable_dir(const std::string& dir) { return !dir.empty() && ::access(dir.c_str(), W_OK | X_OK) == 0; }

std::string fs_type(const std::string& dir) {
  struct statfs st {};
  if (::statfs(dir.c_str(), &st) != 0) return "?";
  switch (static_cast<unsigned long>(st.f_type)) {
    case 0xEF53: return "ext4";
    case 0x01021994: return "tmpfs";
    case 0x58465342: return "xfs";
    case 0x9123683E: return "btrfs";
    case 0x794c7630: return "overlayfs";
    default: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "0x%lx", static_cast<unsigned long>(st.f_type));
      return buf;
    }
  }
}

double rss_mib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;
}

// ---------------------------------------------------------------------------------------------

/// Medians over the rounds.
struct Medians {
  std::vector<Timing> runs;
  void add(Timing t) { runs.push_back(t); }
  double wall() const {
    std::vector<double> v;
    for (const auto& t : runs) v.push_back(t.wall);
    return median(v);
  }
  double cpu() const {
    std::vector<double> v;
    for (const auto& t : runs) v.push_back(t.cpu);
    return median(v);
  }
};

struct StepsResult {
  Medians baseline, with_records, executor;
  int records = 0;
  std::uint64_t log_bytes = 0;
};

/// Part (1) for one variant on one directory.
StepsResult bench_steps(Rig& rig, int steps, bool echo, int rounds, const std::string& dir) {
  StepsResult r;
  // The size of the records the Session writes, for the by-hand records (from a first run).
  run_session(rig, dir, [&](const std::string& d) {
    std::error_code ec;
    r.log_bytes = fs::file_size(fs::path(d) / evidence::kLogFile, ec);
  });
  for (int round = 0; round < rounds; ++round) {
    auto executor_run = [&] {
      RunFigures f = run_session(rig, dir);
      if (f.tally.ran != steps || f.tally.failed != 0 || f.tally.skipped != 0)
        die("the steps did not all run: ran " + std::to_string(f.tally.ran) + ", failed " +
            std::to_string(f.tally.failed) + ", skipped " + std::to_string(f.tally.skipped));
      r.records = static_cast<int>(f.records);
      r.executor.add(f.time);
    };
    const std::size_t record_bytes = r.records > 0 ? static_cast<std::size_t>(r.log_bytes) / r.records : 0;
    auto with_records = [&] { r.with_records.add(steps_by_hand(steps, echo, dir, std::max<std::size_t>(record_bytes, 64))); };
    if (round % 2 == 0) {
      r.baseline.add(steps_by_hand(steps, echo));
      with_records();
      executor_run();
    } else {
      executor_run();
      with_records();
      r.baseline.add(steps_by_hand(steps, echo));
    }
  }
  return r;
}

struct FloodResult {
  Medians baseline, to_file, executor;
};

/// Checks the spilled file of a flood run: outputs/ holds one file of `bytes` bytes.
void check_flood(const std::string& dir, std::uint64_t bytes) {
  std::uint64_t found = 0;
  int files = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(fs::path(dir) / evidence::kOutputsDir, ec)) {
    ++files;
    found = e.file_size(ec);
  }
  if (bytes > (1u << 20) && (files != 1 || found != bytes))
    die("expected one spilled file of " + std::to_string(bytes) + " bytes in outputs/, found " + std::to_string(files) +
        " file(s), last " + std::to_string(found) + " bytes");
  // The chain, in a child (reading a log with a 1 MiB inline text would count in our RSS).
  const Timing ok = in_child([&] { return Timing{evidence::verify(dir).ok ? 1.0 : 0.0, 0}; });
  if (ok.wall != 1.0) die("the evidence log of the flood run does not verify");
}

FloodResult bench_flood(const std::string& cmd, std::uint64_t bytes, int rounds, const std::string& dir,
                        const safety::Classifier& classifier, exec::Runner& runner) {
  const std::string no_dir;
  Rig rig(flood_playbook(cmd), "flood.md", classifier, runner);
  FloodResult r;
  for (int round = 0; round < rounds; ++round) {
    auto executor_run = [&] {
      RunFigures f = run_session(rig, dir, [&](const std::string& d) { check_flood(d, bytes); });
      if (f.tally.ran != 1 || f.tally.failed != 0) die("the flood step did not succeed");
      if (f.echoed < bytes) die("the live echo saw fewer bytes than the command printed");
      r.executor.add(f.time);
    };
    if (round % 2 == 0) {
      r.baseline.add(flood_by_hand(cmd, bytes, no_dir));
      executor_run();
    } else {
      executor_run();
      r.baseline.add(flood_by_hand(cmd, bytes, no_dir));
    }
    r.to_file.add(flood_by_hand(cmd, bytes, dir));
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  int steps = 200;
  std::uint64_t bytes = 1073741824ULL;
  int rounds = 3;
  std::string dir = fs::temp_directory_path().string();
  bool shm = true;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--steps" && i + 1 < argc) {
      steps = std::max(1, std::atoi(argv[++i]));
    } else if (a == "--bytes" && i + 1 < argc) {
      bytes = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--rounds" && i + 1 < argc) {
      rounds = std::max(1, std::atoi(argv[++i]));
    } else if (a == "--dir" && i + 1 < argc) {
      dir = argv[++i];
    } else if (a == "--no-shm") {
      shm = false;
    } else if (a == "--only" && i + 1 < argc) {
      only = argv[++i];
    } else {
      std::fprintf(stderr,
                   "usage: bench_executor [--steps N] [--bytes B] [--rounds R] [--dir D] [--no-shm] [--only steps|flood]\n");
      return 2;
    }
  }
  if (!writable_dir(dir)) die("cannot write to " + dir);
  const std::string shm_dir = "/dev/shm";
  shm = shm && writable_dir(shm_dir) && fs_type(shm_dir) == "tmpfs" && dir != shm_dir;
  const bool do_steps = only.empty() || only == "steps";
  const bool do_flood = only.empty() || only == "flood";

  const safety::Classifier classifier;
  auto runner = exec::make_process_runner();
  std::vector<std::pair<std::string, std::string>> kv;  // key=value lines, in order
  auto put = [&](const std::string& k, double v, const char* fmt = "%.3f") {
    char buf[64];
    std::snprintf(buf, sizeof buf, fmt, v);
    kv.emplace_back(k, buf);
  };

  std::printf("bench_executor: %d steps, %llu bytes, %d rounds (medians); evidence under %s (%s)%s\n", steps,
              static_cast<unsigned long long>(bytes), rounds, dir.c_str(), fs_type(dir).c_str(),
              shm ? "; also /dev/shm (tmpfs)" : "");
  std::printf("  SHA-256 of spilled output: %s\n", util::Sha256Stream::hardware() ? "SHA-NI" : "portable");
  std::fflush(stdout);
  kv.emplace_back("steps", std::to_string(steps));
  kv.emplace_back("bytes", std::to_string(bytes));
  kv.emplace_back("rounds", std::to_string(rounds));
  kv.emplace_back("evidence_fs", fs_type(dir));
  kv.emplace_back("sha256_hardware", util::Sha256Stream::hardware() ? "1" : "0");

  if (do_steps) {
    Rig rig_true(steps_playbook(steps, false), "steps-true.md", classifier, *runner);
    Rig rig_echo(steps_playbook(steps, true), "steps-echo.md", classifier, *runner);
    if (static_cast<int>(rig_true.pb.steps.size()) != steps || static_cast<int>(rig_echo.pb.steps.size()) != steps)
      die("the generated playbook does not have " + std::to_string(steps) + " steps");
    // Warm-up: page cache, bash's first start, the classifier's and the runner's first use.
    steps_by_hand(5, false);
    {
      Rig warm(steps_playbook(5, false), "warm.md", classifier, *runner);
      run_session(warm, dir);
    }
    struct Variant {
      const char* key;
      const char* title;
      Rig* rig;
      bool echo;
    };
    const Variant variants[] = {{"true", "`true`", &rig_true, false}, {"echo", "`echo step K`", &rig_echo, true}};
    std::vector<std::pair<std::string, std::string>> places = {{"", dir}};
    if (shm) places.emplace_back("_shm", shm_dir);
    for (const auto& [suffix, where] : places) {
      for (const Variant& v : variants) {
        StepsResult r = bench_steps(*v.rig, steps, v.echo, rounds, where);
        const double hb = r.baseline.wall(), hr = r.with_records.wall(), he = r.executor.wall();
        const double per_b = hb * 1e3 / steps, per_r = hr * 1e3 / steps, per_e = he * 1e3 / steps;
        const double cpu_b = r.baseline.cpu() * 1e3 / steps, cpu_r = r.with_records.cpu() * 1e3 / steps,
                     cpu_e = r.executor.cpu() * 1e3 / steps;
        const double per_sync = r.records ? (hr - hb) * 1e3 / r.records : 0;
        std::printf("  (1) %d steps of %s, evidence on %s (%s); %d records, %.0f bytes each on average\n", steps,
                    v.title, where.c_str(), fs_type(where).c_str(), r.records,
                    r.records ? static_cast<double>(r.log_bytes) / r.records : 0.0);
        std::printf("      posix_spawn + waitpid%s       %9.1f ms  %7.3f ms/step  (CPU here %.3f ms/step)\n",
                    v.echo ? " + pipe" : "       ", hb * 1e3, per_b, cpu_b);
        std::printf("      the same + %4d write+fdatasync  %9.1f ms  %7.3f ms/step  (CPU here %.3f ms/step)\n",
                    r.records, hr * 1e3, per_r, cpu_r);
        std::printf("      executor::Session                    %9.1f ms  %7.3f ms/step  (CPU here %.3f ms/step)\n",
                    he * 1e3, per_e, cpu_e);
        std::printf("      ratio executor/baseline              %9.2fx (target <= 1.20x)\n", he / hb);
        std::printf("      ratio executor/(baseline + records)  %9.2fx (the records cost %.3f ms each by hand)\n",
                    he / hr, per_sync);
        std::fflush(stdout);
        const std::string k = std::string("steps_") + v.key + suffix;
        put(k + "_baseline_ms", hb * 1e3, "%.1f");
        put(k + "_baseline_with_records_ms", hr * 1e3, "%.1f");
        put(k + "_executor_ms", he * 1e3, "%.1f");
        put(k + "_baseline_ms_per_step", per_b);
        put(k + "_baseline_with_records_ms_per_step", per_r);
        put(k + "_executor_ms_per_step", per_e);
        put(k + "_ratio", he / hb);
        put(k + "_ratio_vs_baseline_with_records", he / hr);
        put(k + "_baseline_cpu_ms_per_step", cpu_b);
        put(k + "_baseline_with_records_cpu_ms_per_step", cpu_r);
        put(k + "_executor_cpu_ms_per_step", cpu_e);
        put(k + "_records", r.records, "%.0f");
        put(k + "_record_ms_by_hand", per_sync);
      }
    }
    kv.emplace_back("target_ratio_steps", "1.20");
  }

  if (do_flood) {
    const double rss_before = rss_mib();
    put("peak_rss_mib_before_flood", rss_before, "%.1f");
    struct Variant {
      const char* key;
      std::string cmd;
    };
    const std::string n = std::to_string(bytes);
    const Variant variants[] = {{"zero", "head -c " + n + " /dev/zero"}, {"lines", "yes 0123456789abcdef | head -c " + n}};
    std::vector<std::pair<std::string, std::string>> places = {{"", dir}};
    if (shm) places.emplace_back("_shm", shm_dir);
    const double mb = static_cast<double>(bytes) / 1e6;
    for (const auto& [suffix, where] : places) {
      for (const Variant& v : variants) {
        FloodResult r = bench_flood(v.cmd, bytes, rounds, where, classifier, *runner);
        const double hb = r.baseline.wall(), hf = r.to_file.wall(), he = r.executor.wall();
        std::printf("  (2) %s, evidence on %s (%s)\n", v.cmd.c_str(), where.c_str(), fs_type(where).c_str());
        std::printf("      pipe + read loop               %9.1f MB/s (%.3f s, CPU here %.3f s)\n", mb / hb, hb,
                    r.baseline.cpu());
        std::printf("      pipe + read + write + fdatasync%9.1f MB/s (%.3f s, CPU here %.3f s)\n", mb / hf, hf,
                    r.to_file.cpu());
        std::printf("      executor::Session              %9.1f MB/s (%.3f s, CPU here %.3f s)\n", mb / he, he,
                    r.executor.cpu());
        std::printf("      ratio executor/baseline        %9.2f  (target >= 0.50)\n", hb / he);
        std::printf("      ratio executor/(read + write)  %9.2f\n", hf / he);
        std::fflush(stdout);
        const std::string k = std::string("flood_") + v.key + suffix;
        put(k + "_baseline_mb_s", mb / hb, "%.1f");
        put(k + "_to_file_mb_s", mb / hf, "%.1f");
        put(k + "_executor_mb_s", mb / he, "%.1f");
        put(k + "_ratio", hb / he);
        put(k + "_ratio_vs_to_file", hf / he);
        put(k + "_baseline_cpu_s", r.baseline.cpu());
        put(k + "_to_file_cpu_s", r.to_file.cpu());
        put(k + "_executor_cpu_s", r.executor.cpu());
      }
    }
    kv.emplace_back("target_ratio_flood", "0.50");
  }
  const double rss = rss_mib();
  std::printf("  peak RSS of this process          %9.1f MiB (target <= 64 MiB; baselines ran in forked children)\n", rss);
  put("peak_rss_mib", rss, "%.1f");
  kv.emplace_back("target_peak_rss_mib", "64");
  for (const auto& [k, v] : kv) std::printf("%s=%s\n", k.c_str(), v.c_str());
  return 0;
}
