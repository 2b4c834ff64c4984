#pragma once
// Reading fixture payloads and parsing them in the alert tests.

#include <doctest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "alert/alert.h"
#include "test_support.h"

namespace runbook::testing {

/// The bytes of tests/alert/fixtures/<name>.
inline std::string alert_fixture(const std::string& name) {
  auto path = source_root() / "tests" / "alert" / "fixtures" / name;
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "missing fixture " << path.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Parses a payload and fails the test on an error.
inline std::vector<alert::Alert> alerts_of(const std::string& body, alert::Format format = alert::Format::Auto) {
  auto r = alert::parse_alerts(body, format);
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? std::string() : r.error().message));
  return std::move(r).value();
}

/// The error message of a payload that must be refused.
inline std::string refusal_of(const std::string& body, alert::Format format = alert::Format::Auto) {
  auto r = alert::parse_alerts(body, format);
  REQUIRE_FALSE(r.ok());
  return r.error().message;
}

}  // namespace runbook::testing
