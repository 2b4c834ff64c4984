#include <doctest.h>

#include <deque>
#include <string>
#include <vector>

#include "alert/route.h"
#include "playbook/loader.h"
#include "util/source_file.h"

using runbook::alert::Alert;
using runbook::alert::Candidate;
using runbook::alert::route;
using runbook::alert::runbook_url_name;

namespace {

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// Playbooks loaded from text as the CLI loads files, and the candidates that point into them.
struct Library {
  std::deque<std::vector<runbook::playbook::Playbook>> files;  // deque: pointers stay valid
  std::vector<Candidate> candidates;

  void add(const std::string& path, const std::string& text) {
    auto source = runbook::util::check_source_text(path, text);
    REQUIRE(source.ok());
    auto r = runbook::playbook::load_source(*source);
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? std::string() : r.error().describe()));
    files.push_back(std::move(r).value());
    for (const auto& pb : files.back()) candidates.push_back({path, &pb});
  }
};

Alert named(const std::string& name, const std::string& runbook_url = "") {
  Alert a;
  a.source = "labels";
  a.name = name;
  a.status = "firing";
  a.labels["alertname"] = name;
  if (!runbook_url.empty()) a.annotations["runbook_url"] = runbook_url;
  return a;
}

const char* kPodCrash = "# Pod Crash Looping\n\n## Detection\n\n- `KubePodCrashLooping` fires\n\n## Fix\n\n```bash\nkubectl get pods\n```\n";
const char* kDiskFull = "---\nalerts: [DiskFull, DiskAlmostFull]\n---\n# Disk Full\n\n## Fix\n\n```bash\ndf -h\n```\n";
const char* kApiDown = "# API Down\n\nAlert: \"ApiDown\" from Prometheus\n\n## Fix\n\n```bash\ncurl -sf http://api/health\n```\n";
// One file, two playbooks: the document and one embedded in a ````markdown fence.
const char* kHandbook =
    "# Storage Handbook\n\n## Disk\n\n````markdown\n# Disk Full\n\n## Detection\n\n- `NodeDiskFull`\n\n## Fix\n\n"
    "```bash\ndf -h\n```\n````\n";

Library library() {
  Library lib;
  lib.add("runbooks/pod-crash-looping.md", kPodCrash);
  lib.add("runbooks/disk-full.md", kDiskFull);
  lib.add("runbooks/api-down.md", kApiDown);
  return lib;
}

}  // namespace

TEST_CASE("the runbook URL's last segment, without query, fragment, trailing slash and .md") {
  CHECK(runbook_url_name("https://wiki.example.com/runbooks/disk-full.md") == "disk-full");
  CHECK(runbook_url_name("https://wiki.example.com/runbooks/Disk-Full.MD?ref=alert#steps") == "Disk-Full");
  CHECK(runbook_url_name("https://wiki.example.com/runbooks/disk-full/") == "disk-full");
  CHECK(runbook_url_name("https://wiki.example.com/runbooks/disk%20full") == "disk full");
  CHECK(runbook_url_name("disk-full.md") == "disk-full");
  CHECK(runbook_url_name("https://wiki.example.com/") == "");
  CHECK(runbook_url_name("https://wiki.example.com") == "");
  CHECK(runbook_url_name("") == "");
}

TEST_CASE("routing by runbook_url: file stem, query string, trailing slash, .md, case") {
  Library lib = library();
  for (const char* url : {"https://wiki/runbooks/disk-full.md", "https://wiki/runbooks/disk-full?x=1&y=2",
                          "https://wiki/runbooks/disk-full/", "https://wiki/runbooks/DISK-FULL.md#fix",
                          "https://wiki/runbooks/disk_full"}) {
    CAPTURE(url);
    auto r = route(named("SomethingElse", url), lib.candidates);
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? std::string() : r.error().message));
    CHECK(r->index == 1);
    CHECK(r->rule == "runbook-url");
    CHECK(r->also.empty());
    CHECK(contains(r->why, "runbook_url annotation"));
  }
  // The `runbook` annotation is read when there is no runbook_url; the URL beats the name.
  Alert a = named("ApiDown");
  a.annotations["runbook"] = "https://wiki/runbooks/pod-crash-looping";
  auto r = route(a, lib.candidates);
  REQUIRE(r.ok());
  CHECK(r->index == 0);
  CHECK(r->rule == "runbook-url");
  // Percent-escapes decoded; "API Down" is the title and, as a slug, the file name.
  r = route(named("X", "https://wiki/api-down-playbook/API%20Down"), lib.candidates);
  REQUIRE(r.ok());
  CHECK(r->index == 2);
  CHECK(contains(r->why, "the file name and title of runbooks/api-down.md (API Down)"));
}

TEST_CASE("runbook_url into a file with several playbooks prefers the one whose title matches") {
  Library lib;
  lib.add("docs/disk-full.md", kHandbook);  // stem matches both; the embedded one's title matches too
  REQUIRE(lib.candidates.size() == 2);
  auto r = route(named("X", "https://wiki/docs/disk-full.md"), lib.candidates);
  REQUIRE(r.ok());
  CHECK(r->index == 1);
  CHECK(lib.candidates[1].playbook->title == "Disk Full");
  CHECK(r->also.empty());

  Library other;
  other.add("docs/storage.md", kHandbook);  // title only, inside a file with another name
  r = route(named("X", "https://wiki/runbooks/disk-full"), other.candidates);
  REQUIRE(r.ok());
  CHECK(r->index == 1);
  CHECK(contains(r->why, "names \"disk-full\", the title of docs/storage.md (Disk Full)"));
  // The file name alone: the document comes first, the embedded one is reported as also matching.
  r = route(named("X", "https://wiki/storage"), other.candidates);
  REQUIRE(r.ok());
  CHECK(r->index == 0);
  REQUIRE(r->also.size() == 1);
  CHECK(contains(r->also[0], "Disk Full"));
}

TEST_CASE("a runbook_url that matches nothing falls through to the alert name") {
  Library lib = library();
  auto r = route(named("DiskFull", "https://wiki/runbooks/unknown-page"), lib.candidates);
  REQUIRE(r.ok());
  CHECK(r->index == 1);
  CHECK(r->rule == "front-matter");
}

TEST_CASE("routing by front matter alerts, exact before case-insensitive") {
  Library lib = library();
  auto r = route(named("DiskAlmostFull"), lib.candidates);
  REQUIRE(r.ok());
  CHECK(r->index == 1);
  CHECK(r->rule == "front-matter");
  CHECK(contains(r->why, "front matter"));
  CHECK(contains(r->why, "runbooks/disk-full.md"));

  r = route(named("diskfull"), lib.candidates);
  REQUIRE(r.ok());
  CHECK(r->index == 1);
  CHECK(contains(r->why, "ignoring case"));

  // An exact claim later in the list beats a case-insensitive one earlier.
  lib.add("runbooks/disk-full-v2.md", "---\nalerts: [diskfull]\n---\n# Disk Full v2\n");
  r = route(named("diskfull"), lib.candidates);
  REQUIRE(r.ok());
  CHECK(r->index == 3);
  CHECK(r->also.empty());
}

TEST_CASE("routing by Detection lists and Alert: lines, after front matter") {
  Library lib = library();
  auto r = route(named("KubePodCrashLooping"), lib.candidates);
  REQUIRE(r.ok());
  CHECK(r->index == 0);
  CHECK(r->rule == "detection");
  CHECK(contains(r->why, "Detection section"));
  CHECK(contains(r->why, "runbooks/pod-crash-looping.md:5"));

  r = route(named("ApiDown"), lib.candidates);
  REQUIRE(r.ok());
  CHECK(r->index == 2);
  CHECK(contains(r->why, "\"Alert:\" line"));

  // A front matter claim wins over a Detection mention earlier in the list.
  lib.add("runbooks/crash.md", "---\nalerts: KubePodCrashLooping\n---\n# Crash\n");
  r = route(named("KubePodCrashLooping"), lib.candidates);
  REQUIRE(r.ok());
  CHECK(r->index == 3);
  CHECK(r->rule == "front-matter");
}

TEST_CASE("ambiguity: the first candidate wins, the others are listed") {
  Library lib = library();
  lib.add("runbooks/disk-full-2.md", "---\nalerts: [DiskFull]\n---\n# Disk Full Again\n");
  lib.add("runbooks/disk-full-3.md", "---\nalerts: [DiskFull]\n---\n# Disk Full Thrice\n");
  auto r = route(named("DiskFull"), lib.candidates);
  REQUIRE(r.ok());
  CHECK(r->index == 1);
  REQUIRE(r->also.size() == 2);
  CHECK(r->also[0] == "runbooks/disk-full-2.md (Disk Full Again)");
  CHECK(r->also[1] == "runbooks/disk-full-3.md (Disk Full Thrice)");
}

TEST_CASE("no match: an error that names what was tried") {
  Library lib = library();
  auto r = route(named("QueueStuck", "https://wiki/runbooks/queue-stuck.md?x=1"), lib.candidates);
  REQUIRE_FALSE(r.ok());
  CHECK(contains(r.error().message, "https://wiki/runbooks/queue-stuck.md?x=1"));
  CHECK(contains(r.error().message, "\"queue-stuck\""));
  CHECK(contains(r.error().message, "\"QueueStuck\""));
  CHECK(contains(r.error().message, "3 candidate"));

  r = route(named("QueueStuck"), lib.candidates);
  REQUIRE_FALSE(r.ok());
  CHECK(contains(r.error().message, "no runbook_url or runbook annotation"));

  r = route(named(""), lib.candidates);
  REQUIRE_FALSE(r.ok());
  CHECK(contains(r.error().message, "no name"));

  r = route(named("DiskFull"), {});
  REQUIRE_FALSE(r.ok());
  CHECK(contains(r.error().message, "no playbooks"));
}
