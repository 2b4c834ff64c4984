#pragma once
// PromQL steps: an instant query against a Prometheus HTTP API (GET /api/v1/query).

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "util/result.h"

namespace runbook::executor {

/// What a query returned.
struct PromResult {
  nlohmann::json data;  ///< the API's "data" object: {"resultType": ..., "result": [...]}
  std::string table;    ///< the result as text: one line per series, labels and value
};

/// Runs an instant query. `base_url` is "http://host:port" with an optional path prefix;
/// only plain http is supported (put a local proxy in front of https endpoints).
util::Result<PromResult> query_prometheus(const std::string& base_url, const std::string& query,
                                          std::chrono::milliseconds timeout);

/// The text table of a Prometheus "data" object (vector, matrix, scalar or string results).
std::string format_prometheus(const nlohmann::json& data);

}  // namespace runbook::executor
