// The real runner: Boost.Process (v1) starts the command, Boost.Asio waits for its output, its
// exit (a pidfd), ticks, the timeout and the interrupt flag on one io_context on the caller's
// thread. The only translation unit of the project that includes Boost.Process.
//
// The life of one command:
//   prepare   resolve the program (PATH of spec.env, else the engine's), build argv/envp, check
//             the working directory, all in the parent (the child may only make async-signal-safe
//             calls between vfork and execve);
//   spawn     vfork + exec through bp::child; in the child (ChildSetup::on_exec_setup): own process
//             group, the terminal handed to that group for interactive commands, default signal
//             dispositions and an empty mask, stdin from /dev/null, cwd, close-on-exec on every
//             fd >= 3 (so neither our pipes nor the engine's files leak into the command);
//   loop      stdout/stderr read in chunks of at most 64 KiB straight into the sink (nothing is
//             kept); the exit seen on a pidfd without reaping (waitid WNOWAIT), so the group's id
//             cannot be recycled while we may still signal it; timeout/interrupt: SIGTERM (+SIGCONT)
//             to the group, SIGKILL after the grace; a normal exit with the pipes still held by
//             background processes: at most kDrain more, then SIGKILL to the group;
//   reap      SIGKILL to whatever is left of the group, reap the leader, then reap the group's
//             orphans (the engine is a child subreaper, so they are ours) until kill(-pgid, 0)
//             says ESRCH: no process of the group outlives run().

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

// Boost.Process 1.74 only enables its vfork executor for old _XOPEN_SOURCE levels, although Linux
// (glibc) has vfork at every level. This is the only translation unit including Boost.Process, so
// switching it on here cannot break the one-definition rule.
#ifndef BOOST_POSIX_HAS_VFORK
#define BOOST_POSIX_HAS_VFORK 1
#endif
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/process/async_pipe.hpp>
#include <boost/process/child.hpp>
#include <boost/process/exe.hpp>
#include <boost/process/extend.hpp>
#include <boost/process/io.hpp>
#include <boost/process/posix.hpp>

#include "exec/runner.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

namespace runbook::exec {

namespace {

namespace asio = boost::asio;
namespace bp = boost::process;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr std::size_t kChunk = 64 * 1024;      ///< the largest chunk handed to the sink
constexpr milliseconds kTick{250};             ///< OutputSink::on_tick period
constexpr milliseconds kInterruptPoll{50};     ///< how often Interrupt::raised() is looked at
constexpr milliseconds kDrain{500};            ///< after the exit: how long background output may go on
constexpr milliseconds kAfterKill{200};        ///< after a SIGKILL to the group: how long to wait for EOF
constexpr milliseconds kReapLimit{5000};       ///< the most we wait for the group's orphans to be reaped

// ---------------------------------------------------------------------------------------------
// Child side: only async-signal-safe calls (the engine may have other threads).

struct LinuxDirent64 {
  ino64_t d_ino;
  off64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

/// Sets FD_CLOEXEC on every descriptor >= 3, so that execve closes them (closing them here instead
/// would also close descriptors a failed execve still needs; with close_range it is one syscall).
void cloexec_from_3() {
#ifdef SYS_close_range
  if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) == 0) return;
#endif
  int dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    alignas(LinuxDirent64) char buf[4096];
    for (;;) {
      long n = syscall(SYS_getdents64, dir, buf, sizeof buf);
      if (n <= 0) break;
      for (long off = 0; off < n;) {
        auto* d = reinterpret_cast<LinuxDirent64*>(buf + off);
        off += d->d_reclen;
        int fd = 0;
        bool digits = d->d_name[0] != '\0';
        for (const char* c = d->d_name; *c != '\0'; ++c) {
          if (*c < '0' || *c > '9') {
            digits = false;
            break;
          }
          fd = fd * 10 + (*c - '0');
        }
        if (digits && fd >= 3 && fd != dir) fcntl(fd, F_SETFD, FD_CLOEXEC);
      }
    }
    close(dir);
    return;
  }
  long max = sysconf(_SC_OPEN_MAX);
  if (max < 0 || max > 65536) max = 65536;
  for (int fd = 3; fd < max; ++fd) fcntl(fd, F_SETFD, FD_CLOEXEC);
}

/// Everything the child needs, prepared in the parent. A Boost.Process initializer: on_setup
/// (parent, before vfork) installs our argv/envp, on_exec_setup (child) does the rest.
struct ChildSetup : bp::extend::handler {
  const char* exe = nullptr;
  char* const* argv = nullptr;
  char** envp = nullptr;
  const char* cwd = nullptr;  ///< nullptr: stay
  bool stdin_null = true;
  bool tty_handoff = false;
  pid_t* failed_pid = nullptr;  ///< where on_error leaves the pid of a child that did not exec
  const char** failed_step = nullptr;  ///< the child leaves the step that failed before execve here

  template <class Executor>
  void on_setup(Executor& e) const {
    // Runs after bp::exe's initializer (builders first, then handlers): argv[0] stays as given.
    e.exe = exe;
    e.cmd_line = argv;
    e.env = envp;
  }

  template <class Executor>
  void on_error(Executor& e, const std::error_code& /*ec*/) const {
    if (e.pid > 0 && failed_pid != nullptr) *failed_pid = e.pid;
  }

  template <class Executor>
  void fail(Executor& e, const char* what) const {
    // vfork: both stores land in the parent's memory; `what` is short enough not to allocate.
    int err = errno;
    if (failed_step != nullptr) *failed_step = what;
    e.set_error(std::error_code(err, std::system_category()), what);
    _exit(127);
  }

  /// Signals ignored by the engine that a command must not inherit ignored.
  static bool reset_if_ignored(int sig) {
    switch (sig) {
      case SIGINT: case SIGTERM: case SIGPIPE: case SIGQUIT: case SIGCHLD: case SIGTSTP: case SIGTTIN:
      case SIGTTOU: case SIGALRM: case SIGUSR1: case SIGUSR2: case SIGXFSZ:
        return true;
      default:
        return false;  // e.g. SIGHUP under nohup stays ignored
    }
  }

  // In the child, which shares the parent's memory until execve (vfork), with every signal blocked
  // (the parent blocked them around the spawn, as posix_spawn does): no handler of the engine can
  // run here. Only async-signal-safe calls.
  template <class Executor>
  void on_exec_setup(Executor& e) const {
    if (setpgid(0, 0) != 0) fail(e, "setpgid");
    // Foreground the new group on the terminal, or reading it would stop the command (SIGTTIN).
    // SIGTTOU is blocked, so the call from a background group goes through.
    if (tty_handoff) tcsetpgrp(STDIN_FILENO, getpid());
    // Default dispositions: handlers would be reset by execve anyway, but one must not run before
    // it, and ignored signals survive execve.
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    for (int sig = 1; sig < NSIG; ++sig) {
      if (sig == SIGKILL || sig == SIGSTOP) continue;
      struct sigaction old {};
      if (sigaction(sig, nullptr, &old) != 0) continue;  // glibc's internal signals
      bool handled = (old.sa_flags & SA_SIGINFO) != 0 || (old.sa_handler != SIG_DFL && old.sa_handler != SIG_IGN);
      bool ignored = (old.sa_flags & SA_SIGINFO) == 0 && old.sa_handler == SIG_IGN;
      if (handled || (ignored && reset_if_ignored(sig))) sigaction(sig, &dfl, nullptr);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    if (stdin_null) {
      int fd = open("/dev/null", O_RDONLY);
      if (fd < 0) fail(e, "open /dev/null");
      if (fd != STDIN_FILENO) {
        if (dup2(fd, STDIN_FILENO) < 0) fail(e, "dup2 stdin");
        close(fd);
      }
    }
    if (cwd != nullptr && chdir(cwd) != 0) fail(e, "chdir");
    cloexec_from_3();
  }
};

// ---------------------------------------------------------------------------------------------
// Parent side.

/// argv, envp and the program, ready for execve.
struct Prepared {
  std::string exe;
  std::vector<std::string> args;
  std::vector<char*> argv;
  std::vector<std::string> env_strings;
  std::vector<char*> envp;
  std::string cwd;
};

bool is_executable_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

/// A path as the child will see it after chdir(cwd).
std::string seen_from(const std::string& cwd, const std::string& path) {
  if (cwd.empty() || path.empty() || path.front() == '/') return path;
  return cwd + "/" + path;
}

/// Finds `name` like execvp: a name with a slash is taken as is, otherwise PATH is searched (the
/// command's own PATH when spec.env has one, else the engine's). "" when not found.
std::string resolve_program(const std::string& name, const CommandSpec& spec, std::string& searched) {
  if (name.find('/') != std::string::npos) return is_executable_file(seen_from(spec.cwd, name)) ? name : "";
  std::string path;
  if (auto it = spec.env.find("PATH"); it != spec.env.end()) {
    path = it->second;
  } else if (const char* p = std::getenv("PATH")) {
    path = p;
  } else {
    path = "/usr/local/bin:/usr/bin:/bin";
  }
  searched = path;
  std::size_t begin = 0;
  while (begin <= path.size()) {
    std::size_t end = path.find(':', begin);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(begin, end - begin);
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + name;
    if (is_executable_file(seen_from(spec.cwd, candidate))) return candidate;
    begin = end + 1;
  }
  return "";
}

/// Fills `p`; returns why the command cannot start, or "".
std::string prepare(const CommandSpec& spec, Prepared& p) {
  if (!spec.cwd.empty()) {
    struct stat st {};
    if (::stat(spec.cwd.c_str(), &st) != 0)
      return "working directory '" + spec.cwd + "': " + std::strerror(errno);
    if (!S_ISDIR(st.st_mode)) return "working directory '" + spec.cwd + "' is not a directory";
    p.cwd = spec.cwd;
  }
  if (!spec.argv.empty()) {
    for (const auto& a : spec.argv)
      if (a.find('\0') != std::string::npos) return "argument contains a NUL byte";
    if (spec.argv.front().empty()) return "empty program name";
    std::string searched;
    p.exe = resolve_program(spec.argv.front(), spec, searched);
    if (p.exe.empty()) {
      if (spec.argv.front().find('/') != std::string::npos)
        return "program '" + spec.argv.front() + "' not found or not executable";
      return "program '" + spec.argv.front() + "' not found in PATH (" + searched + ")";
    }
    p.args = spec.argv;
  } else {
    if (spec.script.find('\0') != std::string::npos) return "script contains a NUL byte";
    if (is_executable_file("/bin/bash")) {
      p.exe = "/bin/bash";
      p.args = {"bash", "-c", spec.script};
    } else if (is_executable_file("/bin/sh")) {
      p.exe = "/bin/sh";
      p.args = {"sh", "-c", spec.script};
    } else {
      return "no shell: neither /bin/bash nor /bin/sh is executable";
    }
  }
  for (auto& a : p.args) p.argv.push_back(a.data());
  p.argv.push_back(nullptr);
  p.env_strings.reserve(spec.env.size());
  for (const auto& [key, value] : spec.env) {
    if (key.empty() || key.find('=') != std::string::npos || key.find('\0') != std::string::npos)
      return "invalid environment variable name '" + key + "'";
    if (value.find('\0') != std::string::npos) return "environment variable " + key + " contains a NUL byte";
    p.env_strings.push_back(key + "=" + value);
  }
  for (auto& e : p.env_strings) p.envp.push_back(e.data());
  p.envp.push_back(nullptr);
  return "";
}

void set_cloexec(int fd) {
  if (fd >= 0) fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC);
}

/// Blocks every signal in this thread for its lifetime (around the spawn: see on_exec_setup).
class AllSignalsBlocked {
 public:
  AllSignalsBlocked() {
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old_);
  }
  ~AllSignalsBlocked() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }
  AllSignalsBlocked(const AllSignalsBlocked&) = delete;
  AllSignalsBlocked& operator=(const AllSignalsBlocked&) = delete;

 private:
  sigset_t old_;
};

/// Runs `fn` with SIGTTOU blocked in this thread (tcsetpgrp from a background group).
template <class Fn>
void without_sigttou(Fn fn) {
  sigset_t ttou, old;
  sigemptyset(&ttou);
  sigaddset(&ttou, SIGTTOU);
  pthread_sigmask(SIG_BLOCK, &ttou, &old);
  fn();
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

void sleep_us(long us) {
  timespec ts{us / 1000000L, (us % 1000000L) * 1000L};
  while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
  }
}

/// One command from start to reaping.
class Session {
 public:
  Session(const CommandSpec& spec, OutputSink& sink, const Interrupt* interrupt)
      : spec_(spec), sink_(sink), interrupt_(interrupt), timer_(io_), pidfd_(io_) {}

  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  ~Session() {
    // Also on an exception from the sink: nothing of the group may survive.
    finish();
    reap();
  }

  /// Starts the command; "" or why it could not start.
  std::string start(const Prepared& prep);

  /// Runs the loop until the command and its output are done.
  void loop() {
    read(out_);
    read(err_);
    if (pidfd_.is_open()) wait_exit();
    update();
    io_.run();
  }

  /// Reaps and describes the ending.
  RunResult result();

  Clock::time_point started() const { return start_; }

 private:
  enum class Reason { None, TimedOut, Interrupted };

  struct Channel {
    explicit Channel(asio::io_context& io, Stream s) : pipe(io), stream(s) {}
    bp::async_pipe pipe;
    Stream stream;
    bool open = true;
    std::uint64_t bytes = 0;
    std::unique_ptr<char[]> buf{new char[kChunk]};
  };

  milliseconds since_start(Clock::time_point now) const {
    return std::chrono::duration_cast<milliseconds>(now - start_);
  }

  void read(Channel& ch) {
    ch.pipe.async_read_some(asio::buffer(ch.buf.get(), kChunk),
                            [this, &ch](const boost::system::error_code& ec, std::size_t n) {
                              if (finished_) return;
                              if (n > 0) {
                                ch.bytes += n;
                                sink_.on_output(ch.stream, std::string_view(ch.buf.get(), n),
                                                since_start(Clock::now()));
                              }
                              if (ec) {
                                ch.open = false;
                                boost::system::error_code ignored;
                                ch.pipe.close(ignored);
                                update();
                                return;
                              }
                              read(ch);
                            });
  }

  void wait_exit() {
    pidfd_.async_wait(asio::posix::descriptor_base::wait_read, [this](const boost::system::error_code& ec) {
      if (finished_) return;
      if (ec) {  // should not happen; fall back to polling in update()
        boost::system::error_code ignored;
        pidfd_.close(ignored);
      } else if (!poll_exit()) {
        wait_exit();
        return;
      }
      update();
    });
  }

  /// Looks at the child without reaping it; true once it has exited.
  bool poll_exit() {
    if (exited_) return true;
    siginfo_t info{};
    if (waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) == 0) {
      if (info.si_pid == pid_) {
        exited_ = true;
        exit_code_ = info.si_code;
        exit_status_ = info.si_status;
      }
    } else if (errno == ECHILD) {
      // Reaped behind our back (SIGCHLD ignored, or a waitpid(-1) elsewhere): the status is lost.
      exited_ = true;
      status_lost_ = true;
    }
    return exited_;
  }

  void signal_group(int sig) {
    if (pid_ > 0) ::kill(-pid_, sig);
  }

  void terminate(Reason why, Clock::time_point now) {
    reason_ = why;
    signal_group(SIGTERM);
    signal_group(SIGCONT);  // a stopped process only sees SIGTERM once it runs again
    kill_at_ = now + std::max(spec_.grace, milliseconds{0});
    if (spec_.grace.count() <= 0) kill_group(now);
  }

  void kill_group(Clock::time_point now) {
    if (group_killed_) return;
    signal_group(SIGKILL);
    group_killed_ = true;
    // If the exit comes in later, it must not restart a long drain.
    if (exited_) drain_until_ = now + kAfterKill;
  }

  /// The state machine: called after every event and by the timer.
  void update();
  void arm_timer(Clock::time_point now);

  void finish() {
    if (finished_) return;
    finished_ = true;
    boost::system::error_code ignored;
    timer_.cancel();
    out_.pipe.close(ignored);
    err_.pipe.close(ignored);
    if (pidfd_.is_open()) pidfd_.close(ignored);
  }

  void reap();

  const CommandSpec& spec_;
  OutputSink& sink_;
  const Interrupt* interrupt_;

  asio::io_context io_{1};
  Channel out_{io_, Stream::Stdout};
  Channel err_{io_, Stream::Stderr};
  asio::steady_timer timer_;
  asio::posix::stream_descriptor pidfd_;
  Clock::time_point timer_at_ = Clock::time_point::max();

  Clock::time_point start_;
  Clock::time_point next_tick_;
  Clock::time_point deadline_ = Clock::time_point::max();
  Clock::time_point kill_at_ = Clock::time_point::max();
  Clock::time_point drain_until_ = Clock::time_point::max();

  pid_t pid_ = -1;
  bool tty_handoff_ = false;
  bool exited_ = false;
  bool status_lost_ = false;
  int exit_code_ = 0;    ///< si_code: CLD_EXITED, CLD_KILLED, CLD_DUMPED
  int exit_status_ = 0;  ///< si_status: exit status or signal
  bool reaped_ = false;
  bool finished_ = false;
  bool group_killed_ = false;
  Reason reason_ = Reason::None;
};

std::string Session::start(const Prepared& prep) {
  ChildSetup setup;
  setup.exe = prep.exe.c_str();
  setup.argv = const_cast<char* const*>(prep.argv.data());
  setup.envp = const_cast<char**>(prep.envp.data());
  setup.cwd = prep.cwd.empty() ? nullptr : prep.cwd.c_str();
  setup.stdin_null = !spec_.interactive;
  pid_t failed_pid = -1;
  setup.failed_pid = &failed_pid;
  const char* failed_step = nullptr;
  setup.failed_step = &failed_step;
  if (spec_.interactive && isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp()) tty_handoff_ = true;
  setup.tty_handoff = tty_handoff_;

  // async_pipe uses pipe(2), not pipe2(O_CLOEXEC): mark them at once, for processes that other
  // threads start by other means (our own children get close-on-exec on every fd >= 3 anyway).
  set_cloexec(out_.pipe.native_source());
  set_cloexec(out_.pipe.native_sink());
  set_cloexec(err_.pipe.native_source());
  set_cloexec(err_.pipe.native_sink());
  std::error_code ec;
  {
    start_ = Clock::now();
    AllSignalsBlocked blocked;
    // vfork: the engine's address space is not copied (fork costs ~2 ms more per step on a VM).
    bp::child child(bp::exe(prep.exe), bp::std_out > out_.pipe, bp::std_err > err_.pipe, setup,
                    bp::posix::use_vfork, ec);
    if (!ec && child.valid()) {
      pid_ = child.id();
      child.detach();  // we wait and reap ourselves; ~child must not touch the pid
    }
  }
  if (ec || pid_ <= 0) {
    if (failed_pid > 0) {
      while (waitpid(failed_pid, nullptr, 0) == -1 && errno == EINTR) {
      }
    }
    std::string why = ec ? ec.message() : "unknown error";
    if (failed_step != nullptr) why = std::string(failed_step) + ": " + why;
    return "cannot start '" + prep.exe + "': " + why;
  }
  if (tty_handoff_) without_sigttou([&] { tcsetpgrp(STDIN_FILENO, pid_); });
#ifdef SYS_pidfd_open
  int fd = static_cast<int>(syscall(SYS_pidfd_open, pid_, 0));
  if (fd >= 0) {
    set_cloexec(fd);
    pidfd_.assign(fd);
  }
#endif
  next_tick_ = start_ + kTick;
  if (spec_.timeout.count() > 0) deadline_ = start_ + spec_.timeout;
  return "";
}

void Session::update() {
  if (finished_) return;
  auto now = Clock::now();
  if (!exited_ && !pidfd_.is_open()) poll_exit();
  if (!exited_ && reason_ == Reason::None) {
    if (interrupt_ != nullptr && interrupt_->raised()) {
      terminate(Reason::Interrupted, now);
    } else if (now >= deadline_) {
      terminate(Reason::TimedOut, now);
    }
  }
  if (reason_ != Reason::None && !group_killed_ && now >= kill_at_) kill_group(now);
  if (exited_) {
    if (!out_.open && !err_.open) {
      finish();
      return;
    }
    // The command is done but something still holds its output open (a background process).
    if (drain_until_ == Clock::time_point::max()) {
      drain_until_ = group_killed_ ? now + kAfterKill : reason_ != Reason::None ? kill_at_ : now + kDrain;
    }
    if (interrupt_ != nullptr && interrupt_->raised() && !group_killed_) drain_until_ = now;
    if (now >= drain_until_) {
      if (!group_killed_) {
        kill_group(now);
        drain_until_ = now + kAfterKill;  // time to read what is left, then give up on the pipes
      } else {
        finish();
        return;
      }
    }
  }
  if (now >= next_tick_) {
    sink_.on_tick(since_start(now));
    next_tick_ += kTick;
    if (next_tick_ <= now) next_tick_ = now + kTick;
  }
  arm_timer(now);
}

void Session::arm_timer(Clock::time_point now) {
  Clock::time_point at = next_tick_;
  if (!exited_) {
    if (reason_ == Reason::None) {
      at = std::min(at, deadline_);
      if (interrupt_ != nullptr) at = std::min(at, now + kInterruptPoll);
    } else if (!group_killed_) {
      at = std::min(at, kill_at_);
    }
    if (!pidfd_.is_open()) {
      // No pidfd (old kernel): poll the exit, quickly at first.
      auto age = now - start_;
      milliseconds poll = age < milliseconds{20} ? milliseconds{1} : age < milliseconds{500} ? milliseconds{5} : milliseconds{25};
      at = std::min(at, now + poll);
    }
  } else {
    at = std::min(at, drain_until_);
    if (interrupt_ != nullptr && !group_killed_) at = std::min(at, now + kInterruptPoll);
  }
  if (at == timer_at_) return;  // the pending wait already covers it
  timer_at_ = at;
  timer_.expires_at(at);  // cancels a pending wait (its handler sees operation_aborted)
  timer_.async_wait([this, at](const boost::system::error_code& ec) {
    if (ec || finished_) return;
    if (timer_at_ == at) timer_at_ = Clock::time_point::max();
    update();
  });
}

void Session::reap() {
  if (pid_ <= 0 || reaped_) return;
  reaped_ = true;
  // Whatever is left of the group. The leader is at worst an unreaped zombie now, which keeps its
  // pid (= the group id) from being recycled until the waitpid below.
  signal_group(SIGKILL);
  int status = 0;
  pid_t r;
  while ((r = waitpid(pid_, &status, 0)) == -1 && errno == EINTR) {
  }
  if (!exited_) {
    exited_ = true;
    if (r == pid_) {
      exit_code_ = WIFEXITED(status) ? CLD_EXITED : CLD_KILLED;
      exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status);
    } else {
      status_lost_ = true;
    }
  }
  // Orphans of the group: the engine is a child subreaper, so they were re-parented to us.
  auto until = Clock::now() + kReapLimit;
  for (int round = 0;; ++round) {
    while (waitpid(-pid_, nullptr, WNOHANG) > 0) {
    }
    if (::kill(-pid_, 0) == -1 && (errno == ESRCH || errno == EPERM)) break;
    if (Clock::now() >= until) break;
    signal_group(SIGKILL);  // a member forked while we were killing
    sleep_us(round < 20 ? 100 : 2000);
  }
  if (tty_handoff_) without_sigttou([] { tcsetpgrp(STDIN_FILENO, getpgrp()); });
}

RunResult Session::result() {
  finish();
  reap();
  RunResult r;
  auto end = Clock::now();
  r.duration = since_start(end);
  r.stdout_bytes = out_.bytes;
  r.stderr_bytes = err_.bytes;
  bool by_signal = !status_lost_ && (exit_code_ == CLD_KILLED || exit_code_ == CLD_DUMPED);
  if (reason_ != Reason::None) {
    r.end = reason_ == Reason::TimedOut ? RunResult::End::TimedOut : RunResult::End::Interrupted;
    r.signal = by_signal ? exit_status_ : (group_killed_ ? SIGKILL : SIGTERM);
  } else if (status_lost_) {
    r.end = RunResult::End::Exited;
    r.error = "exit status lost: the process was reaped elsewhere (is SIGCHLD ignored?)";
  } else if (by_signal) {
    r.end = RunResult::End::Signaled;
    r.signal = exit_status_;
  } else {
    r.end = RunResult::End::Exited;
    r.exit_code = exit_status_;
  }
  return r;
}

class ProcessRunner final : public Runner {
 public:
  RunResult run(const CommandSpec& spec, OutputSink& sink, const Interrupt* interrupt) override {
    RunResult failed;
    failed.end = RunResult::End::FailedToStart;
    if (interrupt != nullptr && interrupt->raised()) {
      // Ctrl-C before the start: do not start.
      RunResult r;
      r.end = RunResult::End::Interrupted;
      return r;
    }
    Prepared prep;
    std::optional<Session> session;
    try {
      if (std::string why = prepare(spec, prep); !why.empty()) {
        failed.error = why;
        return failed;
      }
      session.emplace(spec, sink, interrupt);
      if (std::string why = session->start(prep); !why.empty()) {
        failed.error = why;
        failed.duration = std::chrono::duration_cast<milliseconds>(Clock::now() - session->started());
        return failed;
      }
    } catch (const std::exception& e) {
      failed.error = std::string("cannot start: ") + e.what();
      return failed;
    }
    // Exceptions from here on come from the sink: ~Session kills and reaps, then they propagate.
    session->loop();
    return session->result();
  }
};

}  // namespace

std::unique_ptr<Runner> make_process_runner() {
  // Orphans of our commands (a backgrounded grandchild whose shell has exited) are re-parented to
  // the engine instead of init, so that the runner can reap them: no zombie of a command's group
  // outlives run(), whatever init does. Process-wide and harmless to repeat.
  static const bool subreaper = prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0;
  (void)subreaper;
  return std::make_unique<ProcessRunner>();
}

}  // namespace runbook::exec
