// The PostgreSQL driver (libpq). One connection per target, reopened when it was lost. Every
// execution is one transaction:
//
//   SET default_transaction_read_only = on | RESET default_transaction_read_only; SET statement_timeout = <ms>
//   BEGIN; [SET TRANSACTION READ ONLY;] SET LOCAL statement_timeout = <ms>; [SELECT 1]
//   <the SQL text, sent on its own, results read in single-row mode>
//   COMMIT on success, ROLLBACK after an error
//
// The session-level settings keep their meaning if the SQL text itself ends the transaction
// (a COMMIT inside it), and the `SELECT 1` after SET TRANSACTION READ ONLY takes the first
// snapshot, after which PostgreSQL refuses `SET TRANSACTION READ WRITE`. Read-only is a guard
// against mistakes, not a security boundary: that is the database role's job.
//
// The timeout bounds the whole execution: statement_timeout stops each statement on the server,
// and a client-side deadline covers the whole text (several statements) and a server that does
// not answer. Waiting is done with PQsendQuery and poll() in 50 ms slices, checking that deadline
// and options.interrupt; either sends a cancel request (PQcancel) and reads what is left of the
// answer (at most kAfterCancel; then the connection is dropped and reopened next time).

#include <poll.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "sql/drivers.h"
#include "sql/libpq.h"
#include "util/text.h"

namespace runbook::sql::detail {
namespace {
// The library, once connect() has loaded it: every other call is on a connection it opened.
const LibPq& pq() { return *libpq().value(); }


using Clock = std::chrono::steady_clock;

// Type OIDs (pg_type.dat); stable across server versions.
constexpr Oid kBool = 16, kBytea = 17, kInt8 = 20, kInt2 = 21, kInt4 = 23, kOid = 26, kFloat4 = 700,
              kFloat8 = 701, kNumeric = 1700;

// How long to wait for the rest of an answer after a cancel request, and for COMMIT/ROLLBACK.
constexpr auto kAfterCancel = std::chrono::seconds(5);
constexpr auto kFinishTimeout = std::chrono::seconds(10);

struct ConnCloser {
  void operator()(PGconn* conn) const { pq().PQfinish(conn); }
};
using Conn = std::unique_ptr<PGconn, ConnCloser>;

std::string one_line(const char* text) { return util::collapse_space(text ? text : ""); }

bool is_integer_text(std::string_view s) {
  std::size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  if (i == s.size()) return false;
  for (; i < s.size(); ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

std::optional<double> parse_double(std::string_view s) {
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<std::int64_t> parse_int(std::string_view s) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// numeric: an integer that fits in 64 bits, or a decimal with at most 15 significant digits
// (exact enough as a double); anything else (and NaN, Infinity) stays a string.
nlohmann::json numeric_value(std::string_view s) {
  if (is_integer_text(s)) {
    if (auto v = parse_int(s)) return *v;
    return std::string(s);
  }
  std::size_t digits = 0;
  bool leading = true;
  for (char c : s) {
    if (c == 'e' || c == 'E') break;
    if (c < '0' || c > '9') continue;
    if (leading && c == '0') continue;
    leading = false;
    ++digits;
  }
  if (digits <= 15)
    if (auto v = parse_double(s)) return *v;
  return std::string(s);
}

nlohmann::json field_value(const PGresult* res, int row, int col) {
  if (pq().PQgetisnull(res, row, col)) return nullptr;
  std::string_view text(pq().PQgetvalue(res, row, col), static_cast<std::size_t>(pq().PQgetlength(res, row, col)));
  switch (pq().PQftype(res, col)) {
    case kBool:
      return text == "t";
    case kInt2:
    case kInt4:
    case kInt8:
    case kOid:
      if (auto v = parse_int(text)) return *v;
      return std::string(text);
    case kFloat4:
    case kFloat8:
      if (auto v = parse_double(text)) return *v;
      return std::string(text);  // NaN, Infinity, -Infinity
    case kNumeric:
      return numeric_value(text);
    case kBytea:
      if (text.size() > 2 + 2 * kMaxBlobBytes)
        return std::string(text.substr(0, 2 + 2 * kMaxBlobBytes)) + "\xE2\x80\xA6 (" +
               std::to_string((text.size() - 2) / 2) + " bytes)";
      return valid_utf8(text);
    default:
      return valid_utf8(text);
  }
}

// The server's error: primary message, SQLSTATE, detail and hint.
struct ServerError {
  std::string sqlstate;
  std::string primary;
  std::string detail;
  std::string hint;

  static ServerError from(const PGresult* res, PGconn* conn) {
    ServerError e;
    auto field = [&](int code) {
      const char* v = res ? pq().PQresultErrorField(res, code) : nullptr;
      return v ? valid_utf8(one_line(v)) : std::string();
    };
    e.sqlstate = field(PG_DIAG_SQLSTATE);
    e.primary = field(PG_DIAG_MESSAGE_PRIMARY);
    e.detail = field(PG_DIAG_MESSAGE_DETAIL);
    e.hint = field(PG_DIAG_MESSAGE_HINT);
    if (e.primary.empty()) {
      std::string message = res ? one_line(pq().PQresultErrorMessage(res)) : std::string();
      if (message.empty()) message = one_line(pq().PQerrorMessage(conn));
      if (message.empty()) message = "unknown error from the PostgreSQL client library";
      e.primary = valid_utf8(message);
    }
    return e;
  }

  std::string describe() const {
    std::string out = primary;
    if (!sqlstate.empty()) out += " (SQLSTATE " + sqlstate + ")";
    if (!detail.empty()) out += "; detail: " + detail;
    if (!hint.empty()) out += "; hint: " + hint;
    return out;
  }
};

// One wait for answers, with the interrupt and deadline checks and the cancel request.
struct Wait {
  PGconn* conn = nullptr;
  const exec::Interrupt* interrupt = nullptr;  ///< nullptr: not checked (COMMIT, ROLLBACK)
  std::optional<Clock::time_point> deadline;
  bool interrupted = false;
  bool timed_out = false;
  std::optional<Clock::time_point> cancel_deadline;  ///< set once the cancel request was sent
  std::string lost;                                  ///< not empty: the connection is unusable
  bool copy_refused = false;                         ///< a COPY was ended without data

  void cancel() {
    cancel_deadline = Clock::now() + kAfterCancel;
    if (PGcancel* c = pq().PQgetCancel(conn)) {
      char error[256];
      pq().PQcancel(c, error, sizeof error);  // a failure shows as no answer before cancel_deadline
      pq().PQfreeCancel(c);
    }
  }

  // False when the connection should be given up.
  bool check() {
    if (cancel_deadline) {
      if (Clock::now() >= *cancel_deadline) {
        lost = "no answer from the server after the cancel request";
        return false;
      }
    } else if (interrupt && interrupt->raised()) {
      interrupted = true;
      cancel();
    } else if (deadline && Clock::now() >= *deadline) {
      timed_out = true;
      cancel();
    }
    return true;
  }

  // Reads input until an answer is complete (PQisBusy false); false when the connection failed.
  bool until_ready() {
    while (pq().PQisBusy(conn)) {
      if (!check()) return false;
      pollfd p{pq().PQsocket(conn), POLLIN, 0};
      if (p.fd < 0) {
        lost = "the connection is closed";
        return false;
      }
      if (poll(&p, 1, 50) < 0 && errno != EINTR) {
        lost = std::string("poll failed: ") + std::strerror(errno);
        return false;
      }
      if (!pq().PQconsumeInput(conn)) {
        lost = one_line(pq().PQerrorMessage(conn));
        return false;
      }
    }
    return check();
  }

  // Sends `sql` and passes each result to `on_result` until the last one; false when the
  // connection failed (see `lost`).
  template <typename OnResult>
  bool exchange(const std::string& sql, bool single_row, OnResult&& on_result) {
    if (!pq().PQsendQuery(conn, sql.c_str())) {
      lost = one_line(pq().PQerrorMessage(conn));
      return false;
    }
    if (single_row) pq().PQsetSingleRowMode(conn);
    for (;;) {
      if (!until_ready()) return false;
      PGresult* res = pq().PQgetResult(conn);
      if (!res) return true;
      ExecStatusType status = pq().PQresultStatus(res);
      if (status == PGRES_COPY_OUT || status == PGRES_COPY_IN || status == PGRES_COPY_BOTH) {
        pq().PQclear(res);
        if (!end_copy(status)) return false;
        copy_refused = true;
        continue;
      }
      on_result(res);
      pq().PQclear(res);
    }
  }

  // COPY is not supported: refuse to send data, drop data sent to us.
  bool end_copy(ExecStatusType status) {
    if (status == PGRES_COPY_IN) return pq().PQputCopyEnd(conn, "COPY FROM STDIN is not supported in sql steps") >= 0;
    if (status == PGRES_COPY_BOTH) {
      lost = "replication protocol is not supported";
      return false;
    }
    for (;;) {
      char* buffer = nullptr;
      int n = pq().PQgetCopyData(conn, &buffer, 1);
      if (buffer) pq().PQfreemem(buffer);
      if (n == -1) return true;
      if (n == -2) {
        lost = one_line(pq().PQerrorMessage(conn));
        return false;
      }
      if (n == 0) {
        if (!check()) return false;
        pollfd p{pq().PQsocket(conn), POLLIN, 0};
        poll(&p, 1, 50);
        if (!pq().PQconsumeInput(conn)) {
          lost = one_line(pq().PQerrorMessage(conn));
          return false;
        }
      }
    }
  }
};

// Collects the results of the SQL text: the rows of the last row-returning statement, the count
// of the last data-changing one, the first error.
struct Collector {
  std::size_t max_rows = 0;
  QueryResult result;
  bool in_rows = false;  ///< between the first row and the end of a row-returning statement
  std::optional<ServerError> error;
  PGconn* conn = nullptr;

  void operator()(PGresult* res) {
    switch (pq().PQresultStatus(res)) {
      case PGRES_SINGLE_TUPLE:
        if (!in_rows) start(res);
        add_rows(res);
        break;
      case PGRES_TUPLES_OK:
        if (!in_rows) start(res);
        add_rows(res);  // none in single-row mode
        in_rows = false;
        count(res);
        break;
      case PGRES_COMMAND_OK:
        count(res);
        break;
      case PGRES_EMPTY_QUERY:
        break;
      default:
        in_rows = false;
        if (!error) error = ServerError::from(res, conn);
        break;
    }
  }

  void start(const PGresult* res) {
    in_rows = true;
    result.columns.clear();
    result.rows.clear();
    result.row_count = 0;
    result.truncated = false;
    for (int c = 0; c < pq().PQnfields(res); ++c) {
      const char* name = pq().PQfname(res, c);
      result.columns.push_back(valid_utf8(name ? name : ""));
    }
  }

  void add_rows(const PGresult* res) {
    int fields = pq().PQnfields(res);
    for (int r = 0; r < pq().PQntuples(res); ++r) {
      ++result.row_count;
      if (result.rows.size() >= max_rows) {
        result.truncated = true;
        continue;
      }
      auto& row = result.rows.emplace_back();
      row.reserve(static_cast<std::size_t>(fields));
      for (int c = 0; c < fields; ++c) row.push_back(field_value(res, r, c));
    }
  }

  // INSERT/UPDATE/DELETE/MERGE (also with RETURNING) report how many rows they changed.
  void count(PGresult* res) {
    std::string_view status = pq().PQcmdStatus(res);
    std::string_view verb = status.substr(0, status.find(' '));
    if (verb != "INSERT" && verb != "UPDATE" && verb != "DELETE" && verb != "MERGE") return;
    if (auto n = parse_int(pq().PQcmdTuples(res))) result.affected = *n;
  }
};

class PostgresTarget final : public Target {
 public:
  PostgresTarget(std::string name, std::string dsn) : name_(std::move(name)), dsn_(std::move(dsn)) {}

  const char* driver() const override { return "postgres"; }

  util::Result<bool> connect() {
    // connect_timeout and the application name come first so that the string can override them;
    // client_encoding comes after it: values are read as UTF-8.
    const char* keywords[] = {"connect_timeout", "fallback_application_name", "dbname", "client_encoding", nullptr};
    const char* values[] = {"10", "runbook", dsn_.c_str(), "UTF8", nullptr};
    const auto& library = libpq();
    if (!library) return failure("target '" + name_ + "': " + library.error().message);
    conn_.reset(pq().PQconnectdbParams(keywords, values, 1));
    if (!conn_) return failure("target '" + name_ + "': out of memory while connecting");
    if (pq().PQstatus(conn_.get()) != CONNECTION_OK) {
      std::string message = valid_utf8(one_line(pq().PQerrorMessage(conn_.get())));
      conn_.reset();
      return failure("target '" + name_ + "': cannot connect to PostgreSQL: " + message);
    }
    pq().PQsetNoticeProcessor(conn_.get(), [](void*, const char*) {}, nullptr);
    return true;
  }

  util::Result<QueryResult> execute(const std::string& sql, const QueryOptions& options) override {
    if (options.interrupt && options.interrupt->raised()) return failure(kInterruptedMessage);
    if (sql.find('\0') != std::string::npos) return failure(kNulMessage);
    bool fresh = false;
    if (!conn_ || pq().PQstatus(conn_.get()) != CONNECTION_OK) {
      auto connected = connect();
      if (!connected.ok()) return connected.error();
      fresh = true;
    }
    PGconn* conn = conn_.get();

    Wait wait;
    wait.conn = conn;
    wait.interrupt = options.interrupt;
    if (options.timeout.count() > 0) wait.deadline = Clock::now() + options.timeout;

    // Session settings first, on their own: a transaction takes its read-only mode from
    // default_transaction_read_only as it was when the transaction (here: the query) started.
    std::string ms = std::to_string(options.timeout.count() > 0 ? options.timeout.count() : 0);
    std::string session = options.read_only ? "SET default_transaction_read_only = on; "
                                            : "RESET default_transaction_read_only; ";
    session += "SET statement_timeout = " + ms;
    // Then the transaction.
    std::string begin = "BEGIN; ";
    if (options.read_only) begin += "SET TRANSACTION READ ONLY; ";
    begin += "SET LOCAL statement_timeout = " + ms + ";";
    if (options.read_only) begin += " SELECT 1;";
    std::optional<ServerError> begin_error;
    auto check_begin = [&](PGresult* res) {
      auto status = pq().PQresultStatus(res);
      if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && !begin_error)
        begin_error = ServerError::from(res, conn);
    };
    bool alive = wait.exchange(session, false, check_begin);
    bool broken = !alive || pq().PQstatus(conn) != CONNECTION_OK;
    if (broken && !fresh && !wait.interrupted && !wait.timed_out && !wait.cancel_deadline) {
      // An idle connection may have been closed by the server (which then sends a last error,
      // such as 57P01 after pg_terminate_backend) or by the network since the last execution:
      // reconnect once (nothing of the SQL text has been sent yet).
      auto connected = connect();
      if (!connected.ok()) return connected.error();
      conn = wait.conn = conn_.get();
      wait.lost.clear();
      begin_error.reset();
      alive = wait.exchange(session, false, check_begin);
    }
    if (alive && !begin_error && !wait.interrupted && !wait.timed_out)
      alive = wait.exchange(begin, false, check_begin);

    Collector collector;
    collector.max_rows = options.max_rows;
    collector.conn = conn;
    if (alive && !begin_error && !wait.interrupted && !wait.timed_out)
      alive = wait.exchange(sql, true, collector);
    if (alive && wait.copy_refused && !collector.error)
      collector.error = ServerError{"", "COPY is not supported in sql steps", "", ""};

    // End it: COMMIT after success, else ROLLBACK (nothing to do if the SQL text ended it).
    bool failed = begin_error || collector.error || wait.interrupted || wait.timed_out;
    std::optional<ServerError> commit_error;
    if (alive) {
      Wait finish;
      finish.conn = conn;
      finish.deadline = Clock::now() + kFinishTimeout;
      auto tx = pq().PQtransactionStatus(conn);
      if (tx == PQTRANS_INTRANS && !failed) {
        alive = finish.exchange("COMMIT", false, [&](PGresult* res) {
          if (pq().PQresultStatus(res) != PGRES_COMMAND_OK && !commit_error) commit_error = ServerError::from(res, conn);
        });
      } else if (tx == PQTRANS_INTRANS || tx == PQTRANS_INERROR) {
        alive = finish.exchange("ROLLBACK", false, [](PGresult*) {});
      }
      if (!alive) wait.lost = finish.lost.empty() ? "no answer to COMMIT or ROLLBACK" : finish.lost;
      if (finish.timed_out && alive) {
        alive = false;
        wait.lost = "no answer to COMMIT or ROLLBACK";
      }
    }
    if (!alive) conn_.reset();  // reconnect next time

    if (wait.interrupted) return failure(kInterruptedMessage);
    if (wait.timed_out) return failure(timed_out_message(options.timeout));
    if (!alive) return failure("connection to PostgreSQL lost: " + valid_utf8(wait.lost));
    const auto& error = begin_error ? begin_error : collector.error ? collector.error : commit_error;
    if (error) return describe(*error, options);
    QueryResult result = std::move(collector.result);
    result.table = result_table(result);
    return result;
  }

 private:
  util::Error describe(const ServerError& error, const QueryOptions& options) const {
    if (error.sqlstate == "57014" && error.primary.find("statement timeout") != std::string::npos)
      return failure(timed_out_message(options.timeout) + ": " + error.describe());
    if (error.sqlstate == "25006")
      return failure(std::string(kReadOnlyPrefix) + " (" + error.describe() + ")");
    return failure(error.describe());
  }

  std::string name_;
  std::string dsn_;
  Conn conn_;
};

}  // namespace

util::Result<std::unique_ptr<Target>> open_postgres(const TargetConfig& config) {
  auto target = std::make_unique<PostgresTarget>(config.name, config.dsn);
  auto connected = target->connect();
  if (!connected.ok()) return connected.error();
  return std::unique_ptr<Target>(std::move(target));
}

}  // namespace runbook::sql::detail
