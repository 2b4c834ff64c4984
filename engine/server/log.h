#pragma once
// The server's log: one timestamped line per event on stderr. A daemon's log is read by people
// and by journald/grep, so each line stands alone ("2024-05-01T12:00:00.123Z run 12: completed").

#include <ostream>
#include <string>
#include <string_view>

namespace runbook::server {

/// Writes "<UTC time> <message>\n" to the log stream (stderr unless changed), whole lines only.
void log(std::string_view message);

/// Where log lines go; nullptr silences them (tests). Not thread-safe against concurrent log().
void set_log_stream(std::ostream* stream);

/// The current UTC time as ISO 8601 with milliseconds: "2024-05-01T12:00:00.123Z".
std::string utc_now();

}  // namespace runbook::server
