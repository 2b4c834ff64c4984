// Build-time tool: default_rules.yaml -> C++ that constructs the same RuleSet.
// Usage: rules_codegen INPUT.yaml OUTPUT.cc
#include <fstream>
#include <iostream>
#include <sstream>

#include "safety/rules.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: rules_codegen INPUT.yaml OUTPUT.cc\n";
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  auto rules = runbook::safety::RuleSet::from_builtin_yaml(text.str());
  if (!rules) {
    std::cerr << argv[1] << ": " << rules.error().describe() << "\n";
    return 1;
  }
  std::ofstream out(argv[2], std::ios::binary);
  out << runbook::safety::emit_cpp(*rules, "make_builtin_rules");
  return out ? 0 : 1;
}
