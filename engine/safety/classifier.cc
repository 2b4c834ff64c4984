#include "safety/classifier.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "safety/redirects.h"
#include "safety/rules.h"
#include "safety/sql.h"
#include "shell/words.h"
#include "util/text.h"

namespace runbook::safety {

const char* level_name(Level level) {
  switch (level) {
    case Level::ReadOnly: return "read-only";
    case Level::Mutating: return "mutating";
    case Level::Destructive: return "destructive";
  }
  return "mutating";
}

const Verdict& worse(const Verdict& a, const Verdict& b) { return b.level > a.level ? b : a; }

namespace {

constexpr const char* kUnknownId = "default.unknown";
constexpr std::size_t kNone = static_cast<std::size_t>(-1);

struct Arg {
  std::string text;  // quotes removed
  std::string raw;   // as written
};
using Args = std::vector<Arg>;

struct Opt {
  std::size_t index = 0;             // word index of the option
  std::string name;                  // "-X", "--request", "--dry-run"
  std::optional<std::string> value;  // "POST", "client"
};

struct Scan {
  std::vector<Opt> options;
  std::vector<std::size_t> positionals;  // word indexes, including those after `--`
  std::size_t dashdash = kNone;          // index of the first `--`
};

using OptionLists = std::vector<const std::vector<std::string>*>;

bool in_list(const std::vector<std::string>& list, std::string_view s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

bool in_lists(const OptionLists& lists, std::string_view s) {
  for (const auto* l : lists)
    if (in_list(*l, s)) return true;
  return false;
}

// Splits arguments into options (with their values) and positionals, the way getopt would.
Scan scan_args(const Args& a, const OptionLists& value_opts, bool combined) {
  Scan s;
  for (std::size_t i = 1; i < a.size(); ++i) {
    const std::string& w = a[i].text;
    if (s.dashdash != kNone || w.size() < 2 || w[0] != '-') {
      s.positionals.push_back(i);
      continue;
    }
    if (w == "--") {
      s.dashdash = i;
      continue;
    }
    auto take_next = [&](Opt& o) {
      if (i + 1 < a.size()) o.value = a[++i].text;
    };
    if (w[1] == '-') {
      Opt o{i, w, std::nullopt};
      auto eq = w.find('=');
      if (eq != std::string::npos) {
        o.name = w.substr(0, eq);
        o.value = w.substr(eq + 1);
      } else if (in_lists(value_opts, w)) {
        take_next(o);
      }
      s.options.push_back(std::move(o));
      continue;
    }
    if (in_lists(value_opts, w)) {
      Opt o{i, w, std::nullopt};
      take_next(o);
      s.options.push_back(std::move(o));
      continue;
    }
    if (!combined || w.size() == 2) {
      s.options.push_back(Opt{i, w, std::nullopt});
      continue;
    }
    // -rf is -r -f; -XPOST is -X POST when -X takes a value.
    std::size_t here = i;
    for (std::size_t j = 1; j < w.size(); ++j) {
      std::string name = std::string("-") + w[j];
      if (in_lists(value_opts, name)) {
        Opt o{here, name, std::nullopt};
        if (j + 1 < w.size()) o.value = w.substr(j + 1);
        else take_next(o);
        s.options.push_back(std::move(o));
        break;
      }
      s.options.push_back(Opt{here, name, std::nullopt});
    }
  }
  return s;
}

bool has_wildcard(std::string_view s) { return s.find_first_of("*?") != std::string_view::npos; }

bool is_assignment(std::string_view w) {
  auto eq = w.find('=');
  if (eq == 0 || eq == std::string_view::npos) return false;
  for (std::size_t i = 0; i < eq; ++i) {
    char c = w[i];
    bool ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

class Engine {
 public:
  explicit Engine(const RuleSet& rules) : rules_(rules) {}

  Verdict text(std::string_view text, int depth) const {
    if (depth > rules_.shell().max_depth) return too_deep(std::string(util::trim(text)));
    std::optional<Verdict> result;
    auto add = [&](Verdict v) { result = result ? worse(*result, v) : v; };
    for (const auto& sc : shell::simple_commands(text)) {
      Args args;
      for (const auto& w : sc.words) args.push_back(Arg{w.text, w.raw});
      if (args.empty()) continue;  // a bare assignment runs nothing (its $( ) are listed separately)
      add(command(args, sc.heredoc, depth));
    }
    const Rule& redirect = rules_.shell().redirect;
    for (const auto& r : find_output_redirects(text)) {
      bool harmless = false;
      for (const auto& h : rules_.shell().harmless_targets) harmless = harmless || glob_match(h, r.target);
      if (!harmless) add(Verdict{redirect.level, redirect.id, redirect.reason, r.op + " " + r.target});
    }
    if (!result) return Verdict{Level::ReadOnly, "default.empty", "there is no command to run", std::string(util::trim(text))};
    return *result;
  }

  Verdict command(const Args& args, const std::string& heredoc, int depth) const {
    std::string subject = join_raw(args, 0, args.size());
    if (depth > rules_.shell().max_depth) return too_deep(subject);
    std::string name = args[0].text;
    auto slash = name.rfind('/');
    if (slash != std::string::npos && slash + 1 < name.size()) name = name.substr(slash + 1);
    const ProgramRules* p = name.empty() ? nullptr : rules_.find_program(name);
    if (!p) {
      return Verdict{Level::Mutating, kUnknownId,
                     "`" + args[0].text + "` is not a known program, so it counts as mutating", subject};
    }
    return program(*p, args, heredoc, depth, subject);
  }

 private:
  static std::string join_raw(const Args& args, std::size_t b, std::size_t e) {
    std::string out;
    for (std::size_t i = b; i < e && i < args.size(); ++i) {
      if (!out.empty()) out += ' ';
      out += args[i].raw.empty() ? args[i].text : args[i].raw;
    }
    return out;
  }

  static Verdict too_deep(std::string subject) {
    return Verdict{Level::Mutating, "default.too-deep",
                   "wrappers are nested too deeply to follow, so the command counts as mutating", std::move(subject)};
  }

  static Verdict of(const Rule& r, const std::string& subject) { return Verdict{r.level, r.id, r.reason, subject}; }

  const FlagRule* best_flag(const Opt& o, const std::vector<const std::vector<FlagRule>*>& lists) const {
    const FlagRule* best = nullptr;
    int best_score = -1;
    for (const auto* list : lists) {
      for (const auto& f : *list) {
        if (!glob_match(f.name, o.name)) continue;
        bool value_ok = f.values.empty();
        bool value_wild = false;
        for (const auto& v : f.values) {
          value_wild = value_wild || has_wildcard(v);
          if (v.empty() ? !o.value.has_value() : (o.value && glob_match(v, *o.value, true))) value_ok = true;
        }
        if (!value_ok) continue;
        int score = (has_wildcard(f.name) ? 0 : 4) + (f.values.empty() ? 0 : 2) + (!f.values.empty() && !value_wild ? 1 : 0);
        if (score >= best_score) {
          best = &f;
          best_score = score;
        }
      }
    }
    return best;
  }

  Verdict program(const ProgramRules& p, const Args& args, const std::string& heredoc, int depth,
                  const std::string& subject) const {
    // Phase 1: find the subcommand among the leading positionals.
    OptionLists opts1{&p.options_with_value, &p.main.options_with_value};
    if (p.main.runs) opts1.push_back(&p.main.runs->shell_options);
    if (p.main.sql) opts1.push_back(&p.main.sql->options);
    Scan s = scan_args(args, opts1, p.combined_short_flags);
    std::vector<std::size_t> leading;
    for (std::size_t idx : s.positionals)
      if (s.dashdash == kNone || idx < s.dashdash) leading.push_back(idx);

    const CommandRule* cr = &p.main;
    std::size_t k = 0;
    std::size_t best_wild = 0;
    const std::string_view first_word = leading.empty() ? std::string_view() : std::string_view(args[leading[0]].text);
    auto fold = [&](char c) {
      return p.ignore_case && c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    };
    for (const auto& [pattern, rule] : p.subcommands) {
      // Word by word, stopping at the first mismatch: this runs for every subcommand rule of
      // the program on every command, so the pattern is neither split nor copied, and most
      // patterns are ruled out by their first character.
      if (leading.empty()) break;  // every pattern has at least one word
      if (pattern.empty()) continue;
      const char c0 = pattern[0];
      if (c0 != '*' && c0 != '?' && (first_word.empty() || fold(c0) != fold(first_word[0]))) continue;
      bool match = true;
      std::size_t words = 0, wild = 0, start = 0;
      while (match && start < pattern.size()) {
        std::size_t sp = pattern.find(' ', start);
        if (sp == std::string::npos) sp = pattern.size();
        const std::string_view word = std::string_view(pattern).substr(start, sp - start);
        start = sp + 1;
        if (word.empty()) continue;
        match = words < leading.size() && glob_match(word, args[leading[words]].text, p.ignore_case);
        wild += has_wildcard(word) ? 1 : 0;
        ++words;
      }
      if (!match || words == 0 || words < k) continue;
      if (words > k || wild < best_wild) {
        cr = &rule;
        k = words;
        best_wild = wild;
      }
    }

    // Phase 2: the subcommand may add options that take values.
    if (cr != &p.main) {
      OptionLists opts2{&p.options_with_value, &cr->options_with_value};
      if (cr->runs) opts2.push_back(&cr->runs->shell_options);
      if (cr->sql) opts2.push_back(&cr->sql->options);
      s = scan_args(args, opts2, p.combined_short_flags);
    }
    std::size_t last_sub = k > 0 ? s.positionals[k - 1] : 0;
    bool bare = s.positionals.size() <= k;
    const Rule& base = bare && cr->bare ? *cr->bare : cr->rule;

    std::vector<Verdict> inner;
    std::size_t option_limit = args.size();
    bool heredoc_used = false;

    if (cr->runs) {
      const RunsSpec& r = *cr->runs;
      std::size_t begin = kNone, end = args.size();
      if (!r.rest_as.empty()) {
        Args sub{Arg{r.rest_as, r.rest_as}};
        for (std::size_t i = last_sub + 1; i < args.size(); ++i) sub.push_back(args[i]);
        option_limit = last_sub + 1;
        inner.push_back(command(sub, heredoc, depth + 1));
        heredoc_used = true;
      } else if (!r.after.empty()) {
        for (std::size_t i = last_sub + 1; i < args.size(); ++i) {
          if (in_list(r.after, args[i].text)) {
            begin = i + 1;
            option_limit = i;
            break;
          }
        }
        if (begin != kNone)
          for (std::size_t j = begin; j < args.size(); ++j)
            if (in_list(r.until, args[j].text)) {
              end = j;
              break;
            }
      } else if (r.command_at >= 0) {
        int count = 0;
        for (std::size_t n = k; n < s.positionals.size(); ++n) {
          std::size_t idx = s.positionals[n];
          if (r.skip_assignments && is_assignment(args[idx].text)) continue;
          if (count++ == r.command_at) {
            begin = idx;
            option_limit = idx;
            break;
          }
        }
      }
      if (begin != kNone && begin < end) {
        if (r.reparse) {
          std::string joined;
          for (std::size_t i = begin; i < end; ++i) joined += (joined.empty() ? "" : " ") + args[i].text;
          inner.push_back(text(joined, depth + 1));
          if (r.heredoc && !heredoc.empty()) inner.push_back(text(heredoc, depth + 1));
        } else {
          inner.push_back(command(Args(args.begin() + static_cast<std::ptrdiff_t>(begin),
                                       args.begin() + static_cast<std::ptrdiff_t>(end)),
                                  heredoc, depth + 1));
        }
        heredoc_used = true;
      }
      for (const auto& o : s.options)
        if (o.index < option_limit && o.value && in_list(r.shell_options, o.name)) inner.push_back(text(*o.value, depth + 1));
      if (!heredoc_used && r.heredoc && !heredoc.empty()) {
        inner.push_back(text(heredoc, depth + 1));
        heredoc_used = true;
      }
    }

    if (cr->sql) {
      const SqlSpec& q = *cr->sql;
      for (const auto& o : s.options)
        if (o.index < option_limit && o.value && in_list(q.options, o.name))
          inner.push_back(classify_sql_text(rules_.sql(), *o.value));
      if (q.positional >= 0) {
        std::size_t n = k + static_cast<std::size_t>(q.positional);
        if (n < s.positionals.size() && s.positionals[n] < option_limit)
          inner.push_back(classify_sql_text(rules_.sql(), args[s.positionals[n]].text));
      }
      if (q.heredoc && !heredoc_used && !heredoc.empty()) inner.push_back(classify_sql_text(rules_.sql(), heredoc));
    }

    // Flags raise the level of the program itself; overriding flags (dry runs) set it.
    Verdict carrier = of(base, subject);
    if (!inner.empty()) carrier.level = Level::ReadOnly;
    std::vector<const std::vector<FlagRule>*> flag_lists{&p.flags};
    if (cr != &p.main) flag_lists.push_back(&cr->flags);
    std::optional<Verdict> forced;
    for (const auto& o : s.options) {
      if (o.index >= option_limit) continue;
      const FlagRule* f = best_flag(o, flag_lists);
      if (!f) continue;
      Verdict fv = of(f->rule, subject);
      if (f->overrides) forced = forced ? worse(*forced, fv) : fv;
      else if (fv.level > carrier.level) carrier = fv;
    }
    if (forced) carrier = *forced;
    // Patterns over the program's own words (an awk program calling system()).
    for (std::size_t n = k; n < s.positionals.size() && !p.arguments.empty(); ++n) {
      const std::size_t idx = s.positionals[n];
      if (idx >= option_limit) break;
      for (const auto& a : p.arguments)
        if (glob_match(a.name, args[idx].text)) {
          Verdict av = of(a.rule, subject);
          if (av.level > carrier.level) carrier = av;
        }
    }
    if (inner.empty()) return carrier;

    Verdict in = inner.front();
    for (std::size_t i = 1; i < inner.size(); ++i) in = worse(in, inner[i]);
    // A wrapper running something nobody recognises keeps its own verdict when that is at
    // least mutating (kubectl exec, sudo); otherwise the unknown command decides.
    if (in.rule == kUnknownId && base.level >= Level::Mutating) in = Verdict{base.level, base.id, base.reason, subject};
    return worse(in, carrier);
  }

  const RuleSet& rules_;
};

}  // namespace

Classifier::Classifier() : rules_(RuleSet::builtin()) {}

Classifier::Classifier(std::shared_ptr<const RuleSet> rules) : rules_(rules ? std::move(rules) : RuleSet::builtin()) {}

util::Result<Classifier> Classifier::with_overrides(const std::vector<std::string>& rule_files) {
  if (rule_files.empty()) return Classifier();  // shares the built-in set, no copy
  auto set = std::make_shared<RuleSet>(*RuleSet::builtin());
  for (const auto& file : rule_files)
    if (auto err = set->merge_file(file)) return *err;
  return Classifier(std::shared_ptr<const RuleSet>(std::move(set)));
}

Verdict Classifier::classify_shell(std::string_view command) const { return Engine(*rules_).text(command, 0); }

Verdict Classifier::classify_sql(std::string_view sql) const { return classify_sql_text(rules_->sql(), sql); }

Verdict Classifier::classify_promql(std::string_view query) const {
  return Verdict{Level::ReadOnly, "promql.query", "PromQL queries only read metrics", util::collapse_space(query)};
}

}  // namespace runbook::safety
