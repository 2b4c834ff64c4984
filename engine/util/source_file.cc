#include "util/source_file.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace runbook::util {

namespace {

int line_of(std::string_view text, std::size_t offset) {
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(offset), '\n'));
}

std::string human_size(std::size_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return buf;
}

// cmark ends lines at "\r\n", "\n" and a lone "\r"; everything else here counts '\n' only, so
// the text is normalised once and line numbers agree everywhere.
void normalize_line_endings(std::string& text) {
  if (text.find('\r') == std::string::npos) return;
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\r') {
      out += text[i];
    } else {
      out += '\n';
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    }
  }
  text = std::move(out);
}

}  // namespace

std::size_t find_invalid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  std::size_t n = s.size(), i = 0;
  while (i < n) {
    unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len;
    unsigned min;
    unsigned cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2, min = 0x80, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3, min = 0x800, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4, min = 0x10000, cp = c & 0x07;
    } else {
      return i;
    }
    if (i + len > n) return i;
    for (std::size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += len;
  }
  return std::string_view::npos;
}

Result<SourceFile> check_source_text(std::string path, std::string text, const ReadLimits& limits) {
  if (text.size() > limits.max_bytes)
    return Error{"file is " + human_size(text.size()) + ", over the " + human_size(limits.max_bytes) +
                     " limit for a playbook (raise it with --max-bytes)",
                 path, 0};
  if (auto nul = text.find('\0'); nul != std::string::npos)
    return Error{"binary data (a NUL byte) at byte " + std::to_string(nul) + "; a playbook must be text",
                 path, line_of(text, nul)};
  if (auto bad = find_invalid_utf8(text); bad != std::string_view::npos)
    return Error{"invalid UTF-8 at byte " + std::to_string(bad), path, line_of(text, bad)};
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);
  normalize_line_endings(text);
  return SourceFile{std::move(path), std::move(text)};
}

Result<SourceFile> read_source_file(const std::string& path, const ReadLimits& limits) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return Error{std::strerror(errno), path, 0};
  if (S_ISDIR(st.st_mode)) return Error{"is a directory, not a playbook file", path, 0};
  if (!S_ISREG(st.st_mode)) return Error{"is not a regular file", path, 0};
  if (static_cast<std::size_t>(st.st_size) > limits.max_bytes)
    return Error{"file is " + human_size(static_cast<std::size_t>(st.st_size)) + ", over the " +
                     human_size(limits.max_bytes) + " limit for a playbook (raise it with --max-bytes)",
                 path, 0};
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) return Error{std::strerror(errno), path, 0};
  std::string text;
  text.resize(static_cast<std::size_t>(st.st_size));
  std::size_t got = text.empty() ? 0 : std::fread(text.data(), 1, text.size(), f.get());
  if (std::ferror(f.get())) return Error{std::strerror(errno), path, 0};
  text.resize(got);
  return check_source_text(path, std::move(text), limits);
}

}  // namespace runbook::util
