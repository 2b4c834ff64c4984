// Bad input gives clear errors that name the file (and the line when there is one), quickly,
// through the library and through the CLI (exit status 3); it never crashes or hangs.
#include <doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "playbook/loader.h"
#include "test_support.h"
#include "util/source_file.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

/// A fresh temporary directory, removed (permissions restored) at the end of the test.
class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() / ("runbook robustness " + std::to_string(::getpid()) + "-" +
                                         std::to_string(Clock::now().time_since_epoch().count()));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    for (auto& e : fs::recursive_directory_iterator(path_, ec))
      fs::permissions(e.path(), fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  /// Writes `bytes` to a file named `name` in the directory and returns its path.
  std::string write(const std::string& name, const std::string& bytes) const {
    fs::path p = path_ / name;
    std::ofstream out(p, std::ios::binary);
    out << bytes;
    return p.string();
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Result of running the CLI.
struct Run {
  int status = -1;  ///< exit status, or -1 when killed by a signal
  std::string err;
  double seconds = 0;
};

/// Runs `runbook ARGS` with stdout discarded and stderr captured; at most 20 s.
Run run_cli(const std::string& args, const TempDir& dir) {
  fs::path err = dir.path() / "stderr.txt";
  std::string cmd = "timeout 20 " + quote(runbook::testing::runbook_bin()) + " " + args + " >/dev/null 2>" +
                    quote(err.string());
  auto t0 = Clock::now();
  int raw = std::system(cmd.c_str());
  Run r;
  r.seconds = seconds_since(t0);
  r.status = (raw != -1 && WIFEXITED(raw)) ? WEXITSTATUS(raw) : -1;
  r.err = slurp(err);
  return r;
}

/// The CLI refuses the file with exit status 3 and names it on stderr.
void check_cli_refuses(const std::string& path, const TempDir& dir, const char* command = "render") {
  Run r = run_cli(std::string(command) + " " + quote(path), dir);
  INFO("runbook " << command << " " << path << "\nstderr: " << r.err);
  CHECK(r.status == 3);
  CHECK(r.err.find(path) != std::string::npos);
  CHECK(r.seconds < 10.0);
}

/// load_file refuses the file, quickly, with an error naming it.
runbook::util::Error check_refused(const std::string& path) {
  auto t0 = Clock::now();
  auto loaded = runbook::playbook::load_file(path);
  double took = seconds_since(t0);
  INFO("loading " << path);
  REQUIRE_FALSE(loaded.ok());
  runbook::util::Error e = loaded.error();
  INFO("error: " << e.describe());
  CHECK(e.file == path);
  CHECK(e.describe().find(path) != std::string::npos);
  CHECK_FALSE(e.message.empty());
  CHECK(took < 3.0);
  return e;
}

std::string repeat(const std::string& s, int n) {
  std::string out;
  out.reserve(s.size() * static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

bool has_finding(const runbook::playbook::Playbook& pb, const std::string& code) {
  for (const auto& f : pb.findings)
    if (f.code == code) return true;
  return false;
}

}  // namespace

TEST_CASE("robustness: invalid UTF-8 is refused with the file and line") {
  TempDir dir;
  std::string path = dir.write("latin1.md", "# Title\n\nok line\ncaf\xE9 au lait\n");
  auto e = check_refused(path);
  CHECK(e.line == 4);
  CHECK(e.message.find("UTF-8") != std::string::npos);
  check_cli_refuses(path, dir);
  check_cli_refuses(path, dir, "lint");

  // Truncated, overlong and surrogate sequences too.
  for (std::string bad : {std::string("\xE2\x82"), std::string("\xC0\xAF"), std::string("\xED\xA0\x80"),
                          std::string("\xF8\x88\x80\x80\x80"), std::string("\xFF")}) {
    auto r = runbook::util::check_source_text("bad.md", "# T\n" + bad + "\n");
    CHECK_FALSE(r.ok());
    if (!r.ok()) CHECK(r.error().line == 2);
  }
}

TEST_CASE("robustness: NUL bytes and binary files are refused") {
  TempDir dir;
  std::string nul = dir.write("nul.md", std::string("# Title\n\nsome\0text\n", 19));
  auto e = check_refused(nul);
  CHECK(e.line == 3);
  check_cli_refuses(nul, dir);

  std::string binary;
  for (int i = 0; i < 4096; ++i) binary += static_cast<char>((i * 131 + 7) & 0xFF);
  std::string bin = dir.write("image.md", "\x89PNG\r\n\x1A\n" + binary);
  check_refused(bin);
  check_cli_refuses(bin, dir);
}

TEST_CASE("robustness: a 100 MB file is refused quickly, naming the file") {
  TempDir dir;
  std::string path = (dir.path() / "huge.md").string();
  {
    std::ofstream out(path, std::ios::binary);
    std::string chunk = repeat("- [ ] step with `code` and <placeholder>\n", 1000);
    while (static_cast<std::size_t>(out.tellp()) < 100u * 1000u * 1000u) out << chunk;
  }
  REQUIRE(fs::file_size(path) >= 100u * 1000u * 1000u);
  auto e = check_refused(path);
  CHECK(e.message.find("limit") != std::string::npos);
  check_cli_refuses(path, dir);
  Run r = run_cli("render " + quote(path), dir);
  CHECK(r.seconds < 3.0);
}

TEST_CASE("robustness: 10,000-deep nested lists and block quotes finish in bounded time") {
  TempDir dir;
  struct Case {
    const char* name;
    std::string text;
  };
  // One line each ("- - - ... x" nests lists, "> > ... x" nests quotes), plus staircase forms.
  std::string stair_quotes, stair_lists;
  for (int i = 1; i <= 2000; ++i) stair_quotes += repeat(">", i) + " q\n";
  for (int i = 0; i < 2000; ++i) stair_lists += std::string(static_cast<std::size_t>(i) * 2, ' ') + "- item\n";
  Case cases[] = {
      {"lists.md", "# Deep lists\n\n" + repeat("- ", 10000) + "x\n"},
      {"ordered.md", "# Deep ordered\n\n" + repeat("1. ", 10000) + "x\n"},
      {"quotes.md", "# Deep quotes\n\n" + repeat("> ", 10000) + "x\n"},
      {"tasks.md", "# Deep tasks\n\n" + repeat("- ", 10000) + "[ ] x\n"},
      {"stair-quotes.md", stair_quotes},
      {"stair-lists.md", stair_lists},
  };
  for (const auto& c : cases) {
    std::string path = dir.write(c.name, c.text);
    INFO(c.name);
    auto t0 = Clock::now();
    auto loaded = runbook::playbook::load_file(path);
    double took = seconds_since(t0);
    CHECK(took < 5.0);
    if (!loaded.ok()) {
      INFO("error: " << loaded.error().describe());
      CHECK(loaded.error().file == path);
      CHECK(loaded.error().line >= 1);
      CHECK(loaded.error().describe().find(path + ":" + std::to_string(loaded.error().line) + ":") !=
            std::string::npos);
      check_cli_refuses(path, dir);
    } else {
      Run r = run_cli("render " + quote(path), dir);
      INFO("stderr: " << r.err);
      CHECK(r.status == 0);
      CHECK(r.seconds < 10.0);
    }
  }
}

TEST_CASE("robustness: unterminated fences parse, with an unterminated-fence finding") {
  const char* texts[] = {
      "# T\n\n```bash\nrm -rf /tmp/x\n\n## Not a heading\n",
      "# T\n\n- item\n  ~~~~sql\n  SELECT 1;\n",
      "# T\n\n````markdown\n# Inner\n\n```bash\nls\n```\n",
  };
  for (const char* text : texts) {
    INFO(text);
    auto source = runbook::util::check_source_text("unterminated.md", text);
    REQUIRE(source.ok());
    auto loaded = runbook::playbook::load_source(*source);
    REQUIRE(loaded.ok());
    bool found = false;
    for (const auto& pb : *loaded) found = found || has_finding(pb, "unterminated-fence");
    CHECK(found);
    CHECK(has_finding(loaded->front(), "unterminated-fence"));
  }
}

TEST_CASE("robustness: missing files, directories and unreadable files") {
  TempDir dir;
  std::string missing = (dir.path() / "no such playbook.md").string();
  auto e = check_refused(missing);
  CHECK(e.message.find("No such file") != std::string::npos);
  check_cli_refuses(missing, dir);
  check_cli_refuses(missing, dir, "lint");

  std::string subdir = (dir.path() / "a-directory.md").string();
  fs::create_directories(subdir);
  check_refused(subdir);
  check_cli_refuses(subdir, dir);

  std::string locked = dir.write("locked.md", "# Locked\n\n- [ ] step\n");
  fs::permissions(locked, fs::perms::none);
  if (::access(locked.c_str(), R_OK) == 0) {
    MESSAGE("skipping the unreadable-file case: this user (root?) can read a mode 000 file");
  } else {
    check_refused(locked);
    check_cli_refuses(locked, dir);
  }
}
