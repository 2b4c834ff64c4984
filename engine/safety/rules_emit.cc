// Writes a RuleSet as C++ source, so the built-in rules are compiled, not parsed at start-up.
#include <cstdio>
#include <string>

#include "safety/rules.h"

namespace runbook::safety {

namespace {

class Emitter {
 public:
  std::string out;

  static std::string str(std::string_view s) {
    std::string o = "\"";
    for (unsigned char c : s) {
      if (c == '"' || c == '\\') {
        o += '\\';
        o += static_cast<char>(c);
      } else if (c >= 0x20 && c < 0x7f) {
        o += static_cast<char>(c);
      } else {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\%03o", c);  // octal: never swallows following digits
        o += buf;
      }
    }
    return o + "\"";
  }

  static std::string strings(const std::vector<std::string>& v) {
    std::string o = "{";
    for (std::size_t i = 0; i < v.size(); ++i) o += (i ? ", " : "") + str(v[i]);
    return o + "}";
  }

  static std::string level(Level l) {
    switch (l) {
      case Level::ReadOnly: return "Level::ReadOnly";
      case Level::Mutating: return "Level::Mutating";
      case Level::Destructive: return "Level::Destructive";
    }
    return "Level::Mutating";
  }

  static std::string rule(const Rule& r) {
    return "Rule{" + str(r.id) + ", " + level(r.level) + ", " + str(r.reason) + ", " + str(r.file) + ", " +
           std::to_string(r.line) + ", " + std::to_string(r.generation) + "}";
  }

  void line(const std::string& s) { out += "  " + s + "\n"; }

  void flags(const std::string& target, const std::vector<FlagRule>& fs) {
    for (const auto& f : fs)
      line(target + ".push_back(FlagRule{" + str(f.key) + ", " + str(f.name) + ", " + strings(f.values) + ", " +
           (f.overrides ? "true" : "false") + ", " + rule(f.rule) + "});");
  }

  void command(const std::string& t, const CommandRule& c) {
    line(t + ".rule = " + rule(c.rule) + ";");
    if (c.bare) line(t + ".bare = " + rule(*c.bare) + ";");
    line(t + ".options_with_value = " + strings(c.options_with_value) + ";");
    flags(t + ".flags", c.flags);
    if (c.runs) {
      const RunsSpec& r = *c.runs;
      line("{ RunsSpec r; r.after = " + strings(r.after) + "; r.until = " + strings(r.until) +
           "; r.command_at = " + std::to_string(r.command_at) + "; r.skip_assignments = " +
           (r.skip_assignments ? "true" : "false") + "; r.reparse = " + (r.reparse ? "true" : "false") +
           "; r.shell_options = " + strings(r.shell_options) + "; r.heredoc = " + (r.heredoc ? "true" : "false") +
           "; r.rest_as = " + str(r.rest_as) + "; " + t + ".runs = std::move(r); }");
    }
    if (c.sql)
      line("{ SqlSpec q; q.options = " + strings(c.sql->options) + "; q.positional = " +
           std::to_string(c.sql->positional) + "; q.heredoc = " + (c.sql->heredoc ? "true" : "false") + "; " + t +
           ".sql = std::move(q); }");
  }

  void pairs(const std::string& target, const std::vector<std::pair<std::string, Rule>>& v) {
    for (const auto& [k, r] : v) line(target + ".emplace_back(" + str(k) + ", " + rule(r) + ");");
  }
};

}  // namespace

std::string emit_cpp(const RuleSet& rules, std::string_view function) {
  Emitter e;
  e.out += "// Generated from default_rules.yaml at build time. Do not edit.\n";
  e.out += "#include \"safety/rules.h\"\n\nnamespace runbook::safety {\n\nnamespace {\n\n";
  rules.build_all();
  const auto& programs = rules.programs_;
  // One small function per program keeps the compiler fast on a large rule set, and lets the
  // rule set build only the programs a playbook uses (RuleSet::from_lazy_parts).
  for (std::size_t i = 0; i < programs.size(); ++i) {
    const ProgramRules& p = programs[i];
    e.out += "ProgramRules program_" + std::to_string(i) + "() {\n";
    e.line("ProgramRules p;");
    e.line("p.name = " + Emitter::str(p.name) + ";");
    e.line("p.aliases = " + Emitter::strings(p.aliases) + ";");
    e.line(std::string("p.ignore_case = ") + (p.ignore_case ? "true" : "false") + ";");
    e.line(std::string("p.combined_short_flags = ") + (p.combined_short_flags ? "true" : "false") + ";");
    e.line("p.options_with_value = " + Emitter::strings(p.options_with_value) + ";");
    e.flags("p.flags", p.flags);
    e.flags("p.arguments", p.arguments);
    e.command("p.main", p.main);
    if (!p.subcommands.empty()) e.line("p.subcommands.reserve(" + std::to_string(p.subcommands.size()) + ");");
    for (const auto& [name, sub] : p.subcommands) {
      e.line("{ CommandRule c;");
      e.command("c", sub);
      e.line("p.subcommands.emplace_back(" + Emitter::str(name) + ", std::move(c)); }");
    }
    e.line("return p;");
    e.out += "}\n\n";
  }
  e.out += "const LazyProgram kPrograms[] = {\n";
  for (std::size_t i = 0; i < programs.size(); ++i) {
    std::string names = programs[i].name;
    for (const auto& a : programs[i].aliases) names += "\n" + a;
    e.line("{" + Emitter::str(names) + ", program_" + std::to_string(i) + "},");
  }
  e.out += "};\n\n}  // namespace\n\nRuleSet " + std::string(function) + "() {\n";
  e.line("SqlRules sql;");
  e.line("sql.unknown = " + Emitter::rule(rules.sql_.unknown) + ";");
  e.pairs("sql.statements", rules.sql_.statements);
  e.pairs("sql.functions", rules.sql_.functions);
  e.pairs("sql.meta_commands", rules.sql_.meta_commands);
  e.line("ShellRules shell;");
  e.line("shell.redirect = " + Emitter::rule(rules.shell_.redirect) + ";");
  e.line("shell.harmless_targets = " + Emitter::strings(rules.shell_.harmless_targets) + ";");
  e.line("shell.max_depth = " + std::to_string(rules.shell_.max_depth) + ";");
  e.line("return RuleSet::from_lazy_parts(kPrograms, " + std::to_string(programs.size()) +
         ", std::move(sql), std::move(shell), " + std::to_string(rules.generations_) + ");");
  e.out += "}\n\n}  // namespace runbook::safety\n";
  return e.out;
}

}  // namespace runbook::safety
