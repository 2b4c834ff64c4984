#pragma once
// The evidence log of a run: a directory holding `evidence.jsonl` (append-only, one JSON record a
// line, hash-chained) and `outputs/` (long command output). Every record is written with one
// write(2) and made durable (fdatasync) before append() returns.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "evidence/redact.h"
#include "util/result.h"

namespace runbook::evidence {

/// File names inside an evidence directory.
inline constexpr const char* kLogFile = "evidence.jsonl";
inline constexpr const char* kOutputsDir = "outputs";
/// Where reopen() keeps the bytes of a torn last line (each fragment followed by a newline).
inline constexpr const char* kTornFile = "evidence.jsonl.torn";

/// The SHA-256 (hex) that the first record names as its predecessor.
inline constexpr const char* kGenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

/// An append-only, hash-chained log. Not thread-safe; one writer per directory (an flock guards it).
class EvidenceLog {
 public:
  /// Creates `dir` (and parents) and an empty log in it; fails if the directory already holds a log.
  static util::Result<std::unique_ptr<EvidenceLog>> create(const std::string& dir, Redactor redactor);
  /// Opens an existing log to append to (resume). A torn last line (a crash mid-write) is moved
  /// to `evidence.jsonl.torn` (nothing is lost), the log is cut back to its last whole record,
  /// and the chain goes on from there. Fails when the chain does not verify.
  static util::Result<std::unique_ptr<EvidenceLog>> reopen(const std::string& dir, Redactor redactor);

  ~EvidenceLog();
  EvidenceLog(const EvidenceLog&) = delete;
  EvidenceLog& operator=(const EvidenceLog&) = delete;

  /// Appends a record of `type` with `fields` (an object). Adds `seq` (from 1), `ts` (UTC,
  /// RFC 3339 with milliseconds), `type`, `prev` (SHA-256 of the previous line's bytes, without
  /// its newline). Redacts every string in the record first. Returns the record as written.
  util::Result<nlohmann::json> append(const std::string& type, nlohmann::json fields);

  const std::string& dir() const { return dir_; }
  /// Sequence number of the last record written (0 when empty).
  std::uint64_t last_seq() const { return last_seq_; }
  /// SHA-256 of the last record's line.
  const std::string& last_hash() const { return last_hash_; }
  Redactor& redactor() { return redactor_; }

  /// Path of a new file under outputs/ for long output: "outputs/<seq>-<name>" (relative to dir()),
  /// where <seq> is the next record's number and <name> keeps only [A-Za-z0-9._-] (others become
  /// '_', at most 80 bytes).
  std::string output_path(const std::string& name) const;

 private:
  EvidenceLog(std::string dir, int fd, Redactor redactor);
  std::string dir_;
  int fd_ = -1;
  std::uint64_t last_seq_ = 0;
  std::string last_hash_ = kGenesisHash;
  std::uint64_t size_ = 0;  // bytes of whole records in the file
  bool broken_ = false;     // a write or sync failed in a way that left the file in doubt
  Redactor redactor_;
};

/// What reading a log found.
struct ReadResult {
  std::vector<nlohmann::json> records;  ///< every whole, parsable record, in order
  bool torn_tail = false;               ///< the file ends in a partial line (a crash mid-write)
  std::uint64_t torn_offset = 0;        ///< byte offset where the torn line starts
  std::string problem;                  ///< first structural problem (bad JSON mid-file, ...), or ""
  int problem_line = 0;                 ///< its 1-based line
};

/// Reads `dir/evidence.jsonl` without trusting it: a torn last line is reported, not parsed. Lines
/// that are not JSON objects are skipped (the first is named in `problem`); the chain is not
/// checked here (see verify()).
util::Result<ReadResult> read_log(const std::string& dir);

/// The outcome of verifying a log.
struct Verification {
  bool ok = false;
  std::uint64_t records = 0;      ///< whole records that verified
  std::uint64_t broken_seq = 0;   ///< the first record that does not verify (0 when ok)
  int broken_line = 0;
  std::string reason;             ///< why it broke, or "" when ok
  bool torn_tail = false;         ///< a partial last line was found (reported, not an error by itself)
};

/// Checks the chain: seq counts up from 1, each `prev` is the SHA-256 of the previous line,
/// every line is a JSON object with seq/ts/type/prev. A record changed after it was written shows
/// as a `prev` mismatch in the record after it; when the record after that still links, the
/// changed record is the one named. (A change to the very last record cannot be detected by the
/// chain alone.) When the line is not JSON, broken_seq is the seq that was expected there.
Verification verify(const std::string& dir);

/// SHA-256 (hex) of one record line as written (without its newline).
std::string line_hash(std::string_view line);

}  // namespace runbook::evidence
