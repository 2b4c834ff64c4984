// open_target, the text table, and the helpers both drivers share.

#include <algorithm>
#include <cstdio>

#include "sql/drivers.h"
#include "sql/target.h"

namespace runbook::sql {
namespace detail {

namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 when the bytes there are not one.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) return 1;
  std::size_t len;
  unsigned lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;   // overlong
    if (c == 0xED) hi = 0x9F;   // surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;   // overlong
    if (c == 0xF4) hi = 0x8F;   // above U+10FFFF
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  if (b(i + 1) < lo || b(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < len; ++k)
    if (b(i + k) < 0x80 || b(i + k) > 0xBF) return 0;
  return len;
}

}  // namespace

std::string valid_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (std::size_t i = 0; i < bytes.size();) {
    std::size_t len = utf8_sequence(bytes, i);
    if (len == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(bytes.substr(i, len));
      i += len;
    }
  }
  return out;
}

std::string seconds_text(std::chrono::milliseconds ms) {
  long long v = ms.count();
  std::string out = std::to_string(v / 1000);
  if (long long frac = v % 1000; frac != 0) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%03lld", frac < 0 ? -frac : frac);
    std::string f = buf;
    while (!f.empty() && f.back() == '0') f.pop_back();
    out += "." + f;
  }
  return out + "s";
}

std::string timed_out_message(std::chrono::milliseconds timeout) {
  return "timed out after " + seconds_text(timeout);
}

std::string blob_text(const unsigned char* data, std::size_t size) {
  static const char* hex = "0123456789abcdef";
  std::size_t shown = std::min(size, kMaxBlobBytes);
  std::string out = "\\x";
  out.reserve(2 + shown * 2 + 32);
  for (std::size_t i = 0; i < shown; ++i) {
    out += hex[data[i] >> 4];
    out += hex[data[i] & 0xF];
  }
  if (shown < size) out += "\xE2\x80\xA6 (" + std::to_string(size) + " bytes)";
  return out;
}

std::string result_table(const QueryResult& result) {
  if (!result.columns.empty()) {
    if (result.truncated) return format_table(result.columns, result.rows, result.row_count);
    return format_table(result.columns, result.rows);
  }
  if (result.affected >= 0)
    return "(" + std::to_string(result.affected) + (result.affected == 1 ? " row" : " rows") + " affected)\n";
  return "";
}

}  // namespace detail

util::Result<std::unique_ptr<Target>> open_target(const TargetConfig& config) {
  if (config.driver == "sqlite") {
    if (config.path.empty())
      return detail::failure("target '" + config.name + "': the sqlite driver needs a `path`");
    return detail::open_sqlite(config);
  }
  if (config.driver == "postgres" || config.driver == "postgresql") {
    if (config.dsn.empty())
      return detail::failure("target '" + config.name + "': the postgres driver needs a `dsn`");
    return detail::open_postgres(config);
  }
  return detail::failure("target '" + config.name + "': unknown driver '" + config.driver +
                         "' (expected sqlite or postgres)");
}

namespace {

constexpr std::size_t kMaxCellWidth = 80;

// Code points in valid UTF-8 (continuation bytes are not counted).
std::size_t width(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

// The cell's text: one line (control characters escaped), at most kMaxCellWidth code points.
std::string cell_text(const nlohmann::json& value) {
  std::string raw;
  if (value.is_null()) return "";
  if (value.is_string()) {
    raw = value.get_ref<const std::string&>();
  } else if (value.is_boolean()) {
    raw = value.get<bool>() ? "true" : "false";
  } else {
    raw = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  std::string out;
  std::size_t points = 0;
  std::size_t keep = 0;  // bytes of `out` that fit in kMaxCellWidth - 1 code points
  for (std::size_t i = 0; i < raw.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(raw[i]);
    std::string piece;
    if (c == '\n') {
      piece = "\\n";
    } else if (c == '\r') {
      piece = "\\r";
    } else if (c == '\t') {
      piece = "\\t";
    } else if (c < 0x20 || c == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      piece = buf;
    } else {
      // A whole UTF-8 sequence at once, so that truncation never splits one.
      std::size_t len = 1;
      while (i + len < raw.size() && (static_cast<unsigned char>(raw[i + len]) & 0xC0) == 0x80) ++len;
      piece = raw.substr(i, len);
      i += len - 1;
    }
    std::size_t w = width(piece);
    if (points + w > kMaxCellWidth) return out.substr(0, keep) + "\xE2\x80\xA6";
    out += piece;
    points += w;
    if (points < kMaxCellWidth) keep = out.size();
  }
  return out;
}

std::string pad(std::string_view text, std::size_t to, char align) {
  std::size_t w = width(text);
  std::size_t fill = to > w ? to - w : 0;
  std::size_t left = align == 'r' ? fill : align == 'c' ? fill / 2 : 0;
  return std::string(left, ' ') + std::string(text) + std::string(fill - left, ' ');
}

void end_line(std::string& out) {
  while (!out.empty() && out.back() == ' ') out.pop_back();
  out += '\n';
}

std::string count_line(std::size_t shown, std::size_t total) {
  std::string out = "(" + std::to_string(total) + (total == 1 ? " row" : " rows");
  if (shown < total) out += ", first " + std::to_string(shown) + " shown";
  return out + ")\n";
}

std::string table(const std::vector<std::string>& columns,
                  const std::vector<std::vector<nlohmann::json>>& rows, std::size_t total) {
  std::string out;
  if (!columns.empty()) {
    std::size_t n = columns.size();
    std::vector<std::string> header(n);
    std::vector<std::size_t> widths(n, 0);
    std::vector<bool> numeric(n, false), non_numeric(n, false);
    for (std::size_t c = 0; c < n; ++c) {
      header[c] = cell_text(nlohmann::json(detail::valid_utf8(columns[c])));
      widths[c] = width(header[c]);
    }
    std::vector<std::vector<std::string>> cells;
    cells.reserve(rows.size());
    for (const auto& row : rows) {
      auto& line = cells.emplace_back(n);
      for (std::size_t c = 0; c < n && c < row.size(); ++c) {
        line[c] = cell_text(row[c]);
        widths[c] = std::max(widths[c], width(line[c]));
        if (row[c].is_number()) numeric[c] = true;
        else if (!row[c].is_null()) non_numeric[c] = true;
      }
    }
    for (std::size_t c = 0; c < n; ++c) {
      out += c == 0 ? " " : " | ";
      out += pad(header[c], widths[c], 'c');
    }
    end_line(out);
    for (std::size_t c = 0; c < n; ++c) {
      if (c > 0) out += '+';
      out += std::string(widths[c] + 2, '-');
    }
    end_line(out);
    for (const auto& line : cells) {
      for (std::size_t c = 0; c < n; ++c) {
        out += c == 0 ? " " : " | ";
        out += pad(line[c], widths[c], numeric[c] && !non_numeric[c] ? 'r' : 'l');
      }
      end_line(out);
    }
  }
  return out + count_line(rows.size(), std::max(total, rows.size()));
}

}  // namespace

std::string format_table(const std::vector<std::string>& columns,
                         const std::vector<std::vector<nlohmann::json>>& rows) {
  return table(columns, rows, rows.size());
}

std::string format_table(const std::vector<std::string>& columns,
                         const std::vector<std::vector<nlohmann::json>>& rows, std::size_t total_rows) {
  return table(columns, rows, total_rows);
}

}  // namespace runbook::sql
