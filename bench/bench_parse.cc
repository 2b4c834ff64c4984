// bench_parse: how much our parse + graph costs next to a bare cmark-gfm parse of the same bytes.
//
// Usage: bench_parse DIR [--rounds N] [--only cmark|runbook]
//
// Every *.md below DIR is read into memory once. Each round then times, over all files and
// interleaved (the order alternates between rounds):
//   cmark   cmark_parser_new + the table/tasklist/strikethrough/autolink extensions + feed +
//           finish + free: the floor any GFM-based parser pays;
//   runbook playbook::load_source (document + embedded playbooks) + graph::StepGraph::build
//           for each playbook, then destruction;
//   top     playbook::parse_playbook of the document alone, no embedded playbooks, no graph
//           (a breakdown, to see where the extra time goes);
//   arena   markdown::Document::parse and destruction: the same cmark-gfm parse, on the node
//           arena our parser hands cmark-gfm (its own floor; the ratio stays against cmark).
// No file IO is timed: the util::SourceFile of each file is built before the first round.
// Output: a human-readable table, then `key=value` lines for scripts.

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>
#include <cmark-gfm.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "markdown/document.h"
#include "playbook/loader.h"
#include "util/source_file.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Input {
  std::string path;
  std::string bytes;
  runbook::util::SourceFile source;
};

/// Per-file minimum times over the rounds, in nanoseconds.
struct FileTimes {
  double cmark = 1e300;
  double ours = 1e300;
};

double now_ns() {
  return static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count());
}

std::vector<Input> load_inputs(const fs::path& dir, int& skipped) {
  std::vector<std::string> paths;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec) && it->path().extension() == ".md") paths.push_back(it->path().string());
  }
  std::sort(paths.begin(), paths.end());
  std::vector<Input> inputs;
  for (const auto& p : paths) {
    std::ifstream in(p, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) {
      std::cerr << "bench_parse: cannot read " << p << "\n";
      ++skipped;
      continue;
    }
    auto src = runbook::util::check_source_text(p, bytes);
    if (!src) {
      std::cerr << "bench_parse: skipping " << src.error().describe() << "\n";
      ++skipped;
      continue;
    }
    inputs.push_back({p, std::move(bytes), std::move(src).value()});
  }
  return inputs;
}

void attach(cmark_parser* parser, const char* name) {
  if (cmark_syntax_extension* ext = cmark_find_syntax_extension(name)) cmark_parser_attach_syntax_extension(parser, ext);
}

/// The baseline: parse with the same extensions our markdown::Document attaches, then free.
std::size_t cmark_only(const std::string& bytes) {
  cmark_parser* parser = cmark_parser_new(CMARK_OPT_DEFAULT);
  for (const char* name : {"table", "tasklist", "strikethrough", "autolink"}) attach(parser, name);
  cmark_parser_feed(parser, bytes.data(), bytes.size());
  cmark_node* root = cmark_parser_finish(parser);
  std::size_t sink = cmark_node_first_child(root) != nullptr;
  cmark_node_free(root);
  cmark_parser_free(parser);
  return sink;
}

/// The same parse as our markdown::Document does it: cmark-gfm on runbook's node arena.
std::size_t cmark_on_arena(const std::string& bytes) {
  auto doc = runbook::markdown::Document::parse(bytes);
  return cmark_node_first_child(doc.root()) != nullptr;
}

/// The full pipeline: every playbook of the file, each with its graph.
std::size_t runbook_full(const runbook::util::SourceFile& source) {
  auto loaded = runbook::playbook::load_source(source);
  if (!loaded) return 1;
  std::size_t sink = 0;
  for (const auto& pb : *loaded) {
    auto graph = runbook::graph::StepGraph::build(pb);
    sink += pb.steps.size() + graph.nodes().size();
  }
  return sink;
}

/// The document alone: no embedded playbooks, no graph.
std::size_t runbook_top(const runbook::util::SourceFile& source) {
  auto pb = runbook::playbook::parse_playbook(source.text, source.path);
  return pb ? pb->steps.size() : 1;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double min_of(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }

int usage() {
  std::cerr << "usage: bench_parse DIR [--rounds N] [--only cmark|runbook]\n"
               "  times a bare cmark-gfm parse against runbook's load_source + StepGraph::build\n"
               "  over every *.md file below DIR (read into memory first)\n"
               "  --only SIDE runs one side alone, untimed, for a profiler (perf record, callgrind)\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir;
  int rounds = 30;
  std::string only;  // for profilers: time one side alone and print no ratio
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--rounds" && i + 1 < argc) {
      rounds = std::atoi(argv[++i]);
    } else if (a == "--only" && i + 1 < argc) {
      only = argv[++i];
      if (only != "cmark" && only != "runbook") return usage();
    } else if (a == "-h" || a == "--help") {
      return usage();
    } else if (dir.empty()) {
      dir = a;
    } else {
      return usage();
    }
  }
  if (dir.empty() || rounds < 1) return usage();
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    std::cerr << "bench_parse: " << dir << ": not a directory\n";
    return 3;
  }

  cmark_gfm_core_extensions_ensure_registered();
  int skipped = 0;
  std::vector<Input> inputs = load_inputs(dir, skipped);
  if (inputs.empty()) {
    std::cerr << "bench_parse: no readable *.md files under " << dir << "\n";
    return 3;
  }
  double total_bytes = 0;
  for (const auto& in : inputs) total_bytes += static_cast<double>(in.bytes.size());

  if (!only.empty()) {
    std::size_t sink = 0;
    for (int r = 0; r < rounds; ++r)
      for (const auto& in : inputs) sink += only == "cmark" ? cmark_only(in.bytes) : runbook_full(in.source);
    std::fprintf(stderr, "(checksum %zu)\n", sink);
    return 0;
  }

  // One warm-up pass of each, untimed (page faults, lazily built rule tables).
  std::size_t sink = 0;
  for (const auto& in : inputs)
    sink += cmark_only(in.bytes) + cmark_on_arena(in.bytes) + runbook_full(in.source) + runbook_top(in.source);

  // Sides: 0 cmark, 1 runbook, 2 document only, 3 cmark on our arena.
  constexpr int kSides = 4;
  std::vector<double> totals[kSides];
  std::vector<FileTimes> per_file(inputs.size());
  for (int r = 0; r < rounds; ++r) {
    double sum[kSides] = {};
    // Rotate which side goes first, so none always runs on a warm cache.
    for (int side = 0; side < kSides; ++side) {
      int which = (side + r) % kSides;
      for (std::size_t i = 0; i < inputs.size(); ++i) {
        double t0 = now_ns();
        switch (which) {
          case 0: sink += cmark_only(inputs[i].bytes); break;
          case 1: sink += runbook_full(inputs[i].source); break;
          case 2: sink += runbook_top(inputs[i].source); break;
          default: sink += cmark_on_arena(inputs[i].bytes);
        }
        double dt = now_ns() - t0;
        sum[which] += dt;
        if (which == 0) per_file[i].cmark = std::min(per_file[i].cmark, dt);
        if (which == 1) per_file[i].ours = std::min(per_file[i].ours, dt);
      }
    }
    for (int k = 0; k < kSides; ++k) totals[k].push_back(sum[k]);
  }
  const auto& t_cmark = totals[0];
  const auto& t_ours = totals[1];
  const auto& t_top = totals[2];
  const auto& t_arena = totals[3];

  double mb = total_bytes / 1e6;
  double med_c = median(t_cmark), med_o = median(t_ours), med_t = median(t_top);
  double min_c = min_of(t_cmark), min_o = min_of(t_ours), min_t = min_of(t_top);
  double med_a = median(t_arena), min_a = min_of(t_arena);
  auto ms = [](double ns) { return ns / 1e6; };
  auto mbps = [&](double ns) { return mb / (ns / 1e9); };

  std::printf("bench_parse: %zu files, %.0f bytes (%.2f MB) under %s; %d rounds, interleaved\n", inputs.size(),
              total_bytes, mb, dir.c_str(), rounds);
  if (skipped) std::printf("  (%d files skipped: unreadable or refused by check_source_text)\n", skipped);
  std::printf("  %-34s %10s %10s %10s\n", "", "median ms", "min ms", "MB/s (med)");
  std::printf("  %-34s %10.2f %10.2f %10.1f\n", "(a) cmark-gfm parse + free", ms(med_c), ms(min_c), mbps(med_c));
  std::printf("  %-34s %10.2f %10.2f %10.1f\n", "(a') the same on runbook's arena", ms(med_a), ms(min_a), mbps(med_a));
  std::printf("  %-34s %10.2f %10.2f %10.1f\n", "(b) load_source + StepGraph::build", ms(med_o), ms(min_o), mbps(med_o));
  std::printf("  %-34s %10.2f %10.2f %10.1f\n", "    of which: document only", ms(med_t), ms(min_t), mbps(med_t));
  std::printf("  ratio (b)/(a): median %.2fx, min %.2fx (target <= 1.30x)\n", med_o / med_c, min_o / min_c);

  // The files where we lose most against cmark, by their best times.
  std::vector<std::size_t> order(inputs.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  auto ratio_of = [&](std::size_t i) { return per_file[i].ours / per_file[i].cmark; };
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return ratio_of(a) > ratio_of(b); });
  std::printf("  slowest files relative to cmark (best times):\n");
  for (std::size_t k = 0; k < std::min<std::size_t>(5, order.size()); ++k) {
    const auto& in = inputs[order[k]];
    std::printf("    %6.2fx %8.3f ms %8zu B  %s\n", ratio_of(order[k]), ms(per_file[order[k]].ours), in.bytes.size(),
                fs::path(in.path).filename().string().c_str());
  }

  std::printf("files=%zu\n", inputs.size());
  std::printf("bytes=%.0f\n", total_bytes);
  std::printf("rounds=%d\n", rounds);
  std::printf("cmark_ms_median=%.3f\ncmark_ms_min=%.3f\n", ms(med_c), ms(min_c));
  std::printf("runbook_ms_median=%.3f\nrunbook_ms_min=%.3f\n", ms(med_o), ms(min_o));
  std::printf("document_only_ms_median=%.3f\n", ms(med_t));
  std::printf("cmark_arena_ms_median=%.3f\n", ms(med_a));
  std::printf("cmark_mb_s=%.1f\nrunbook_mb_s=%.1f\n", mbps(med_c), mbps(med_o));
  std::printf("ratio_parse=%.2f\nratio_parse_min=%.2f\n", med_o / med_c, min_o / min_c);
  std::printf("target_ratio_parse=1.30\n");
  std::fprintf(stderr, "(checksum %zu)\n", sink);
  return 0;
}
