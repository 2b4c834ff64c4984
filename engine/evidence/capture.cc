// OutputCapture: per stream, whole lines go through the redactor (stretches without secrets are
// passed on as views, not copied), the first inline_limit bytes stay in memory, and once a stream
// outgrows that it goes to a file through a 1 MiB write buffer, hashed on the way.
#include "evidence/capture.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "util/sha256.h"

namespace runbook::evidence {

namespace {

constexpr std::size_t kWriteBuffer = 1u << 20;
// Ask the kernel to start writing a spilled file back every this many bytes, so that the fsync in
// finish() does not find a gigabyte of dirty pages.
constexpr std::uint64_t kWritebackEvery = 8u << 20;

const char* suffix(exec::Stream s) { return s == exec::Stream::Stdout ? "stdout" : "stderr"; }

/// Length of the longest prefix of `text` that does not end inside a UTF-8 sequence.
std::size_t utf8_whole(std::string_view text) {
  std::size_t n = text.size();
  // Look back at most three bytes for the lead byte of a sequence that may be cut.
  for (std::size_t back = 1; back <= 4 && back <= n; ++back) {
    const auto c = static_cast<unsigned char>(text[n - back]);
    if ((c & 0xC0) == 0x80) continue;  // continuation byte
    std::size_t need = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
    return need > back ? n - back : n;
  }
  return n;
}

}  // namespace

struct OutputCapture::StreamState {
  exec::Stream which = exec::Stream::Stdout;
  std::string text;           // the first limit_ bytes of the redacted stream
  std::string pending;        // a partial line, not yet redacted
  std::uint64_t bytes = 0;    // redacted bytes so far
  bool spilled = false;
  int fd = -1;
  std::string file;           // relative to the log's directory
  std::string out;            // write buffer
  util::Sha256Stream hash;
  std::uint64_t file_bytes = 0;
  std::uint64_t kicked = 0;   // bytes handed to writeback so far
  std::string error;
};

OutputCapture::OutputCapture(EvidenceLog& log, std::string name, std::size_t inline_limit, exec::OutputSink* also)
    : log_(log), name_(std::move(name)), base_(log.output_path(name_)), limit_(inline_limit), also_(also) {
  for (exec::Stream s : {exec::Stream::Stdout, exec::Stream::Stderr}) {
    auto state = std::make_unique<StreamState>();
    state->which = s;
    streams_.push_back(std::move(state));
  }
}

OutputCapture::~OutputCapture() {
  for (auto& s : streams_) close_file(*s, false);
}

void OutputCapture::on_output(exec::Stream stream, std::string_view chunk, std::chrono::milliseconds at) {
  if (also_) also_->on_output(stream, chunk, at);
  if (finished_ || chunk.empty()) return;
  const bool err = stream == exec::Stream::Stderr;
  if (!timeline_.empty() && timeline_.back().ms == at.count() && timeline_.back().err == err)
    timeline_.back().bytes += chunk.size();
  else if (timeline_.size() < kMaxTimeline)
    timeline_.push_back({at.count(), chunk.size(), err});
  else
    ++timeline_dropped_;
  feed(*streams_[err ? 1 : 0], chunk);
}

void OutputCapture::on_tick(std::chrono::milliseconds elapsed) {
  if (also_) also_->on_tick(elapsed);
}

void OutputCapture::feed(StreamState& s, std::string_view data) {
  if (!s.pending.empty()) {
    const void* nl = std::memchr(data.data(), '\n', data.size());
    const std::size_t take = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - data.data()) + 1 : data.size();
    if (s.pending.size() + take <= kMaxLine) {
      s.pending.append(data.data(), take);
      data.remove_prefix(take);
      if (!nl) return;  // the line goes on
    }
    // The line is complete, or too long to wait for: redact what is buffered as it is.
    process(s, s.pending);
    s.pending.clear();
  }
  const void* last = data.empty() ? nullptr : ::memrchr(data.data(), '\n', data.size());
  if (last) {
    const std::size_t whole = static_cast<std::size_t>(static_cast<const char*>(last) - data.data()) + 1;
    process(s, data.substr(0, whole));
    data.remove_prefix(whole);
  }
  if (data.empty()) return;
  if (data.size() < kMaxLine)
    s.pending.assign(data.data(), data.size());
  else
    process(s, data);
}

void OutputCapture::process(StreamState& s, std::string_view block) {
  log_.redactor().apply_to(block, [&](std::string_view piece) { keep(s, piece); });
}

void OutputCapture::keep(StreamState& s, std::string_view piece) {
  if (piece.empty()) return;
  s.bytes += piece.size();
  if (!s.spilled) {
    if (s.text.size() + piece.size() <= limit_) {
      if (s.text.capacity() < s.text.size() + piece.size()) grow(s.text, std::max(s.text.size() + piece.size(), 2 * s.text.capacity()));
      s.text.append(piece);
      return;
    }
    spill(s);
    const std::size_t room = limit_ - s.text.size();
    if (room > 0) {
      if (s.text.capacity() < limit_) grow(s.text, limit_);
      s.text.append(piece.substr(0, room));
    }
  }
  write_file(s, piece);
}

void OutputCapture::grow(std::string& text, std::size_t capacity) const {
  // reserve() on a non-empty std::string may round up to twice the old capacity; a fresh string
  // gets exactly what it asks for, so the inline text never holds more than the limit.
  std::string bigger;
  bigger.reserve(std::min(capacity, limit_));
  bigger.append(text);
  text.swap(bigger);
}

void OutputCapture::spill(StreamState& s) {
  s.spilled = true;
  namespace fs = std::filesystem;
  for (int attempt = 1; attempt <= 100; ++attempt) {
    const std::string rel = base_ + (attempt > 1 ? "-" + std::to_string(attempt) : "") + "." + suffix(s.which);
    const std::string path = (fs::path(log_.dir()) / rel).string();
    s.fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (s.fd >= 0) {
      s.file = rel;
      break;
    }
    if (errno != EEXIST) {
      s.error = "cannot create " + rel + ": " + std::strerror(errno);
      return;
    }
  }
  if (s.fd < 0) {
    s.error = "cannot create a file for " + base_ + "." + suffix(s.which) + ": names taken";
    return;
  }
  s.out.reserve(kWriteBuffer);
  write_file(s, s.text);  // the part kept so far: the file holds the whole stream
}

/// Asks the kernel to start writing what was written since the last call, without waiting.
void OutputCapture::start_writeback(StreamState& s) {
#ifdef __linux__
  if (s.fd >= 0 && s.file_bytes - s.kicked >= kWritebackEvery) {
    ::sync_file_range(s.fd, static_cast<off_t>(s.kicked), static_cast<off_t>(s.file_bytes - s.kicked),
                      SYNC_FILE_RANGE_WRITE);
    s.kicked = s.file_bytes;
  }
#else
  (void)s;
#endif
}

void OutputCapture::write_file(StreamState& s, std::string_view data) {
  if (s.fd < 0 || data.empty()) return;
  s.hash.update(data);
  if (s.out.size() + data.size() <= kWriteBuffer) {
    s.out.append(data);
    if (s.out.size() == kWriteBuffer) flush_file(s);
    return;
  }
  flush_file(s);
  if (data.size() < kWriteBuffer) {
    s.out.append(data);
    return;
  }
  // A large piece goes straight from the caller's buffer.
  std::string_view rest = data;
  while (!rest.empty() && s.fd >= 0) {
    const ssize_t n = ::write(s.fd, rest.data(), rest.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      s.error = "cannot write " + s.file + ": " + std::strerror(errno);
      close_file(s, false);
      return;
    }
    rest.remove_prefix(static_cast<std::size_t>(n));
    s.file_bytes += static_cast<std::size_t>(n);
  }
  start_writeback(s);
}

void OutputCapture::flush_file(StreamState& s) {
  std::string_view rest = s.out;
  while (!rest.empty() && s.fd >= 0) {
    const ssize_t n = ::write(s.fd, rest.data(), rest.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      s.error = "cannot write " + s.file + ": " + std::strerror(errno);
      close_file(s, false);
      break;
    }
    rest.remove_prefix(static_cast<std::size_t>(n));
    s.file_bytes += static_cast<std::size_t>(n);
  }
  s.out.clear();
  start_writeback(s);
}

void OutputCapture::close_file(StreamState& s, bool sync) {
  if (s.fd < 0) return;
  if (sync) {
    int rc;
    do rc = ::fsync(s.fd);
    while (rc != 0 && errno == EINTR);
    if (rc != 0 && s.error.empty()) s.error = "cannot sync " + s.file + ": " + std::strerror(errno);
  }
  ::close(s.fd);
  s.fd = -1;
}

nlohmann::json OutputCapture::finish() {
  if (finished_) return result_;
  nlohmann::json out = nlohmann::json::object();
  for (auto& sp : streams_) {
    StreamState& s = *sp;
    if (!s.pending.empty()) {
      process(s, s.pending);
      s.pending.clear();
      s.pending.shrink_to_fit();
    }
    if (s.fd >= 0) {
      flush_file(s);
      close_file(s, true);
    }
    nlohmann::json o;
    // The inline text moves into the record (no copy of up to inline_limit bytes).
    if (s.spilled) s.text.resize(utf8_whole(s.text));
    o["text"] = std::move(s.text);
    std::string().swap(s.text);
    o["bytes"] = s.bytes;
    o["truncated"] = s.spilled;
    if (s.spilled && s.error.empty() && !s.file.empty()) {
      o["file"] = s.file;
      o["sha256"] = s.hash.finish_hex();
    }
    if (!s.error.empty()) o["error"] = s.error;
    out[suffix(s.which)] = std::move(o);
    std::string().swap(s.out);
  }
  nlohmann::json timeline = nlohmann::json::array();
  for (const Tick& t : timeline_) timeline.push_back({t.ms, t.err ? "e" : "o", t.bytes});
  out["timeline"] = std::move(timeline);
  out["timeline_dropped"] = timeline_dropped_;
  finished_ = true;
  result_ = std::move(out);
  return result_;
}

std::size_t OutputCapture::memory_in_use() const {
  std::size_t total = timeline_.capacity() * sizeof(Tick);
  for (const auto& s : streams_) total += s->text.capacity() + s->pending.capacity() + s->out.capacity();
  return total;
}

}  // namespace runbook::evidence
