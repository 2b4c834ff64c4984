// `runbook serve`: the alert webhook receiver. Alerts are queued durably and each is handled by a
// `runbook handle` child process; see engine/server/ and docs for the API.
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "cli/commands.h"
#include "cli/common.h"
#include "executor/config.h"
#include "server/listen_address.h"
#include "server/log.h"
#include "server/server.h"
#include "util/text.h"

namespace runbook::cli {

namespace {

struct ServeArgs {
  std::string listen = "127.0.0.1:9095";
  std::string playbooks;
  std::string token_file;
  bool no_auth = false;
  std::string state = "runbook-state/state.db";
  std::string runs_dir;
  int workers = 2;
  int io_threads = 2;
  std::string policy, config;
  std::string pagerduty_secret_file;
  std::string notify_url;
  std::string max_body = "1MiB";
  std::string run_timeout = "30m";
  std::string drain_timeout = "30s";
  std::string read_timeout = "10s";
  bool cancel_on_resolved = false;
  bool allow_remote = false;
  std::string handle_command;
};

/// A secret from a file: its content without surrounding white space (a trailing newline is what
/// editors and `echo` leave). Empty is an error: an empty token would accept an empty header.
bool read_secret(const std::string& path, const char* what, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "runbook serve: cannot read " << what << " " << path << "\n";
    return false;
  }
  std::ostringstream text;
  text << in.rdbuf();
  out = std::string(util::trim(text.str()));
  if (out.empty()) {
    std::cerr << "runbook serve: " << what << " " << path << " is empty\n";
    return false;
  }
  return true;
}

bool duration_flag(const std::string& text, const char* flag, std::chrono::milliseconds& out) {
  auto d = executor::parse_duration(text);
  if (!d) {
    std::cerr << "runbook serve: " << flag << ": not a duration: '" << text << "' (e.g. 30s, 5m, 1h)\n";
    return false;
  }
  out = *d;
  return true;
}

/// The path of the running binary: the server runs `handle` with the very same build.
std::string self_path() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? "/proc/self/exe" : p.string();
}

int serve(const ServeArgs& args) {
  using server::log;
  if (args.no_auth == !args.token_file.empty()) {
    std::cerr << "runbook serve: give exactly one of --token-file FILE and --no-auth\n";
    return kUsage;
  }
  if (args.workers < 1 || args.io_threads < 1) {
    std::cerr << "runbook serve: --workers and --io-threads must be at least 1\n";
    return kUsage;
  }
  std::error_code ec;
  if (!std::filesystem::is_directory(args.playbooks, ec)) {
    std::cerr << "runbook serve: --playbooks " << args.playbooks << " is not a directory\n";
    return kInputError;
  }
  for (const auto& [flag, path] : {std::pair{"--policy", args.policy}, std::pair{"--config", args.config}})
    if (!path.empty() && !std::filesystem::is_regular_file(path, ec)) {
      std::cerr << "runbook serve: " << flag << " " << path << ": no such file\n";
      return kInputError;
    }

  server::ServerOptions options;
  options.listen = args.listen;
  options.allow_remote = args.allow_remote;
  auto where = server::resolve_listen_address(args.listen);
  if (!where.ok()) {
    std::cerr << "runbook serve: " << where.error().describe() << "\n";
    return kUsage;
  }
  if (!where->loopback && !args.allow_remote) {
    std::cerr << "runbook serve: refusing to listen on " << args.listen
              << ": not a loopback address. The API starts playbooks; pass --allow-remote (with --token-file) "
                 "to expose it beyond this host\n";
    return kUsage;
  }
  if (!where->loopback && args.no_auth) {
    std::cerr << "runbook serve: --no-auth is only allowed on a loopback address\n";
    return kUsage;
  }
  if (!args.token_file.empty()) {
    std::string token;
    if (!read_secret(args.token_file, "token file", token)) return kInputError;
    options.token = token;
  }
  if (!args.pagerduty_secret_file.empty() &&
      !read_secret(args.pagerduty_secret_file, "PagerDuty secret file", options.pagerduty_secret))
    return kInputError;
  if (!args.notify_url.empty()) {
    auto url = server::parse_http_url(args.notify_url);
    if (!url.ok()) {
      std::cerr << "runbook serve: --notify-url: " << url.error().describe() << "\n";
      return kUsage;
    }
  }
  auto max_body = executor::parse_size(args.max_body);
  if (!max_body || *max_body == 0) {
    std::cerr << "runbook serve: --max-body: not a size: '" << args.max_body << "' (e.g. 1MiB, 512k)\n";
    return kUsage;
  }
  server::HandleCommand handle;
  if (!duration_flag(args.run_timeout, "--run-timeout", handle.timeout) ||
      !duration_flag(args.drain_timeout, "--drain-timeout", options.drain_timeout) ||
      !duration_flag(args.read_timeout, "--read-timeout", options.http.read_timeout))
    return kUsage;
  options.http.max_body = *max_body;
  options.http.threads = args.io_threads;
  options.state_path = args.state;
  options.runs_dir = args.runs_dir;
  options.workers = args.workers;
  options.cancel_on_resolved = args.cancel_on_resolved;
  options.notify_url = args.notify_url;

  handle.program = args.handle_command.empty() ? self_path() : args.handle_command;
  // The child runs in the server's working directory, so relative paths are made absolute now.
  handle.playbooks = std::filesystem::absolute(args.playbooks).string();
  if (!args.policy.empty()) handle.policy = std::filesystem::absolute(args.policy).string();
  if (!args.config.empty()) handle.config = std::filesystem::absolute(args.config).string();

  // SIGTERM/SIGINT are taken by sigwait below, never by a handler: every thread the server
  // starts inherits this mask (the handler children get a clean one from the process runner).
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto started = server::Server::start(options, server::make_handle_launcher(handle));
  if (!started.ok()) {
    std::cerr << "runbook serve: " << started.error().describe() << "\n";
    return kInputError;
  }
  auto& srv = *started.value();
  int sig = 0;
  sigwait(&stop_signals, &sig);
  log(std::string("received ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") + "; draining (a second signal interrupts the runs now)");
  // A second signal cuts the drain short: an operator who presses Ctrl-C twice means it.
  std::atomic<bool> done{false};
  std::thread second([&] {
    int again = 0;
    sigwait(&stop_signals, &again);
    if (!done) {
      log("second signal: interrupting running runs now");
      srv.workers().stop(std::chrono::milliseconds(0));
    }
  });
  srv.shutdown();
  // Wake the waiter so it can be joined.
  done = true;
  pthread_kill(second.native_handle(), SIGTERM);
  second.join();
  return kOk;
}

}  // namespace

void register_serve(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ServeArgs>();
  auto* cmd = app.add_subcommand("serve", "receive alert webhooks and handle each alert with its playbook");
  cmd->add_option("--listen", args->listen, "HOST:PORT to listen on (loopback only unless --allow-remote)")
      ->capture_default_str();
  cmd->add_option("--playbooks", args->playbooks, "directory of playbooks to match alerts against")->required();
  auto* token = cmd->add_option("--token-file", args->token_file,
                                "file holding the bearer token clients must send (Authorization: Bearer ...)");
  cmd->add_flag("--no-auth", args->no_auth, "accept requests without a token (loopback only)")->excludes(token);
  cmd->add_option("--state", args->state, "SQLite state file")->capture_default_str();
  cmd->add_option("--runs-dir", args->runs_dir, "where run directories go (default: runs/ next to the state file)");
  cmd->add_option("--workers", args->workers, "runs handled at the same time")->capture_default_str();
  cmd->add_option("--io-threads", args->io_threads, "HTTP I/O threads")->capture_default_str();
  cmd->add_option("--policy", args->policy, "what unattended runs may do (passed to runbook handle)");
  cmd->add_option("--config", args->config, "run configuration (passed to runbook handle)");
  cmd->add_option("--pagerduty-secret-file", args->pagerduty_secret_file,
                  "PagerDuty webhook secret: /alerts/pagerduty then requires a valid X-PagerDuty-Signature");
  cmd->add_option("--notify-url", args->notify_url,
                  "http:// URL to POST a Slack-style {\"text\": ...} to when a run completes or awaits an operator");
  cmd->add_option("--max-body", args->max_body, "largest request body (larger: 413)")->capture_default_str();
  cmd->add_option("--run-timeout", args->run_timeout, "longest one run may take")->capture_default_str();
  cmd->add_option("--drain-timeout", args->drain_timeout,
                  "on SIGTERM/SIGINT, how long running runs may go on before they are interrupted")
      ->capture_default_str();
  cmd->add_option("--read-timeout", args->read_timeout, "a request must arrive whole within this")
      ->capture_default_str();
  cmd->add_flag("--cancel-on-resolved", args->cancel_on_resolved, "stop a run when its alert resolves");
  cmd->add_flag("--allow-remote", args->allow_remote, "allow a non-loopback --listen address");
  cmd->add_option("--handle-command", args->handle_command,
                  "program run instead of this binary for `handle` (tests, wrappers); same arguments");
  cmd->footer(
      "Endpoints: POST /alerts (Alertmanager), /alerts/grafana, /alerts/pagerduty; GET /runs, /runs/ID,\n"
      "/runs/ID/evidence (bearer token); GET /healthz and /metrics need no token.\n"
      "Each alert is handled by `runbook handle` in RUNS_DIR/<id>-<alertname>/.");
  cmd->callback([args, &exit_code] { exit_code = serve(*args); });
}

}  // namespace runbook::cli
