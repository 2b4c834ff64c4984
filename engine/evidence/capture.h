#pragma once
// Capturing a command's output for the evidence log, with bounded memory.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "evidence/log.h"
#include "exec/runner.h"

namespace runbook::evidence {

/// An OutputSink that keeps at most `inline_limit` bytes of each stream in memory (for the record)
/// and streams each whole stream into `outputs/<name>.<stream>` once it outgrows that limit. Output
/// is redacted line by line before it is kept or written. Memory stays bounded whatever the volume.
/// Chunk timestamps are kept as a timeline (offset ms, stream, bytes), at most 10,000 entries inline.
///
/// Lines are redacted whole: a partial line waits for the rest of it, up to kMaxLine bytes, after
/// which it is redacted and written as it is (a secret split exactly there is the one case that
/// can slip through). `also` (may be null) gets every chunk and tick unredacted, as they come (the
/// live terminal echo). Not thread-safe; chunks arrive on the runner's thread.
///
/// Memory per capture: the inline text (at most inline_limit per stream), a 1 MiB write buffer per
/// spilled stream, a partial line (under kMaxLine) per stream and the timeline (10,000 entries);
/// see memory_in_use(). Spilled files get a writeback nudge every 8 MiB (sync_file_range) so
/// that finish()'s fsync does not meet a gigabyte of dirty pages.
class OutputCapture : public exec::OutputSink {
 public:
  static constexpr std::size_t kMaxLine = 64 * 1024;
  static constexpr std::size_t kMaxTimeline = 10000;

  /// `name` names the files: outputs/<seq>-<name>.stdout|.stderr (see EvidenceLog::output_path; a
  /// "-2", "-3" ... suffix is added when such a file already exists).
  OutputCapture(EvidenceLog& log, std::string name, std::size_t inline_limit = 1u << 20,
                exec::OutputSink* also = nullptr);
  ~OutputCapture() override;
  OutputCapture(const OutputCapture&) = delete;
  OutputCapture& operator=(const OutputCapture&) = delete;

  void on_output(exec::Stream stream, std::string_view chunk, std::chrono::milliseconds at) override;
  void on_tick(std::chrono::milliseconds elapsed) override;

  /// Flushes files and returns the record fields: {"stdout": {"text", "bytes", "file"?, "sha256"?,
  /// "truncated"}, "stderr": {...}, "timeline": [[ms, "o"|"e", bytes], ...], "timeline_dropped": N}.
  /// "text" is the first inline_limit bytes of the redacted stream (cut back to a whole UTF-8
  /// character when truncated); "bytes" is the length of the whole redacted stream (the file's size
  /// when it spilled); "file" (relative to the log's directory) and "sha256" (of the file) are there
  /// only when the stream spilled; "error" says why a file could not be written. Files are fsynced
  /// here. Timeline entries of one stream in the same millisecond are merged; "timeline_dropped"
  /// counts chunks that found the timeline full. Later calls return the same value; output that
  /// arrives after finish() is ignored.
  nlohmann::json finish();

  /// Bytes this capture holds in memory (buffer capacities), for tests of the memory bound.
  std::size_t memory_in_use() const;

 private:
  struct StreamState;
  struct Tick {
    std::int64_t ms;
    std::uint64_t bytes;
    bool err;
  };
  void feed(StreamState& s, std::string_view data);
  void process(StreamState& s, std::string_view block);
  void keep(StreamState& s, std::string_view piece);
  void grow(std::string& text, std::size_t capacity) const;
  void spill(StreamState& s);
  void write_file(StreamState& s, std::string_view data);
  void flush_file(StreamState& s);
  void start_writeback(StreamState& s);
  void close_file(StreamState& s, bool sync);

  EvidenceLog& log_;
  std::string name_;
  std::string base_;  // outputs/<seq>-<name>, relative to the log's directory
  std::size_t limit_;
  exec::OutputSink* also_;
  std::vector<std::unique_ptr<StreamState>> streams_;
  std::vector<Tick> timeline_;
  std::uint64_t timeline_dropped_ = 0;
  bool finished_ = false;
  nlohmann::json result_;
};

}  // namespace runbook::evidence
