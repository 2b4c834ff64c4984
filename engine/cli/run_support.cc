#include "cli/run_support.h"

#include <signal.h>
#include <sys/stat.h>

#include <cerrno>

#include <ctime>
#include <filesystem>
#include <iostream>

#include "playbook/front_matter.h"
#include "util/text.h"

namespace runbook::cli {

namespace {

exec::Interrupt* g_interrupt = nullptr;

extern "C" void on_signal(int) {
  if (g_interrupt) g_interrupt->raise();
}

}  // namespace

void install_signal_handlers(exec::Interrupt& interrupt) {
  g_interrupt = &interrupt;
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGHUP, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

std::string default_evidence_dir(const playbook::Playbook& pb, const std::string& root) {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
  std::string dir = root + "/" + stamp + "-" + util::slugify(pb.title, 40);
  // Two runs in the same second get distinct directories, also from different processes (parallel
  // headless runs sharing a volume): mkdir claims a name atomically; an existing one is passed by.
  std::error_code ec;
  std::filesystem::create_directories(root, ec);
  std::string candidate = dir;
  for (int i = 2; i < 10000; ++i) {
    if (::mkdir(candidate.c_str(), 0755) == 0 || errno != EEXIST) break;
    candidate = dir + "-" + std::to_string(i);
  }
  return candidate;
}

bool load_run_config(const std::string& path, executor::RunConfig& config) {
  if (path.empty()) return true;
  auto loaded = executor::load_config(path);
  if (!loaded) {
    std::cerr << "runbook: " << loaded.error().describe() << "\n";
    return false;
  }
  config = std::move(loaded.value());
  return true;
}

std::map<std::string, executor::PresetValue> presets(const playbook::Playbook& pb, const executor::RunConfig& config,
                                                     const playbook::Bindings& cli_vars) {
  std::map<std::string, executor::PresetValue> out;
  for (const auto& [k, v] : playbook::front_matter_defaults(pb.front_matter)) out[k] = {v, "front-matter"};
  for (const auto& [k, v] : config.variables) out[k] = {v, "config"};
  for (const auto& [k, v] : cli_vars) out[k] = {v, "cli"};
  return out;
}

}  // namespace runbook::cli
