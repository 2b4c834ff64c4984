#include "server/log.h"

#include <chrono>
#include <ctime>
#include <iostream>
#include <mutex>
#include <string>

namespace runbook::server {

namespace {
std::mutex g_mutex;  // lines from the I/O threads and the workers must not interleave
std::ostream* g_stream = &std::cerr;
}  // namespace

std::string utc_now() {
  using namespace std::chrono;
  const auto now = system_clock::now();
  const std::time_t secs = system_clock::to_time_t(now);
  const auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms));
  return out;
}

void log(std::string_view message) {
  std::string line = utc_now();
  line += ' ';
  line += message;
  line += '\n';
  std::lock_guard lock(g_mutex);
  if (g_stream) {
    g_stream->write(line.data(), static_cast<std::streamsize>(line.size()));
    g_stream->flush();
  }
}

void set_log_stream(std::ostream* stream) {
  std::lock_guard lock(g_mutex);
  g_stream = stream;
}

}  // namespace runbook::server
