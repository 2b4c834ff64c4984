#pragma once
// SQL targets: named databases that sql steps run against (SQLite and PostgreSQL).

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "exec/runner.h"
#include "util/result.h"

namespace runbook::sql {

/// How to reach one database, from the config's `targets:` map.
struct TargetConfig {
  std::string name;    ///< the key in the config, named by ```sql {target=NAME}
  std::string driver;  ///< "sqlite" or "postgres"
  std::string path;    ///< sqlite: the database file
  std::string dsn;     ///< postgres: a libpq connection string ("host=... dbname=..." or a URI)
};

/// What one SQL text produced.
struct QueryResult {
  std::vector<std::string> columns;         ///< of the last statement that returned rows
  std::vector<std::vector<nlohmann::json>> rows;  ///< values: string, number or null
  long long affected = -1;                  ///< rows changed by the last data-changing statement, -1 if none
  std::string table;                        ///< the rows as an aligned text table (psql-like), with a row count line
  bool truncated = false;                   ///< more than `max_rows` rows: the rest were not kept
  std::size_t row_count = 0;                ///< rows the last row-returning statement produced (>= rows.size())
};

/// Options of one execution.
struct QueryOptions {
  bool read_only = true;                    ///< run inside a read-only transaction (postgres) / query_only (sqlite)
  std::chrono::milliseconds timeout{30000}; ///< statement timeout; 0 = none
  std::size_t max_rows = 10000;
  const exec::Interrupt* interrupt = nullptr;  ///< Ctrl-C cancels the query
};

/// A connection to one database.
class Target {
 public:
  virtual ~Target() = default;
  /// Runs one or more statements. Errors carry the database's message.
  virtual util::Result<QueryResult> execute(const std::string& sql, const QueryOptions& options) = 0;
  /// "sqlite" or "postgres".
  virtual const char* driver() const = 0;
};

/// Opens a target (connects for postgres; opens, never creates, the file for sqlite).
util::Result<std::unique_ptr<Target>> open_target(const TargetConfig& config);

/// An aligned text table with a header rule and "(N rows)" line. NULL shows as an empty cell,
/// numbers are right-aligned, cells longer than 80 code points end in "…", control characters
/// are escaped (\n, \t, ...) so that each row stays on one line. Lines have no trailing blanks.
std::string format_table(const std::vector<std::string>& columns,
                         const std::vector<std::vector<nlohmann::json>>& rows);
/// The same, for the first rows of `total_rows`: the last line reads "(N rows, first M shown)".
std::string format_table(const std::vector<std::string>& columns,
                         const std::vector<std::vector<nlohmann::json>>& rows, std::size_t total_rows);

}  // namespace runbook::sql
