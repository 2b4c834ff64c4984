// The evidence log: append with one write(2) and fdatasync, an flock against a second writer,
// and readers that trust nothing (torn tails, bad lines and broken links are reported by place).
#include "evidence/log.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <optional>

#include "util/sha256.h"

namespace runbook::evidence {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string errno_text(int err) { return std::strerror(err); }

util::Error fail(const std::string& file, const std::string& message) { return util::Error{message, file, 0}; }

std::string log_path(const std::string& dir) { return (fs::path(dir) / kLogFile).string(); }

/// write(2) until all of `data` is written; retries partial writes and EINTR.
bool write_all(int fd, std::string_view data, int& err) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      err = errno;
      return false;
    }
    if (n == 0) {
      err = EIO;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool sync_dir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

/// The whole file behind `fd` (from offset 0).
bool read_fd(int fd, std::string& out, int& err) {
  out.clear();
  struct stat st{};
  if (::fstat(fd, &st) != 0) {
    err = errno;
    return false;
  }
  out.resize(static_cast<std::size_t>(st.st_size));
  std::size_t got = 0;
  while (got < out.size()) {
    const ssize_t n = ::pread(fd, out.data() + got, out.size() - got, static_cast<off_t>(got));
    if (n < 0) {
      if (errno == EINTR) continue;
      err = errno;
      return false;
    }
    if (n == 0) break;  // shrank meanwhile
    got += static_cast<std::size_t>(n);
  }
  out.resize(got);
  return true;
}

bool read_file(const std::string& path, std::string& out, int& err) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    err = errno;
    return false;
  }
  const bool ok = read_fd(fd, out, err);
  ::close(fd);
  return ok;
}

std::string timestamp_now() {
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

bool is_timestamp(const std::string& s) {
  // YYYY-MM-DDTHH:MM:SS.mmmZ
  static constexpr std::string_view shape = "dddd-dd-ddTdd:dd:dd.dddZ";
  if (s.size() != shape.size()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i]) return false;
  }
  return true;
}

bool is_hex64(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

void redact_strings(json& j, const Redactor& redactor) {
  if (j.is_string()) {
    auto& s = j.get_ref<std::string&>();
    if (redactor.touches(s)) s = redactor.apply(s);
  } else if (j.is_array() || j.is_object()) {
    for (auto& item : j) redact_strings(item, redactor);
  }
}

/// Whether `s` is well-formed UTF-8 (no overlong forms, surrogates or code points above
/// U+10FFFF): exactly the strings that JSON serialisation leaves as they are.
bool valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    // ASCII eight bytes at a time.
    while (i + 8 <= n) {
      std::uint64_t w;
      std::memcpy(&w, p + i, 8);
      if (w & 0x8080808080808080ULL) break;
      i += 8;
    }
    if (i >= n) break;
    const unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len;
    unsigned char lo = 0x80, hi = 0xBF;  // range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;         // overlong
      else if (c == 0xED) hi = 0x9F;    // surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;         // overlong
      else if (c == 0xF4) hi = 0x8F;    // above U+10FFFF
    } else {
      return false;
    }
    if (i + len > n || p[i + 1] < lo || p[i + 1] > hi) return false;
    for (std::size_t k = 2; k < len; ++k)
      if ((p[i + k] & 0xC0) != 0x80) return false;
    i += len;
  }
  return true;
}

/// Makes `j` what parsing its serialisation gives (non-negative integers read back unsigned) and
/// returns true, or returns false when serialising changes it (invalid UTF-8 is replaced,
/// non-finite numbers become null, binary values become objects): then only parsing tells.
bool as_parsed(json& j) {
  switch (j.type()) {
    case json::value_t::string: return valid_utf8(j.get_ref<const std::string&>());
    case json::value_t::number_integer: {
      const auto v = j.get<std::int64_t>();
      if (v >= 0) j = static_cast<std::uint64_t>(v);
      return true;
    }
    case json::value_t::number_float: return std::isfinite(j.get<double>());
    case json::value_t::object:
      for (auto it = j.begin(); it != j.end(); ++it)
        if (!valid_utf8(it.key()) || !as_parsed(it.value())) return false;
      return true;
    case json::value_t::array:
      for (auto& item : j)
        if (!as_parsed(item)) return false;
      return true;
    case json::value_t::null:
    case json::value_t::boolean:
    case json::value_t::number_unsigned: return true;
    default: return false;  // binary, discarded
  }
}

// One whole line of the file.
struct Line {
  std::size_t offset = 0;
  std::string_view text;  // without the newline
  int number = 0;         // 1-based
};

// Splits the file into whole lines and a torn tail.
struct Lines {
  std::vector<Line> lines;
  bool torn = false;
  std::size_t torn_offset = 0;
};

Lines split_lines(std::string_view data) {
  Lines out;
  std::size_t pos = 0;
  int number = 0;
  while (pos < data.size()) {
    const std::size_t nl = data.find('\n', pos);
    if (nl == std::string_view::npos) {
      out.torn = true;
      out.torn_offset = pos;
      break;
    }
    out.lines.push_back({pos, data.substr(pos, nl - pos), ++number});
    pos = nl + 1;
  }
  return out;
}

// A line parsed and its envelope checked.
struct Parsed {
  std::optional<json> value;  // set when the line is a JSON object
  std::string problem;        // "" when the envelope is sound
  std::uint64_t seq = 0;      // when seq is a positive integer
  std::string prev;
};

Parsed parse_line(std::string_view text) {
  Parsed p;
  if (text.empty()) {
    p.problem = "bad JSON: empty line";
    return p;
  }
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    std::string what = e.what();
    if (what.size() > 160) what = what.substr(0, 160) + "...";
    p.problem = "bad JSON: " + what;
    return p;
  }
  if (!j.is_object()) {
    p.problem = "not a JSON object";
    return p;
  }
  auto seq = j.find("seq");
  if (seq != j.end() && seq->is_number_unsigned() && seq->get<std::uint64_t>() >= 1) p.seq = seq->get<std::uint64_t>();
  auto prev = j.find("prev");
  if (prev != j.end() && prev->is_string()) p.prev = prev->get<std::string>();
  for (const char* field : {"seq", "ts", "type", "prev"}) {
    if (!j.contains(field)) {
      p.problem = std::string("missing field '") + field + "'";
      break;
    }
  }
  if (p.problem.empty()) {
    if (p.seq == 0)
      p.problem = "field 'seq' is not a positive integer";
    else if (!j["ts"].is_string() || !is_timestamp(j["ts"].get<std::string>()))
      p.problem = "field 'ts' is not an RFC 3339 UTC time with milliseconds";
    else if (!j["type"].is_string() || j["type"].get<std::string>().empty())
      p.problem = "field 'type' is not a non-empty string";
    else if (!is_hex64(p.prev))
      p.problem = "field 'prev' is not 64 lower-case hex digits";
  }
  p.value = std::move(j);
  return p;
}

// verify() on bytes, with what reopen() needs to go on.
struct Checked {
  Verification v;
  std::size_t end_offset = 0;  // where whole records end (torn tail starts)
  std::uint64_t last_seq = 0;
  std::string last_hash = kGenesisHash;
};

Checked check_bytes(std::string_view data) {
  Checked c;
  const Lines split = split_lines(data);
  c.v.torn_tail = split.torn;
  c.end_offset = split.torn ? split.torn_offset : data.size();
  const auto& lines = split.lines;
  std::vector<Parsed> parsed;
  parsed.reserve(lines.size());
  for (const Line& l : lines) parsed.push_back(parse_line(l.text));
  std::vector<std::string> hashes;
  hashes.reserve(lines.size());
  for (const Line& l : lines) hashes.push_back(line_hash(l.text));

  auto broken = [&](std::size_t index, std::uint64_t seq, std::string reason) {
    c.v.ok = false;
    c.v.records = index;
    c.v.broken_seq = seq;
    c.v.broken_line = lines[index].number;
    c.v.reason = std::move(reason);
    return c;
  };

  for (std::size_t i = 0; i < lines.size(); ++i) {
    const Parsed& p = parsed[i];
    const std::uint64_t expected = i + 1;
    if (!p.problem.empty()) return broken(i, p.seq ? p.seq : expected, p.problem);
    if (p.seq != expected)
      return broken(i, p.seq,
                    (p.seq > expected ? "seq gap: expected " : "seq out of order: expected ") + std::to_string(expected) +
                        ", found " + std::to_string(p.seq));
    const std::string& want = i == 0 ? std::string(kGenesisHash) : hashes[i - 1];
    if (p.prev != want) {
      if (i == 0) return broken(i, p.seq, "prev of the first record is not the genesis hash");
      // Line i-1 changed, or this record's prev did. If the next record still links to this
      // line, this line is intact (its prev included), so the previous line is the changed one.
      const bool next_links = i + 1 < lines.size() && parsed[i + 1].problem.empty() && parsed[i + 1].prev == hashes[i];
      if (next_links)
        return broken(i - 1, parsed[i - 1].seq,
                      "record changed after it was written: its SHA-256 does not match the prev of the next record (line " +
                          std::to_string(lines[i].number) + ")");
      return broken(i, p.seq,
                    "prev mismatch: prev is not the SHA-256 of the previous line (line " +
                        std::to_string(lines[i - 1].number) + "; that line or this prev was changed)");
    }
  }
  c.v.ok = true;
  c.v.records = lines.size();
  if (!lines.empty()) {
    c.last_seq = parsed.back().seq;
    c.last_hash = hashes.back();
  }
  return c;
}

/// Keeps [A-Za-z0-9._-], at most 80 bytes, never empty or starting with '.'.
std::string safe_name(const std::string& name) {
  std::string out;
  for (char c : name) {
    if (out.size() >= 80) break;
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    out += ok ? c : '_';
  }
  if (out.empty()) out = "output";
  if (out[0] == '.') out[0] = '_';
  return out;
}

/// Takes the writer's lock; an error names the directory when another writer has it.
std::optional<util::Error> lock(int fd, const std::string& dir) {
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK)
      return fail(dir, "evidence directory is in use: another writer holds the lock on " + std::string(kLogFile));
    return fail(dir, "cannot lock " + std::string(kLogFile) + ": " + errno_text(errno));
  }
  return std::nullopt;
}

std::optional<util::Error> ensure_outputs(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(fs::path(dir) / kOutputsDir, ec);
  if (ec) return fail(dir, "cannot create " + std::string(kOutputsDir) + "/: " + ec.message());
  return std::nullopt;
}

}  // namespace

std::string line_hash(std::string_view line) {
  util::Sha256Stream hash;  // the SHA extensions when the CPU has them (long records: inline output)
  hash.update(line);
  return hash.finish_hex();
}

EvidenceLog::EvidenceLog(std::string dir, int fd, Redactor redactor)
    : dir_(std::move(dir)), fd_(fd), redactor_(std::move(redactor)) {}

EvidenceLog::~EvidenceLog() {
  if (fd_ >= 0) ::close(fd_);
}

util::Result<std::unique_ptr<EvidenceLog>> EvidenceLog::create(const std::string& dir, Redactor redactor) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return fail(dir, "cannot create the evidence directory: " + ec.message());
  const std::string path = log_path(dir);
  if (fs::exists(path, ec)) return fail(dir, "the directory already holds an evidence log (resume it instead)");
  if (auto e = ensure_outputs(dir)) return *e;
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    if (errno == EEXIST) return fail(dir, "the directory already holds an evidence log (resume it instead)");
    return fail(path, "cannot create: " + errno_text(errno));
  }
  if (auto e = lock(fd, dir)) {
    ::close(fd);
    return *e;
  }
  if (!sync_dir(dir)) {
    const int err = errno;
    ::close(fd);
    return fail(dir, "cannot sync the directory: " + errno_text(err));
  }
  return std::unique_ptr<EvidenceLog>(new EvidenceLog(dir, fd, std::move(redactor)));
}

util::Result<std::unique_ptr<EvidenceLog>> EvidenceLog::reopen(const std::string& dir, Redactor redactor) {
  const std::string path = log_path(dir);
  const int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
  if (fd < 0) return fail(path, "cannot open: " + errno_text(errno));
  std::unique_ptr<EvidenceLog> log(new EvidenceLog(dir, fd, std::move(redactor)));
  if (auto e = lock(fd, dir)) return *e;
  std::string data;
  int err = 0;
  if (!read_fd(fd, data, err)) return fail(path, "cannot read: " + errno_text(err));
  const Checked c = check_bytes(data);
  if (!c.v.ok)
    return util::Error{"the log does not verify at record " + std::to_string(c.v.broken_seq) + ": " + c.v.reason +
                           "; not resuming",
                       path, c.v.broken_line};
  if (c.v.torn_tail) {
    // Keep the torn bytes (nothing is lost), then cut the log back to its last whole record.
    const std::string torn_path = (fs::path(dir) / kTornFile).string();
    const int tfd = ::open(torn_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (tfd < 0) return fail(torn_path, "cannot open: " + errno_text(errno));
    std::string fragment = data.substr(c.end_offset);
    fragment += '\n';
    const bool ok = write_all(tfd, fragment, err) && ::fsync(tfd) == 0;
    if (!ok && err == 0) err = errno;
    ::close(tfd);
    if (!ok) return fail(torn_path, "cannot save the torn line: " + errno_text(err));
    if (::ftruncate(fd, static_cast<off_t>(c.end_offset)) != 0 || ::fsync(fd) != 0)
      return fail(path, "cannot cut the torn line: " + errno_text(errno));
    if (!sync_dir(dir)) return fail(dir, "cannot sync the directory: " + errno_text(errno));
  }
  if (auto e = ensure_outputs(dir)) return *e;
  log->last_seq_ = c.last_seq;
  log->last_hash_ = c.last_hash;
  log->size_ = c.end_offset;
  return log;
}

util::Result<json> EvidenceLog::append(const std::string& type, json fields) {
  if (broken_) return fail(log_path(dir_), "the log is unusable after an earlier failed write");
  if (type.empty()) return fail(log_path(dir_), "a record needs a type");
  if (fields.is_null()) fields = json::object();
  if (!fields.is_object()) return fail(log_path(dir_), "record fields must be a JSON object");
  for (const char* reserved : {"seq", "ts", "type", "prev"})
    if (fields.contains(reserved))
      return fail(log_path(dir_), std::string("record field '") + reserved + "' is set by the log");
  redact_strings(fields, redactor_);
  const std::uint64_t seq = last_seq_ + 1;
  const std::string ts = timestamp_now();
  std::string type_text = redactor_.apply(type);
  // The envelope first, in a fixed order, then the fields (nlohmann orders those by key).
  const std::string head = "{\"seq\":" + std::to_string(seq) + ",\"ts\":\"" + ts + "\",\"type\":" +
                           dump(json(type_text)) + ",\"prev\":\"" + last_hash_ + "\"";
  std::string line;
  if (!fields.empty()) {
    const std::string body = dump(fields);
    line.reserve(head.size() + body.size() + 1);  // exactly: no doubling for a record of megabytes
    line += head;
    line += ',';
    line.append(body, 1, std::string::npos);
  } else {
    line.reserve(head.size() + 2);
    line += head;
    line += '}';
  }
  // The record as written is the record as a reader parses it. Built from the fields when
  // serialising did not change them (parsing a record with 1 MiB of output costs time and memory).
  json written;
  if (valid_utf8(type_text) && as_parsed(fields)) {
    written = std::move(fields);
    written["seq"] = seq;
    written["ts"] = ts;
    written["type"] = std::move(type_text);
    written["prev"] = last_hash_;
  } else {
    written = json::parse(line, nullptr, false);
  }
  line += '\n';
  int err = 0;
  if (!write_all(fd_, line, err)) {
    // Take back a partial line so that the file ends in a whole record again.
    if (::ftruncate(fd_, static_cast<off_t>(size_)) != 0) broken_ = true;
    return fail(log_path(dir_), "cannot write: " + errno_text(err));
  }
  int rc;
  do rc = ::fdatasync(fd_);
  while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    // After a failed sync the page cache state is unknown: stop writing to this log.
    broken_ = true;
    return fail(log_path(dir_), "cannot sync: " + errno_text(errno));
  }
  size_ += line.size();
  last_seq_ = seq;
  line.pop_back();
  last_hash_ = line_hash(line);
  return written;
}

std::string EvidenceLog::output_path(const std::string& name) const {
  return std::string(kOutputsDir) + "/" + std::to_string(last_seq_ + 1) + "-" + safe_name(name);
}

util::Result<ReadResult> read_log(const std::string& dir) {
  const std::string path = log_path(dir);
  std::string data;
  int err = 0;
  if (!read_file(path, data, err)) return fail(path, "cannot read: " + errno_text(err));
  ReadResult r;
  const Lines split = split_lines(data);
  r.torn_tail = split.torn;
  r.torn_offset = split.torn ? split.torn_offset : data.size();
  for (const Line& l : split.lines) {
    Parsed p = parse_line(l.text);
    if (!p.problem.empty() && r.problem.empty()) {
      r.problem = p.problem;
      r.problem_line = l.number;
    }
    if (p.value) r.records.push_back(std::move(*p.value));
  }
  return r;
}

Verification verify(const std::string& dir) {
  const std::string path = log_path(dir);
  std::string data;
  int err = 0;
  if (!read_file(path, data, err)) {
    Verification v;
    v.reason = "cannot read " + path + ": " + errno_text(err);
    return v;
  }
  return check_bytes(data).v;
}

}  // namespace runbook::evidence
