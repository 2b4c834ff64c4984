#pragma once
// Parsing markdown snippets in tests.

#include <doctest.h>

#include <string>

#include "playbook/loader.h"

namespace runbook::testing {

/// Parses `text` as one playbook and fails the test on a parse error.
inline playbook::Playbook parse(const std::string& text, const std::string& path = "test.md") {
  auto r = playbook::parse_playbook(text, path);
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? std::string() : r.error().describe()));
  return std::move(r).value();
}

/// The steps of one kind.
inline std::vector<const playbook::Step*> steps_of(const playbook::Playbook& pb, playbook::StepKind kind) {
  std::vector<const playbook::Step*> out;
  for (const auto& s : pb.steps)
    if (s.kind == kind) out.push_back(&s);
  return out;
}

/// True when a finding with this code exists.
inline bool has_finding(const playbook::Playbook& pb, const std::string& code) {
  for (const auto& f : pb.findings)
    if (f.code == code) return true;
  return false;
}

}  // namespace runbook::testing
