// What the operator sees of a step: where we are, the clock, the prose around it, the filled
// command and its safety class.
#include <ostream>

#include "executor/session_impl.h"
#include "render/dry_run.h"
#include "render/terminal.h"
#include "util/text.h"

namespace runbook::executor {

using playbook::StepKind;
using render::Style;

std::string Session::Impl::style(std::string_view text, Style s) const {
  return render::styled(text, s, settings.color);
}

std::string Session::Impl::section_path(const playbook::Step& step) const {
  std::vector<std::string> parts;
  for (int s = step.section; s >= 0; s = pb.sections[static_cast<std::size_t>(s)].parent) {
    const auto& sec = pb.sections[static_cast<std::size_t>(s)];
    if (sec.level == 1 && sec.parent < 0 && sec.title == pb.title) break;  // the title itself
    parts.insert(parts.begin(), render::sanitize(sec.title));
  }
  return parts.empty() ? pb.title : util::join(parts, " › ");
}

namespace {

/// The last paragraph of prose before a step, at most a few lines.
std::string context_excerpt(const std::string& context) {
  auto lines = util::split_lines(context);
  while (!lines.empty() && util::trim(lines.back()).empty()) lines.pop_back();
  std::size_t from = lines.size();
  while (from > 0 && !util::trim(lines[from - 1]).empty()) --from;
  std::string out;
  const std::size_t limit = std::min<std::size_t>(lines.size(), from + 6);
  for (std::size_t i = from; i < limit; ++i) out += "   " + std::string(util::trim(lines[i])) + "\n";
  if (limit < lines.size()) out += "   …\n";
  return out;
}

}  // namespace

void Session::Impl::show_step(int pos, const playbook::Step& step) {
  out << "\n" << style("━━ " + section_path(step), Style::Bold) << "   "
      << style("step " + std::to_string(walker.ordinal(pos)) + " of " + std::to_string(walker.total()) + " · " +
                   step.id + " · line " + std::to_string(step.lines.first), Style::Dim)
      << "\n";
  out << "   " << style(clock.header(elapsed()), Style::Dim) << "\n";
  const std::string context = context_excerpt(render::sanitize(step.context));
  if (!context.empty()) out << style(context, Style::Dim);
}

}  // namespace runbook::executor
