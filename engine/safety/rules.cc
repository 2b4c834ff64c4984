#include "safety/rules.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <memory>
#include <set>
#include <sstream>

namespace runbook::safety {


namespace {

constexpr const char* kBuiltinName = "<built-in>";

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

std::string lower_copy(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

std::string upper_copy(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// "--dry-run=client|server" -> "dry-run-client-server": a readable id fragment.
std::string id_fragment(std::string_view s) {
  std::string out;
  for (char c : s) {
    bool keep = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    if (c == '*') {
      if (!out.empty() && out.back() != '.' && out.back() != '-') out += '-';
      out += "any";
      continue;
    }
    if (c == ' ') c = '.', keep = true;
    if (!keep) c = '-';
    if ((c == '-' || c == '.') && (out.empty() || out.back() == '-' || out.back() == '.')) continue;
    out += c;
  }
  while (!out.empty() && (out.back() == '-' || out.back() == '.')) out.pop_back();
  return out;
}

std::string default_reason(Level level, const std::string& what) {
  switch (level) {
    case Level::ReadOnly: return what + " only reads state";
    case Level::Mutating: return what + " changes state";
    case Level::Destructive: return what + " can destroy data or running work";
  }
  return what;
}

}  // namespace

std::optional<Level> parse_level(std::string_view name) {
  if (name == "read-only") return Level::ReadOnly;
  if (name == "mutating") return Level::Mutating;
  if (name == "destructive") return Level::Destructive;
  return std::nullopt;
}

bool glob_match(std::string_view p, std::string_view t, bool ignore_case) {
  // Iterative matcher with single-star backtracking.
  std::size_t pi = 0, ti = 0, star = std::string_view::npos, mark = 0;
  auto eq = [&](char a, char b) { return ignore_case ? lower(a) == lower(b) : a == b; };
  while (ti < t.size()) {
    if (pi < p.size() && (p[pi] == '?' || (p[pi] != '*' && eq(p[pi], t[ti])))) {
      ++pi, ++ti;
    } else if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = ti;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

/// Turns YAML nodes into rules; every error names the file and line.
class RulesLoader {
 public:
  RulesLoader(RuleSet& set, std::string file, int generation)
      : set_(set), file_(std::move(file)), generation_(generation) {}

  std::optional<util::Error> load(std::string_view text) {
    YAML::Node root;
    try {
      root = YAML::Load(std::string(text));
    } catch (const YAML::ParserException& e) {
      return util::Error{"invalid YAML: " + e.msg, file_, e.mark.line + 1};
    } catch (const YAML::Exception& e) {
      return util::Error{std::string("invalid YAML: ") + e.what(), file_, 0};
    }
    try {
      load_root(root);
    } catch (const LoadError& e) {
      return e.error;
    } catch (const YAML::Exception& e) {
      return util::Error{"invalid rules: " + e.msg, file_, e.mark.line + 1};
    }
    return std::nullopt;
  }

 private:
  struct LoadError {
    util::Error error;
  };

  [[noreturn]] void fail(const YAML::Node& at, const std::string& message) const {
    int line = at.IsDefined() ? at.Mark().line + 1 : 0;
    throw LoadError{util::Error{message, file_, line}};
  }

  void check_keys(const YAML::Node& map, std::initializer_list<const char*> allowed, const std::string& where) const {
    for (const auto& kv : map) {
      std::string key = kv.first.as<std::string>();
      bool ok = false;
      for (const char* a : allowed) ok = ok || key == a;
      if (!ok) {
        std::string list;
        for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        fail(kv.first, "unknown key '" + key + "' in " + where + " (expected one of: " + list + ")");
      }
    }
  }

  std::string scalar(const YAML::Node& n, const std::string& what) const {
    if (!n.IsScalar()) fail(n, what + " must be a string");
    return n.as<std::string>();
  }

  bool boolean(const YAML::Node& n, const std::string& what) const {
    std::string s = scalar(n, what);
    if (s == "true" || s == "yes") return true;
    if (s == "false" || s == "no") return false;
    fail(n, what + " must be true or false, not '" + s + "'");
  }

  int integer(const YAML::Node& n, const std::string& what) const {
    std::string s = scalar(n, what);
    if (s.empty() || s.size() > 6 || !std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
      fail(n, what + " must be a non-negative integer, not '" + s + "'");
    return std::stoi(s);
  }

  std::vector<std::string> strings(const YAML::Node& n, const std::string& what) const {
    std::vector<std::string> out;
    if (n.IsScalar()) {
      out.push_back(n.as<std::string>());
      return out;
    }
    if (!n.IsSequence()) fail(n, what + " must be a list of strings");
    for (const auto& item : n) out.push_back(scalar(item, what + " item"));
    return out;
  }

  Level level_of(const YAML::Node& n, const std::string& what) const {
    std::string s = scalar(n, "level of " + what);
    auto level = parse_level(s);
    if (!level) fail(n, "invalid level '" + s + "' for " + what + ": expected read-only, mutating or destructive");
    return *level;
  }

  Rule base_rule(const YAML::Node& at, std::string id, const std::string& what) const {
    Rule r;
    r.id = std::move(id);
    r.file = file_;
    r.line = at.Mark().line + 1;
    r.generation = generation_;
    (void)what;
    return r;
  }

  // LEVEL or {level, reason, id, ...extra keys checked by the caller}.
  Rule rule_of(const YAML::Node& n, const std::string& default_id, const std::string& what) {
    Rule r = base_rule(n, default_id, what);
    if (n.IsScalar()) {
      r.level = level_of(n, what);
    } else if (n.IsMap()) {
      if (!n["level"]) fail(n, what + " needs a 'level' (read-only, mutating or destructive)");
      r.level = level_of(n["level"], what);
      if (n["reason"]) r.reason = scalar(n["reason"], "reason of " + what);
      if (n["id"]) {
        r.id = scalar(n["id"], "id of " + what);
        if (r.id.empty()) fail(n["id"], "id of " + what + " must not be empty");
      }
    } else {
      fail(n, what + " must be a level or a mapping with 'level'");
    }
    if (r.reason.empty()) r.reason = default_reason(r.level, what);
    note_id(r);
    return r;
  }

  void note_id(const Rule& r) { ids_.insert(r.id); }

  FlagRule flag_of(const std::string& key, const YAML::Node& n, const std::string& scope_id, const std::string& owner) {
    FlagRule f;
    f.key = key;
    auto eq = key.find('=');
    f.name = key.substr(0, eq);
    if (f.name.empty() || f.name[0] != '-') fail(n, "flag '" + key + "' of " + owner + " must start with '-'");
    if (eq != std::string::npos) {
      std::string values = key.substr(eq + 1);
      std::size_t start = 0;
      while (true) {
        auto bar = values.find('|', start);
        f.values.push_back(values.substr(start, bar == std::string::npos ? std::string::npos : bar - start));
        if (bar == std::string::npos) break;
        start = bar + 1;
      }
    }
    std::string what = owner + " " + key;
    if (n.IsMap()) {
      check_keys(n, {"level", "reason", "id", "overrides"}, "flag '" + key + "' of " + owner);
      if (n["overrides"]) f.overrides = boolean(n["overrides"], "overrides");
    }
    f.rule = rule_of(n, scope_id + "." + id_fragment(key), "`" + what + "`");
    return f;
  }

  void merge_flags(std::vector<FlagRule>& into, const YAML::Node& n, const std::string& scope_id, const std::string& owner) {
    if (!n.IsMap()) fail(n, "flags of " + owner + " must be a mapping of option to level");
    for (const auto& kv : n) {
      std::string key = scalar(kv.first, "flag");
      FlagRule f = flag_of(key, kv.second, scope_id, owner);
      auto it = std::find_if(into.begin(), into.end(), [&](const FlagRule& x) { return x.key == key; });
      if (it != into.end()) *it = std::move(f);
      else into.push_back(std::move(f));
    }
  }

  // `arguments: {GLOB: LEVEL|{level, reason, id}}`: patterns over a program's words.
  void merge_arguments(std::vector<FlagRule>& into, const YAML::Node& n, const std::string& scope_id,
                       const std::string& owner) {
    if (!n.IsMap()) fail(n, "arguments of " + owner + " must be a mapping of pattern to level");
    for (const auto& kv : n) {
      const std::string key = scalar(kv.first, "argument pattern");
      if (key.empty()) fail(kv.first, "argument patterns of " + owner + " must not be empty");
      if (kv.second.IsMap()) check_keys(kv.second, {"level", "reason", "id"}, "argument '" + key + "' of " + owner);
      FlagRule f;
      f.key = key;
      f.name = key;
      f.rule = rule_of(kv.second, scope_id + ".arg." + id_fragment(key), "`" + owner + " " + key + "`");
      auto it = std::find_if(into.begin(), into.end(), [&](const FlagRule& x) { return x.key == key; });
      if (it != into.end()) *it = std::move(f);
      else into.push_back(std::move(f));
    }
  }

  RunsSpec runs_of(const YAML::Node& n, const std::string& owner) const {
    if (!n.IsMap()) fail(n, "runs of " + owner + " must be a mapping");
    check_keys(n, {"after", "until", "command_at", "skip_assignments", "reparse", "shell_options", "heredoc", "rest_as"},
               "runs of " + owner);
    RunsSpec r;
    if (n["after"]) r.after = strings(n["after"], "runs.after");
    if (n["until"]) r.until = strings(n["until"], "runs.until");
    if (n["command_at"]) r.command_at = integer(n["command_at"], "runs.command_at");
    if (n["skip_assignments"]) r.skip_assignments = boolean(n["skip_assignments"], "runs.skip_assignments");
    if (n["reparse"]) r.reparse = boolean(n["reparse"], "runs.reparse");
    if (n["shell_options"]) r.shell_options = strings(n["shell_options"], "runs.shell_options");
    if (n["heredoc"]) r.heredoc = boolean(n["heredoc"], "runs.heredoc");
    if (n["rest_as"]) r.rest_as = scalar(n["rest_as"], "runs.rest_as");
    return r;
  }

  SqlSpec sql_of(const YAML::Node& n, const std::string& owner) const {
    if (!n.IsMap()) fail(n, "sql of " + owner + " must be a mapping");
    check_keys(n, {"options", "positional", "heredoc"}, "sql of " + owner);
    SqlSpec s;
    if (n["options"]) s.options = strings(n["options"], "sql.options");
    if (n["positional"]) s.positional = integer(n["positional"], "sql.positional");
    if (n["heredoc"]) s.heredoc = boolean(n["heredoc"], "sql.heredoc");
    return s;
  }

  static void add_unique(std::vector<std::string>& into, const std::vector<std::string>& more) {
    for (const auto& m : more)
      if (std::find(into.begin(), into.end(), m) == into.end()) into.push_back(m);
  }

  // A subcommand entry: LEVEL or {level, reason, id, bare, options_with_value, flags, runs, sql}.
  CommandRule subcommand_of(const std::string& program, const std::string& pattern, const YAML::Node& n) {
    std::string id = program + "." + id_fragment(pattern);
    std::string owner = "`" + program + " " + pattern + "`";
    CommandRule c;
    if (n.IsMap()) {
      check_keys(n, {"level", "reason", "id", "bare", "options_with_value", "flags", "runs", "sql"},
                 "subcommand '" + pattern + "' of " + program);
    }
    c.rule = rule_of(n, id, owner);
    if (n.IsMap()) {
      if (n["bare"]) c.bare = rule_of(n["bare"], c.rule.id + ".bare", owner + " without arguments");
      if (n["options_with_value"]) c.options_with_value = strings(n["options_with_value"], "options_with_value");
      if (n["flags"]) merge_flags(c.flags, n["flags"], c.rule.id, owner);
      if (n["runs"]) c.runs = runs_of(n["runs"], owner);
      if (n["sql"]) c.sql = sql_of(n["sql"], owner);
    }
    return c;
  }

  void load_program(const std::string& name, const YAML::Node& n) {
    if (name.empty()) fail(n, "program names must not be empty");
    ProgramRules& p = set_.program_slot(name);
    std::string owner = "`" + name + "`";
    if (n.IsScalar()) {  // `name: level` replaces everything known about the program
      p = ProgramRules{};
      p.name = name;
      p.main.rule = rule_of(n, name, owner);
      return;
    }
    if (!n.IsMap()) fail(n, "program '" + name + "' must be a level or a mapping");
    check_keys(n, {"replace", "default", "aliases", "ignore_case", "combined_short_flags", "options_with_value",
                   "flags", "arguments", "subcommands", "bare", "runs", "sql"},
               "program '" + name + "'");
    bool fresh = p.main.rule.id.empty();
    if (n["replace"] && boolean(n["replace"], "replace")) fresh = true;
    if (fresh) {
      p = ProgramRules{};
      p.name = name;
      p.main.rule = base_rule(n, name, owner);
      p.main.rule.level = Level::Mutating;
      p.main.rule.reason = owner + " is known, but this use of it is not; treated as mutating";
      note_id(p.main.rule);
    }
    if (n["default"]) {
      const YAML::Node& d = n["default"];
      if (d.IsMap()) check_keys(d, {"level", "reason", "id"}, "default of " + name);
      p.main.rule = rule_of(d, name, owner);
    }
    if (n["aliases"]) add_unique(p.aliases, strings(n["aliases"], "aliases"));
    if (n["ignore_case"]) p.ignore_case = boolean(n["ignore_case"], "ignore_case");
    if (n["combined_short_flags"]) p.combined_short_flags = boolean(n["combined_short_flags"], "combined_short_flags");
    if (n["options_with_value"]) add_unique(p.options_with_value, strings(n["options_with_value"], "options_with_value"));
    if (n["flags"]) merge_flags(p.flags, n["flags"], name, owner);
    if (n["arguments"]) merge_arguments(p.arguments, n["arguments"], name, owner);
    if (n["bare"]) p.main.bare = rule_of(n["bare"], name + ".bare", owner + " without arguments");
    if (n["runs"]) p.main.runs = runs_of(n["runs"], owner);
    if (n["sql"]) p.main.sql = sql_of(n["sql"], owner);
    if (n["subcommands"]) {
      const YAML::Node& subs = n["subcommands"];
      if (!subs.IsMap()) fail(subs, "subcommands of " + name + " must be a mapping of subcommand to rule");
      for (const auto& kv : subs) {
        std::string pattern = scalar(kv.first, "subcommand");
        if (pattern.empty() || pattern.front() == ' ' || pattern.back() == ' ')
          fail(kv.first, "subcommand '" + pattern + "' of " + name + " must be words separated by single spaces");
        CommandRule c = subcommand_of(name, pattern, kv.second);
        auto it = std::find_if(p.subcommands.begin(), p.subcommands.end(),
                               [&](const auto& s) { return s.first == pattern; });
        if (it != p.subcommands.end()) it->second = std::move(c);
        else p.subcommands.emplace_back(pattern, std::move(c));
      }
    }
  }

  enum class Case { Keep, Upper, Lower };

  void merge_named(std::vector<std::pair<std::string, Rule>>& into, const YAML::Node& n, const std::string& what,
                   Case key_case, const std::string& id_prefix) {
    if (!n.IsMap()) fail(n, what + " must be a mapping");
    for (const auto& kv : n) {
      std::string key = scalar(kv.first, what);
      if (key.empty()) fail(kv.first, what + " names must not be empty");
      if (key_case == Case::Upper) key = upper_copy(key);
      if (key_case == Case::Lower) key = lower_copy(key);
      if (kv.second.IsMap()) check_keys(kv.second, {"level", "reason", "id"}, what + " '" + key + "'");
      std::string frag = id_fragment(lower_copy(key));
      std::replace(frag.begin(), frag.end(), '.', '-');
      Rule r = rule_of(kv.second, id_prefix + frag, "`" + key + "`");
      auto it = std::find_if(into.begin(), into.end(), [&](const auto& s) { return s.first == key; });
      if (it != into.end()) it->second = std::move(r);
      else into.emplace_back(key, std::move(r));
    }
  }

  void load_sql(const YAML::Node& n) {
    if (!n.IsMap()) fail(n, "sql must be a mapping");
    check_keys(n, {"unknown", "statements", "functions", "meta_commands"}, "sql");
    if (n["unknown"]) {
      if (n["unknown"].IsMap()) check_keys(n["unknown"], {"level", "reason", "id"}, "sql.unknown");
      set_.sql_.unknown = rule_of(n["unknown"], "sql.unknown", "an unrecognised SQL statement");
      if (set_.sql_.unknown.level == Level::ReadOnly)
        fail(n["unknown"], "sql.unknown must not be read-only: unrecognised statements are never safe");
    }
    if (n["statements"]) merge_named(set_.sql_.statements, n["statements"], "sql statement", Case::Upper, "sql.");
    if (n["functions"]) merge_named(set_.sql_.functions, n["functions"], "sql function", Case::Lower, "sql.");
    if (n["meta_commands"])
      merge_named(set_.sql_.meta_commands, n["meta_commands"], "meta command", Case::Keep, "sql.meta.");
  }

  void load_shell(const YAML::Node& n) {
    if (!n.IsMap()) fail(n, "shell must be a mapping");
    check_keys(n, {"redirect", "harmless_targets", "max_depth"}, "shell");
    if (n["redirect"]) {
      if (n["redirect"].IsMap()) check_keys(n["redirect"], {"level", "reason", "id"}, "shell.redirect");
      set_.shell_.redirect = rule_of(n["redirect"], "shell.redirect", "an output redirection to a file");
    }
    if (n["harmless_targets"]) add_unique(set_.shell_.harmless_targets, strings(n["harmless_targets"], "harmless_targets"));
    if (n["max_depth"]) set_.shell_.max_depth = std::max(1, std::min(32, integer(n["max_depth"], "max_depth")));
  }

  void load_root(const YAML::Node& root) {
    if (root.IsNull()) return;  // an empty override file changes nothing
    if (!root.IsMap()) fail(root, "a rules file must be a mapping with 'programs', 'sql' and/or 'shell'");
    check_keys(root, {"version", "programs", "sql", "shell"}, "the rules file");
    if (root["version"] && scalar(root["version"], "version") != "1")
      fail(root["version"], "unsupported rules version '" + root["version"].as<std::string>() + "' (expected 1)");
    if (root["shell"]) load_shell(root["shell"]);
    if (root["sql"]) load_sql(root["sql"]);
    if (root["programs"]) {
      const YAML::Node& programs = root["programs"];
      if (!programs.IsMap()) fail(programs, "programs must be a mapping of program name to rules");
      for (const auto& kv : programs) load_program(scalar(kv.first, "program name"), kv.second);
    }
    set_.drop_replaced(generation_);
  }

  RuleSet& set_;
  std::string file_;
  int generation_;
  std::set<std::string> ids_;
};

RuleSet::RuleSet(const RuleSet& other) { *this = other; }

RuleSet& RuleSet::operator=(const RuleSet& other) {
  if (this == &other) return *this;
  other.build_all();
  programs_ = other.programs_;
  lazy_.reset();
  sql_ = other.sql_;
  shell_ = other.shell_;
  generations_ = other.generations_;
  return *this;
}

const ProgramRules& RuleSet::built(std::size_t index) const {
  std::call_once(lazy_->once[index],
                 [&] { lazy_->slots[index] = std::make_unique<ProgramRules>(lazy_->table[index].build()); });
  return *lazy_->slots[index];
}

void RuleSet::build_all() const {
  if (!lazy_) return;
  std::call_once(lazy_->all, [&] {
    programs_.reserve(lazy_->count);
    for (std::size_t i = 0; i < lazy_->count; ++i) programs_.push_back(built(i));
  });
}

ProgramRules& RuleSet::program_slot(const std::string& name) {
  for (auto& p : programs_)
    if (p.name == name) return p;
  programs_.emplace_back();
  programs_.back().name = name;
  return programs_.back();
}

void RuleSet::drop_replaced(int generation) {
  // Ids defined by this generation replace rules with the same id defined earlier elsewhere.
  std::set<std::string> fresh;
  for (const Rule* r : all_rules())
    if (r->generation == generation) fresh.insert(r->id);
  auto stale = [&](const Rule& r) { return r.generation < generation && fresh.count(r.id) > 0; };
  auto prune_flags = [&](std::vector<FlagRule>& flags) {
    flags.erase(std::remove_if(flags.begin(), flags.end(), [&](const FlagRule& f) { return stale(f.rule); }), flags.end());
  };
  for (auto& p : programs_) {
    prune_flags(p.flags);
    prune_flags(p.arguments);
    prune_flags(p.main.flags);
    p.subcommands.erase(std::remove_if(p.subcommands.begin(), p.subcommands.end(),
                                       [&](const auto& s) { return stale(s.second.rule); }),
                        p.subcommands.end());
    for (auto& s : p.subcommands) prune_flags(s.second.flags);
  }
  auto prune_named = [&](std::vector<std::pair<std::string, Rule>>& v) {
    v.erase(std::remove_if(v.begin(), v.end(), [&](const auto& s) { return stale(s.second); }), v.end());
  };
  prune_named(sql_.statements);
  prune_named(sql_.functions);
  prune_named(sql_.meta_commands);
}

std::optional<util::Error> RuleSet::merge_yaml(std::string_view yaml, const std::string& file) {
  int generation = file == kBuiltinName ? 0 : ++generations_;
  RuleSet copy = *this;  // all or nothing: a bad file leaves the set unchanged
  RulesLoader loader(copy, file, generation);
  if (auto err = loader.load(yaml)) return err;
  *this = std::move(copy);
  return std::nullopt;
}

std::optional<util::Error> RuleSet::merge_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return util::Error{"cannot read safety rules file", path, 0};
  std::ostringstream ss;
  ss << in.rdbuf();
  return merge_yaml(ss.str(), path);
}

const ProgramRules* RuleSet::find_program(std::string_view name) const {
  if (lazy_) {
    // Names first, then aliases, as below; both indexes are sorted by from_lazy_parts.
    for (const auto* index : {&lazy_->names, &lazy_->aliases}) {
      auto it = std::lower_bound(index->begin(), index->end(), name,
                                 [](const auto& entry, std::string_view n) { return entry.first < n; });
      if (it != index->end() && it->first == name) return &built(it->second);
    }
    return nullptr;
  }
  for (const auto& p : programs_)
    if (p.name == name) return &p;
  for (const auto& p : programs_)
    for (const auto& a : p.aliases)
      if (a == name) return &p;
  return nullptr;
}

std::vector<const Rule*> RuleSet::all_rules() const {
  build_all();
  std::vector<const Rule*> out;
  auto add_command = [&](const CommandRule& c) {
    out.push_back(&c.rule);
    if (c.bare) out.push_back(&*c.bare);
    for (const auto& f : c.flags) out.push_back(&f.rule);
  };
  for (const auto& p : programs_) {
    add_command(p.main);
    for (const auto& f : p.flags) out.push_back(&f.rule);
    for (const auto& f : p.arguments) out.push_back(&f.rule);
    for (const auto& s : p.subcommands) add_command(s.second);
  }
  out.push_back(&sql_.unknown);
  for (const auto& s : sql_.statements) out.push_back(&s.second);
  for (const auto& s : sql_.functions) out.push_back(&s.second);
  for (const auto& s : sql_.meta_commands) out.push_back(&s.second);
  out.push_back(&shell_.redirect);
  return out;
}

const Rule* RuleSet::find_rule(std::string_view id) const {
  for (const Rule* r : all_rules())
    if (r->id == id) return r;
  return nullptr;
}

util::Result<RuleSet> RuleSet::from_builtin_yaml(std::string_view yaml) {
  RuleSet set;
  set.sql_.unknown = Rule{"sql.unknown", Level::Mutating, "an unrecognised SQL statement may change data", kBuiltinName, 0, 0};
  set.shell_.redirect = Rule{"shell.redirect", Level::Mutating, "output is redirected to a file, which writes it", kBuiltinName, 0, 0};
  if (auto err = set.merge_yaml(yaml, kBuiltinName)) return *err;
  return set;
}

RuleSet RuleSet::from_lazy_parts(const LazyProgram* programs, std::size_t count, SqlRules sql, ShellRules shell,
                                 int generations) {
  RuleSet set = from_parts({}, std::move(sql), std::move(shell), generations);
  set.lazy_ = std::make_unique<Lazy>();
  set.lazy_->table = programs;
  set.lazy_->count = count;
  set.lazy_->once = std::make_unique<std::once_flag[]>(count);
  set.lazy_->slots = std::make_unique<std::unique_ptr<ProgramRules>[]>(count);
  for (std::size_t i = 0; i < count; ++i) {
    std::string_view names = programs[i].names;
    for (bool first = true; !names.empty(); first = false) {
      const std::size_t nl = names.find('\n');
      (first ? set.lazy_->names : set.lazy_->aliases).emplace_back(names.substr(0, nl), i);
      names = nl == std::string_view::npos ? std::string_view() : names.substr(nl + 1);
    }
  }
  // Stable: when two programs claim the same alias, the first defined wins, as in the eager set.
  for (auto* index : {&set.lazy_->names, &set.lazy_->aliases})
    std::stable_sort(index->begin(), index->end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return set;
}

RuleSet RuleSet::from_parts(std::vector<ProgramRules> programs, SqlRules sql, ShellRules shell, int generations) {
  RuleSet set;
  set.programs_ = std::move(programs);
  set.sql_ = std::move(sql);
  set.shell_ = std::move(shell);
  set.generations_ = generations;
  return set;
}

}  // namespace runbook::safety
