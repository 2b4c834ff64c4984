#pragma once
// Internal to engine/sql: the two drivers and the helpers they share. Not part of the module's API.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "sql/target.h"
#include "util/result.h"

namespace runbook::sql::detail {

/// Opens the SQLite file (it must exist; it is never created) and checks that it is a database.
util::Result<std::unique_ptr<Target>> open_sqlite(const TargetConfig& config);
/// Connects with the libpq connection string (connect_timeout 10 s unless the string sets one).
util::Result<std::unique_ptr<Target>> open_postgres(const TargetConfig& config);

/// An error not about a file or line.
inline util::Error failure(std::string message) { return util::Error{std::move(message), "", 0}; }

/// Valid UTF-8: invalid bytes become U+FFFD, so that the value can be serialised as JSON.
std::string valid_utf8(std::string_view bytes);
/// "0.2s", "1.5s", "30s".
std::string seconds_text(std::chrono::milliseconds ms);
/// "timed out after 0.2s".
std::string timed_out_message(std::chrono::milliseconds timeout);
/// The message of an execution stopped by options.interrupt.
inline constexpr const char* kInterruptedMessage = "interrupted";
/// SQL text with a NUL byte is refused (neither library can pass it on).
inline constexpr const char* kNulMessage = "the SQL text contains a NUL byte";
/// The start of the message when a read-only execution tried to write.
inline constexpr const char* kReadOnlyPrefix = "read-only: the statement tries to write, but this execution is read-only";
/// At most this many blob bytes are shown (as hex) in a value.
inline constexpr std::size_t kMaxBlobBytes = 4096;
/// "\x0a0b..." for bytes; longer than kMaxBlobBytes: the first ones, "…" and the size.
std::string blob_text(const unsigned char* data, std::size_t size);

/// The text table of a result: format_table when there are columns, else "(N rows affected)".
std::string result_table(const QueryResult& result);

}  // namespace runbook::sql::detail
