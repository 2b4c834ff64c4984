// Routing: an explicit link from the alert beats a name the playbook claims, and a claim made
// on purpose (front matter) beats one found in prose (Detection section, "Alert:" lines).
#include "alert/route.h"

#include <algorithm>
#include <filesystem>
#include <optional>

#include "util/text.h"

namespace runbook::alert {

namespace {

constexpr std::size_t kNoLimit = std::string::npos;

std::string slug(std::string_view text) { return util::slugify(text, kNoLimit); }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

std::string describe(const Candidate& c) {
  return c.path + " (" + c.playbook->title + ")";
}

// The best-scoring candidates (score > 0), first one chosen, the rest tied with it in `also`.
std::optional<Route> pick(const std::vector<Candidate>& candidates, const std::vector<int>& scores,
                          const char* rule) {
  int best = 0;
  for (int s : scores) best = std::max(best, s);
  if (best == 0) return std::nullopt;
  Route r;
  r.rule = rule;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    if (scores[i] != best) continue;
    if (r.index < 0) r.index = static_cast<int>(i);
    else r.also.push_back(describe(candidates[i]));
  }
  return r;
}

const playbook::Alert* find_alert(const playbook::Playbook& pb, const std::string& name, bool front_matter,
                                  bool ignore_case) {
  auto same = [&](const std::string& a) { return ignore_case ? util::iequals(a, name) : a == name; };
  if (front_matter) {
    // pb.alerts keeps one entry a name, with the source of its first mention (often an "Alert:"
    // line of the body), so the front matter's own list is read here.
    const auto& fm = pb.front_matter;
    if (!fm.is_object() || !fm.contains("alerts")) return nullptr;
    const auto& names = fm["alerts"];  // a list, or one name
    bool listed = names.is_string() && same(names.get<std::string>());
    if (names.is_array())
      for (const auto& v : names) listed = listed || (v.is_string() && same(v.get<std::string>()));
    if (!listed) return nullptr;
    for (const auto& a : pb.alerts)
      if (same(a.name)) return &a;
    return nullptr;
  }
  for (const auto& a : pb.alerts) {
    if (a.source == "front-matter") continue;
    if (same(a.name)) return &a;
  }
  return nullptr;
}

// Rules 2 and 3: exact names across all candidates before case-insensitive ones, so an exact
// claim elsewhere is never shadowed by a loose one earlier in the list.
std::optional<Route> by_name(const Alert& alert, const std::vector<Candidate>& candidates, bool front_matter) {
  if (alert.name.empty()) return std::nullopt;
  for (bool ignore_case : {false, true}) {
    std::vector<int> scores(candidates.size(), 0);
    const playbook::Alert* first = nullptr;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      if (!candidates[i].playbook) continue;
      const playbook::Alert* a = find_alert(*candidates[i].playbook, alert.name, front_matter, ignore_case);
      if (a && !first) first = a;
      scores[i] = a ? 1 : 0;
    }
    auto r = pick(candidates, scores, front_matter ? "front-matter" : "detection");
    if (!r) continue;
    const Candidate& c = candidates[static_cast<std::size_t>(r->index)];
    std::string where = c.path + (first->line > 0 ? ":" + std::to_string(first->line) : "");
    r->why = "alert \"" + alert.name + "\" is listed " +
             (front_matter ? "in the front matter `alerts:`"
                           : first->source == "alert-line" ? "on an \"Alert:\" line" : "in the Detection section") +
             " of \"" + c.playbook->title + "\" (" + where + ")" + (ignore_case ? ", ignoring case" : "");
    return r;
  }
  return std::nullopt;
}

}  // namespace

std::string runbook_url_name(std::string_view url) {
  url = util::trim(url);
  url = url.substr(0, url.find_first_of("?#"));
  // Only the path counts: "https://wiki.example.com/" names no runbook, whatever its host is.
  if (std::size_t scheme = url.find("://"); scheme != std::string_view::npos) {
    std::size_t path = url.find('/', scheme + 3);
    url = path == std::string_view::npos ? std::string_view() : url.substr(path);
  }
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  std::size_t slash = url.rfind('/');
  if (slash != std::string_view::npos) url.remove_prefix(slash + 1);
  std::string name = percent_decode(url);
  if (name.size() > 3 && util::iequals(std::string_view(name).substr(name.size() - 3), ".md"))
    name.resize(name.size() - 3);
  return name;
}

util::Result<Route> route(const Alert& alert, const std::vector<Candidate>& candidates) {
  if (candidates.empty()) return util::Error{"no playbooks to route alerts to", {}, 0};

  // 1. runbook-url.
  std::string annotation_key, url;
  for (const char* key : {"runbook_url", "runbook"}) {
    auto it = alert.annotations.find(key);
    if (it != alert.annotations.end() && !util::trim(it->second).empty()) {
      annotation_key = key;
      url = it->second;
      break;
    }
  }
  std::string wanted = runbook_url_name(url);
  if (!wanted.empty()) {
    std::string wanted_slug = slug(wanted);
    std::vector<int> scores(candidates.size(), 0);
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      const Candidate& c = candidates[i];
      if (!c.playbook) continue;
      std::string stem = std::filesystem::path(c.path).stem().string();
      bool by_stem = util::iequals(stem, wanted) || (!wanted_slug.empty() && slug(stem) == wanted_slug);
      bool by_title = !wanted_slug.empty() && slug(c.playbook->title) == wanted_slug;
      scores[i] = (by_stem ? 2 : 0) + (by_title ? 1 : 0);
    }
    if (auto r = pick(candidates, scores, "runbook-url")) {
      const Candidate& c = candidates[static_cast<std::size_t>(r->index)];
      int score = scores[static_cast<std::size_t>(r->index)];
      r->why = "the " + annotation_key + " annotation names \"" + wanted + "\", " +
               (score == 3 ? "the file name and title of " : score == 2 ? "the file name of " : "the title of ") +
               describe(c);
      return *r;
    }
  }

  // 2. front matter, 3. detection.
  for (bool front_matter : {true, false})
    if (auto r = by_name(alert, candidates, front_matter)) return *r;

  std::string tried;
  if (!annotation_key.empty())
    tried = "the " + annotation_key + " annotation \"" + url + "\" (looked for \"" + wanted +
            "\") matches no playbook file name or title; ";
  else
    tried = "the alert has no runbook_url or runbook annotation; ";
  if (alert.name.empty())
    tried += "it has no name to look up in playbooks' `alerts:`";
  else
    tried += "no playbook lists alert \"" + alert.name +
             "\" in its front matter `alerts:`, on an \"Alert:\" line or in its Detection section";
  return util::Error{"no playbook for this alert among " + std::to_string(candidates.size()) +
                         " candidate(s): " + tried,
                     {}, 0};
}

}  // namespace runbook::alert
