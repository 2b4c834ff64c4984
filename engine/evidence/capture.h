#pragma once
// Capturing a command's output for the evidence log, with bounded memory.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "evidence/log.h"
#include "exec/runner.h"

namespace runbook::evidence {

/// An OutputSink that keeps at most `inline_limit` bytes of each stream in memory (for the record)
/// and streams each whole stream into `outputs/<name>.<stream>` once it outgrows that limit. Output
/// is redacted line by line before it is kept or written. Memory stays bounded whatever the volume.
/// Chunk timestamps are kept as a timeline (offset ms, stream, bytes), at most 10,000 entries inline.
class OutputCapture : public exec::OutputSink {
 public:
  OutputCapture(EvidenceLog& log, std::string name, std::size_t inline_limit = 1u << 20,
                exec::OutputSink* also = nullptr);
  ~OutputCapture() override;

  void on_output(exec::Stream stream, std::string_view chunk, std::chrono::milliseconds at) override;
  void on_tick(std::chrono::milliseconds elapsed) override;

  /// Flushes files and returns the record fields: {"stdout": {"text", "bytes", "file"?, "sha256"?,
  /// "truncated"}, "stderr": {...}, "timeline": [[ms, "o"|"e", bytes], ...]}.
  nlohmann::json finish();

 private:
  struct StreamState;
  EvidenceLog& log_;
  std::string name_;
  std::size_t limit_;
  exec::OutputSink* also_;
  std::vector<StreamState*> streams_;
  nlohmann::json timeline_ = nlohmann::json::array();
  std::uint64_t timeline_dropped_ = 0;
};

}  // namespace runbook::evidence
