// bench_webhooks: how fast `runbook serve` answers a burst of Alertmanager webhooks, next to a
// trivial Beast server that answers without doing anything.
//
// Usage: bench_webhooks [--count N] [--connections C] [--io-threads T] [--port P] [--state-dir DIR]
//   defaults: 1000 webhooks over 8 keep-alive connections, in-process server on a temp dir.
//   --port P   send to a server already listening on 127.0.0.1:P (started with --no-auth)
//              instead of starting one; the row check then goes through GET /runs/{id}.
//
// (1) the server: Server::start with --no-auth, 2 workers and a launcher that returns a summary
//     at once (so the workers' claim/finish commits compete with intake, as in real use), state
//     on the temp dir's file system (WAL + synchronous=FULL: an fsync per webhook). Every answer
//     must be 2xx, and every created run must be a row. Target: p99 <= 20 ms.
// (2) the baseline: the same burst against an echo server inside this process (Beast, same
//     number of I/O threads): reads the request, answers 202 with a small JSON body.
// Reported: p50/p90/p99/max answer latency and throughput; then `key=value` lines for scripts.

#include <algorithm>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "server/log.h"
#include "server/server.h"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

/// Completes every run at once with a plausible summary.
class NoopLauncher : public runbook::server::Launcher {
 public:
  runbook::server::LaunchResult launch(const runbook::server::LaunchRequest&, const runbook::exec::Interrupt&) override {
    runbook::server::LaunchResult r;
    r.run.end = runbook::exec::RunResult::End::Exited;
    r.run.exit_code = 0;
    r.out = R"({"outcome":"completed","playbook":{"path":"pb.md","title":"PB"},"counts":{}})";
    return r;
  }
};

/// The baseline: reads a request, answers 202 with a fixed JSON body; keep-alive; async on a pool.
class EchoServer {
 public:
  explicit EchoServer(int threads) : io_(threads), acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    accept();
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { io_.run(); });
  }
  ~EchoServer() {
    io_.stop();
    for (auto& t : threads_) t.join();
  }
  unsigned short port() const { return acceptor_.local_endpoint().port(); }

 private:
  struct Conn : std::enable_shared_from_this<Conn> {
    explicit Conn(tcp::socket s) : stream(std::move(s)) {}
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    http::request<http::string_body> req;
    http::response<http::string_body> res;
    void read() {
      req = {};
      http::async_read(stream, buffer, req, [self = shared_from_this()](beast::error_code ec, std::size_t) {
        if (ec) return;
        self->res = http::response<http::string_body>(http::status::accepted, 11);
        self->res.set(http::field::content_type, "application/json");
        self->res.body() = R"({"created":[1],"duplicates":[],"resolved":[],"ignored":[]})";
        self->res.keep_alive(self->req.keep_alive());
        self->res.prepare_payload();
        http::async_write(self->stream, self->res, [self](beast::error_code e, std::size_t) {
          if (!e) self->read();
        });
      });
    }
  };
  void accept() {
    acceptor_.async_accept(asio::make_strand(io_), [this](beast::error_code ec, tcp::socket s) {
      if (ec) return;
      s.set_option(tcp::no_delay(true));
      std::make_shared<Conn>(std::move(s))->read();
      accept();
    });
  }
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::vector<std::thread> threads_;
};

struct Burst {
  std::vector<double> latencies_ms;
  double seconds = 0;
  int non_2xx = 0, errors = 0;
  std::set<std::int64_t> created;
};

/// `count` webhooks over `connections` keep-alive connections, all started together.
Burst burst(unsigned short port, int count, int connections, const std::string& tag) {
  Burst out;
  std::mutex mutex;
  std::atomic<int> next{0};
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> clients;
  for (int c = 0; c < connections; ++c)
    clients.emplace_back([&] {
      asio::io_context io;
      beast::tcp_stream stream(io);
      stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
      stream.socket().set_option(tcp::no_delay(true));
      beast::flat_buffer buffer;
      std::vector<double> mine;
      std::vector<std::int64_t> ids;
      int bad = 0, errs = 0;
      ++ready;
      while (!go) std::this_thread::yield();
      for (int i; (i = next++) < count;) {
        json alert = {{"status", "firing"},
                      {"labels", {{"alertname", "BenchAlert"}, {"instance", "host-" + std::to_string(i)}}},
                      {"annotations", {{"summary", "bench"}}},
                      {"startsAt", "2024-05-01T12:00:00Z"},
                      {"fingerprint", tag + "-" + std::to_string(i)}};
        json body = {{"version", "4"}, {"status", "firing"}, {"receiver", "runbook"}, {"alerts", {alert}}};
        http::request<http::string_body> req{http::verb::post, "/alerts", 11};
        req.set(http::field::host, "127.0.0.1");
        req.set(http::field::content_type, "application/json");
        req.body() = body.dump();
        req.prepare_payload();
        const auto t0 = Clock::now();
        try {
          http::write(stream, req);
          http::response<http::string_body> res;
          http::read(stream, buffer, res);
          mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
          if (res.result_int() < 200 || res.result_int() >= 300) ++bad;
          json answer = json::parse(res.body(), nullptr, false);
          if (answer.is_object() && answer.contains("created"))
            for (const auto& id : answer["created"]) ids.push_back(id.get<std::int64_t>());
        } catch (const std::exception&) {
          ++errs;
          break;
        }
      }
      std::lock_guard lock(mutex);
      out.latencies_ms.insert(out.latencies_ms.end(), mine.begin(), mine.end());
      out.created.insert(ids.begin(), ids.end());
      out.non_2xx += bad;
      out.errors += errs;
    });
  while (ready < connections) std::this_thread::yield();
  const auto t0 = Clock::now();
  go = true;
  for (auto& t : clients) t.join();
  out.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  std::sort(out.latencies_ms.begin(), out.latencies_ms.end());
  return out;
}

double pct(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  std::size_t i = static_cast<std::size_t>(p / 100.0 * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)];
}

void report(const char* name, const Burst& b) {
  std::printf("%-22s %6zu answers  p50 %6.2f ms  p90 %6.2f ms  p99 %6.2f ms  max %7.2f ms  %8.0f req/s\n", name,
              b.latencies_ms.size(), pct(b.latencies_ms, 50), pct(b.latencies_ms, 90), pct(b.latencies_ms, 99),
              b.latencies_ms.empty() ? 0 : b.latencies_ms.back(), static_cast<double>(b.latencies_ms.size()) / b.seconds);
}

}  // namespace

int main(int argc, char** argv) {
  int count = 1000, connections = 8, port = 0, io_threads = 2;
  std::string state_dir;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "bench_webhooks: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--count") count = std::stoi(value());
    else if (a == "--connections") connections = std::stoi(value());
    else if (a == "--port") port = std::stoi(value());
    else if (a == "--state-dir") state_dir = value();
    else if (a == "--io-threads") io_threads = std::stoi(value());
    else {
      std::fprintf(stderr, "usage: bench_webhooks [--count N] [--connections C] [--io-threads T] [--port P] [--state-dir DIR]\n");
      return 2;
    }
  }
  runbook::server::set_log_stream(nullptr);
  std::mt19937_64 rng(std::random_device{}());
  const std::string tag = "bench-" + std::to_string(rng() % 1000000000);

  std::unique_ptr<runbook::server::Server> server;
  std::filesystem::path tmp;
  if (port == 0) {
    tmp = state_dir.empty() ? std::filesystem::temp_directory_path() / ("runbook-bench-webhooks-" + tag)
                            : std::filesystem::path(state_dir) / tag;
    runbook::server::ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.token.reset();
    options.state_path = (tmp / "state.db").string();
    options.workers = 2;
    options.http.threads = io_threads;
    auto started = runbook::server::Server::start(options, std::make_unique<NoopLauncher>());
    if (!started.ok()) {
      std::fprintf(stderr, "bench_webhooks: %s\n", started.error().describe().c_str());
      return 1;
    }
    server = std::move(started.value());
    port = server->port();
  }

  // Warm-up (connections, page cache, prepared statements), not measured.
  burst(static_cast<unsigned short>(port), 50, connections, tag + "-warm");
  EchoServer echo(io_threads);
  burst(echo.port(), 50, connections, tag + "-warm");

  Burst served = burst(static_cast<unsigned short>(port), count, connections, tag);
  Burst baseline = burst(echo.port(), count, connections, tag);

  // Every created run must be a row: through the store in-process, else through the API.
  std::size_t rows = 0;
  if (server) {
    auto list = server->store().list(count + 100);
    if (list.ok())
      for (const auto& r : *list) rows += served.created.count(r.id);
  } else {
    for (auto id : served.created) {
      asio::io_context io;
      beast::tcp_stream stream(io);
      stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
      http::request<http::string_body> req{http::verb::get, "/runs/" + std::to_string(id), 11};
      req.set(http::field::host, "127.0.0.1");
      http::write(stream, req);
      beast::flat_buffer buffer;
      http::response<http::string_body> res;
      http::read(stream, buffer, res);
      if (res.result_int() == 200) ++rows;
    }
  }

  std::printf("%d Alertmanager webhooks over %d keep-alive connections on loopback\n", count, connections);
  report("runbook serve", served);
  report("baseline (echo)", baseline);
  const bool all_2xx = served.non_2xx == 0 && served.errors == 0 && static_cast<int>(served.latencies_ms.size()) == count;
  const bool all_rows = static_cast<int>(served.created.size()) == count && rows == served.created.size();
  std::printf("all answered 2xx: %s; runs created: %zu; rows present: %zu\n", all_2xx ? "yes" : "NO",
              served.created.size(), rows);
  const double p99 = pct(served.latencies_ms, 99);
  std::printf("p99 %.2f ms (target <= 20 ms): %s\n", p99, p99 <= 20.0 ? "met" : "MISSED");
  std::printf("serve_p50_ms=%.3f\nserve_p90_ms=%.3f\nserve_p99_ms=%.3f\nserve_max_ms=%.3f\nserve_rps=%.0f\n",
              pct(served.latencies_ms, 50), pct(served.latencies_ms, 90), p99,
              served.latencies_ms.empty() ? 0 : served.latencies_ms.back(),
              static_cast<double>(served.latencies_ms.size()) / served.seconds);
  std::printf("echo_p50_ms=%.3f\necho_p90_ms=%.3f\necho_p99_ms=%.3f\necho_max_ms=%.3f\necho_rps=%.0f\n",
              pct(baseline.latencies_ms, 50), pct(baseline.latencies_ms, 90), pct(baseline.latencies_ms, 99),
              baseline.latencies_ms.empty() ? 0 : baseline.latencies_ms.back(),
              static_cast<double>(baseline.latencies_ms.size()) / baseline.seconds);
  if (server) {
    // Let the workers finish the queue so the shutdown is quick, then clean up.
    for (int i = 0; i < 600; ++i) {
      auto active = server->store().count_active();
      if (active.ok() && (*active)["queued"] == 0 && (*active)["running"] == 0) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    server->shutdown();
    server.reset();
    std::error_code ec;
    std::filesystem::remove_all(tmp, ec);
  }
  return all_2xx && all_rows ? 0 : 1;
}
