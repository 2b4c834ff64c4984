// Early commands: each runs on its own thread through the inner runner, its output spooled to an
// unlinked temporary file until the walk claims it.
#include "exec/parallel_runner.h"

#include <cstdint>
#include <cstdio>
#include <thread>

namespace runbook::exec {

namespace {

using Clock = std::chrono::steady_clock;

/// Writes chunks to a spool file: stream (1 byte), time (8), length (8), then the bytes.
class SpoolSink : public OutputSink {
 public:
  explicit SpoolSink(std::FILE* file) : file_(file) {}
  void on_output(Stream stream, std::string_view chunk, std::chrono::milliseconds at) override {
    if (!file_ || failed_) return;
    const unsigned char s = stream == Stream::Stdout ? 0 : 1;
    const std::int64_t ms = at.count();
    const std::uint64_t n = chunk.size();
    failed_ = std::fwrite(&s, 1, 1, file_) != 1 || std::fwrite(&ms, sizeof ms, 1, file_) != 1 ||
              std::fwrite(&n, sizeof n, 1, file_) != 1 ||
              (n > 0 && std::fwrite(chunk.data(), 1, n, file_) != n);
  }
  bool failed() const { return failed_; }

 private:
  std::FILE* file_;
  bool failed_ = false;
};

/// Replays a spool file into `sink`; false when it cannot be read back whole.
bool replay(std::FILE* file, OutputSink& sink) {
  if (!file || std::fflush(file) != 0 || std::fseek(file, 0, SEEK_SET) != 0) return false;
  std::string chunk;
  for (;;) {
    unsigned char s = 0;
    std::int64_t ms = 0;
    std::uint64_t n = 0;
    if (std::fread(&s, 1, 1, file) != 1) return std::feof(file) != 0;
    if (std::fread(&ms, sizeof ms, 1, file) != 1 || std::fread(&n, sizeof n, 1, file) != 1) return false;
    chunk.resize(n);
    if (n > 0 && std::fread(chunk.data(), 1, n, file) != n) return false;
    sink.on_output(s == 0 ? Stream::Stdout : Stream::Stderr, chunk, std::chrono::milliseconds(ms));
  }
}

}  // namespace

struct ParallelRunner::Job {
  std::string key;
  CommandSpec spec;
  Interrupt interrupt;
  std::FILE* spool = nullptr;
  bool spool_failed = false;
  RunResult result;
  bool done = false;
  bool claimed = false;
  Clock::time_point started = Clock::now();
  std::thread thread;
};

ParallelRunner::ParallelRunner(Runner& inner, int limit) : inner_(inner), limit_(limit < 1 ? 1 : limit) {}

ParallelRunner::~ParallelRunner() {
  abandon();
  for (auto& job : jobs_) {
    if (job->thread.joinable()) job->thread.join();
    if (job->spool) std::fclose(job->spool);
  }
}

bool ParallelRunner::same_command(const CommandSpec& a, const CommandSpec& b) {
  return a.script == b.script && a.argv == b.argv && a.env == b.env && a.cwd == b.cwd &&
         a.interactive == b.interactive;
}

int ParallelRunner::running() const {
  std::lock_guard lock(mu_);
  int n = 0;
  for (const auto& job : jobs_) n += !job->done;
  return n;
}

bool ParallelRunner::started(const std::string& key) const {
  std::lock_guard lock(mu_);
  for (const auto& job : jobs_)
    if (job->key == key && !job->claimed) return true;
  return false;
}

bool ParallelRunner::start(const std::string& key, const CommandSpec& spec) {
  if (spec.interactive) return false;  // a command that reads the terminal runs in its turn
  std::lock_guard lock(mu_);
  int busy = 0;
  for (const auto& job : jobs_) {
    if (job->key == key && !job->claimed) return true;
    busy += !job->done;
  }
  if (busy >= limit_) return false;
  auto job = std::make_unique<Job>();
  job->key = key;
  job->spec = spec;
  job->spool = std::tmpfile();
  Job* raw = job.get();
  jobs_.push_back(std::move(job));
  raw->thread = std::thread([this, raw] { work(raw); });
  return true;
}

void ParallelRunner::work(Job* job) {
  SpoolSink sink(job->spool);
  RunResult r = job->spool ? inner_.run(job->spec, sink, &job->interrupt)
                           : RunResult{RunResult::End::FailedToStart, -1, 0, {}, 0, 0,
                                       "no temporary file for the output of an early command"};
  std::lock_guard lock(mu_);
  job->result = r;
  job->spool_failed = sink.failed();
  job->done = true;
  cv_.notify_all();
}

RunResult ParallelRunner::run(const CommandSpec& spec, OutputSink& sink, const Interrupt* interrupt) {
  Job* job = nullptr;
  {
    std::lock_guard lock(mu_);
    for (auto& j : jobs_)
      if (!j->claimed && same_command(j->spec, spec)) {
        job = j.get();
        job->claimed = true;
        break;
      }
  }
  last_early_ = job != nullptr;
  last_head_start_ = std::chrono::milliseconds(0);
  if (!job) return inner_.run(spec, sink, interrupt);
  last_head_start_ = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - job->started);

  // Wait for it, passing Ctrl-C on, and ticking for a status line.
  const auto waited_from = Clock::now();
  {
    std::unique_lock lock(mu_);
    while (!job->done) {
      cv_.wait_for(lock, std::chrono::milliseconds(50));
      if (interrupt && interrupt->raised()) job->interrupt.raise();
      lock.unlock();
      sink.on_tick(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - waited_from));
      lock.lock();
    }
  }
  if (job->thread.joinable()) job->thread.join();
  RunResult r = job->result;
  if (job->spool_failed || !replay(job->spool, sink)) {
    // The command ran, but its spooled output is incomplete: say so rather than pass it as whole.
    const std::string note = "\n[runbook: the output of this early-started command could not be spooled whole]\n";
    sink.on_output(Stream::Stderr, note, r.duration);
  }
  std::fclose(job->spool);
  job->spool = nullptr;
  return r;
}

std::vector<ParallelRunner::Abandoned> ParallelRunner::abandon() {
  std::vector<Job*> left;
  {
    std::lock_guard lock(mu_);
    for (auto& j : jobs_)
      if (!j->claimed) {
        j->claimed = true;
        j->interrupt.raise();
        left.push_back(j.get());
      }
  }
  std::vector<Abandoned> out;
  for (Job* job : left) {
    if (job->thread.joinable()) job->thread.join();
    out.push_back({job->key, job->spec, job->result});
  }
  return out;
}

}  // namespace runbook::exec
