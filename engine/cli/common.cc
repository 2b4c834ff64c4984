#include "cli/common.h"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>

#include "util/text.h"

namespace runbook::cli {

const safety::Classifier* make_classifier(const InputOptions& options) {
  static std::unique_ptr<safety::Classifier> keep;
  auto c = safety::Classifier::with_overrides(options.rule_files);
  if (!c) {
    std::cerr << "runbook: " << c.error().describe() << "\n";
    return nullptr;
  }
  keep = std::make_unique<safety::Classifier>(std::move(c).value());
  return keep.get();
}

bool load(const std::string& path, const InputOptions& options, const safety::Classifier* classifier,
          std::vector<playbook::Playbook>& out) {
  playbook::ParseOptions po;
  po.classifier = classifier;
  util::ReadLimits limits;
  limits.max_bytes = options.max_bytes;
  auto loaded = playbook::load_file(path, po, limits);
  if (!loaded) {
    std::cerr << loaded.error().describe() << "\n";
    return false;
  }
  for (auto& pb : *loaded) out.push_back(std::move(pb));
  return true;
}

const playbook::Playbook* select(const std::vector<playbook::Playbook>& playbooks, const std::string& title) {
  if (playbooks.empty()) return nullptr;
  if (title.empty()) return &playbooks.front();
  for (const auto& pb : playbooks)
    if (pb.title == title) return &pb;
  for (const auto& pb : playbooks)
    if (util::iequals(pb.title, title)) return &pb;
  const playbook::Playbook* found = nullptr;
  int matches = 0;
  std::string want = util::to_lower(title);
  for (const auto& pb : playbooks)
    if (util::to_lower(pb.title).find(want) != std::string::npos) found = &pb, ++matches;
  if (matches == 1) return found;
  std::cerr << "runbook: " << (matches ? "more than one playbook matches" : "no playbook matches") << " \"" << title
            << "\" in " << playbooks.front().path << "; the playbooks there are:\n";
  for (const auto& pb : playbooks)
    std::cerr << "  " << pb.title << (pb.embedded ? "  (embedded, line " + std::to_string(pb.range.first) + ")" : "")
              << "\n";
  return nullptr;
}

bool parse_vars(const std::vector<std::string>& pairs, playbook::Bindings& out) {
  for (const auto& p : pairs) {
    std::size_t eq = p.find('=');
    if (eq == std::string::npos || eq == 0) {
      std::cerr << "runbook: --var expects NAME=VALUE, got \"" << p << "\"\n";
      return false;
    }
    std::string name = p.substr(0, eq);
    // Accept the placeholder as written too: --var '<pod-name>=x', --var '${NS}=y'.
    std::string_view n = name;
    auto strip = [&](std::string_view open, std::string_view close) {
      if (n.size() > open.size() + close.size() && n.substr(0, open.size()) == open &&
          n.substr(n.size() - close.size()) == close)
        n = n.substr(open.size(), n.size() - open.size() - close.size());
    };
    strip("${", "}");
    strip("$", "");
    strip("<", ">");
    strip("{{", "}}");
    strip("[", "]");
    out[playbook::binding_key(util::trim(n))] = p.substr(eq + 1);
  }
  return true;
}

std::vector<std::string> expand_paths(const std::vector<std::string>& paths) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  for (const auto& p : paths) {
    std::error_code ec;
    if (!fs::is_directory(p, ec)) {
      out.push_back(p);
      continue;
    }
    std::vector<std::string> found;
    for (auto it = fs::recursive_directory_iterator(p, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      // Hidden entries are not playbooks: .git, editors' files, and the `..2026_...` copies a
      // Kubernetes ConfigMap mount keeps next to the real files.
      if (it->path().filename().string().rfind('.', 0) == 0) {
        if (it->is_directory(ec)) it.disable_recursion_pending();
        continue;
      }
      if (!it->is_regular_file(ec)) continue;
      std::string ext = util::to_lower(it->path().extension().string());
      if (ext == ".md" || ext == ".markdown") found.push_back(it->path().string());
    }
    std::sort(found.begin(), found.end());
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

}  // namespace runbook::cli
