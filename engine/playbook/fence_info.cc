#include "playbook/fence_info.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

#include "util/text.h"

namespace runbook::playbook {

namespace {

constexpr std::array kShell = {"bash", "sh", "shell", "zsh", "ksh", "console", "shell-session",
                               "shellsession", "terminal"};
constexpr std::array kSql = {"sql", "psql", "postgresql", "postgres", "pgsql", "plpgsql", "mysql",
                             "sqlite", "sqlite3", "tsql", "mssql"};
constexpr std::array kOther = {
    "yaml", "yml", "json", "jsonc", "json5", "python", "py", "ruby", "rb", "go", "golang", "js",
    "javascript", "ts", "typescript", "java", "c", "cpp", "c++", "rust", "hcl", "terraform", "tf",
    "toml", "ini", "conf", "cfg", "xml", "html", "css", "dockerfile", "docker", "diff", "patch",
    "text", "txt", "plaintext", "plain", "markdown", "md", "mermaid", "plantuml", "jsonnet", "cron",
    "crontab", "math", "latex", "tex", "log", "output", "csv", "tsv", "nginx", "apache", "properties",
    "env", "dotenv", "groovy", "php", "perl", "lua", "powershell", "ps1", "ps", "cmd", "bat", "make",
    "makefile", "protobuf", "proto", "graphql", "http", "logql", "nix", "vim", "regex", "none",
    "gpg", "systemd", "yara", "kql", "spl", "csharp", "cs", "kotlin", "swift", "scala", "elixir",
    "erlang", "haskell", "r", "jq", "awk", "sed", "lisp", "clojure", "scss", "less", "vue", "jsx",
    "tsx", "svg", "asciidoc", "rst", "mdx", "ebnf", "abnf", "pem", "asn1", "dns", "zone"};

// Programs whose presence at the start of every line marks an untyped block as shell.
constexpr std::array kKnownPrograms = {
    "kubectl", "helm", "curl", "wget", "docker", "podman", "psql", "mysql", "redis-cli", "systemctl",
    "journalctl", "sudo", "ssh", "scp", "git", "gitlab-ctl", "gitlab-rake", "gitlab-psql",
    "chef-client", "knife", "consul", "vault", "terraform", "aws", "gcloud", "az", "gsutil", "ls",
    "cat", "grep", "tail", "head", "df", "du", "ps", "top", "find", "rm", "echo", "export", "watch",
    "openssl", "dig", "nslookup", "ping", "jq", "sed", "awk", "ip", "ss", "netstat", "lsof", "kill",
    "pkill", "service", "tar", "cp", "mv", "mkdir", "chmod", "chown", "cd", "less", "tee", "xargs",
    "etcdctl", "patronictl", "pg_dump", "pg_restore", "crictl", "ctr", "nc", "telnet", "traceroute",
    "mtr", "iptables", "nft", "mount", "umount", "lsblk", "free", "uptime", "dmesg", "sysctl",
    "ansible", "ansible-playbook", "kubeadm", "minikube", "kind", "eksctl", "oc", "istioctl",
    "promtool", "amtool", "logcli", "bundle", "rails", "rake", "sidekiqctl", "pgbouncer", "stat",
    "date", "env", "printf", "touch", "ln", "unzip", "gzip", "zcat", "zgrep", "sort", "uniq", "wc"};

bool in(std::string_view word, const auto& list) {
  return std::any_of(list.begin(), list.end(), [&](const char* x) { return word == x; });
}

std::string first_word(std::string_view line) {
  line = util::trim(line);
  if (line.rfind("$ ", 0) == 0) line.remove_prefix(2);
  std::size_t end = line.find_first_of(" \t");
  return std::string(line.substr(0, end));
}

// "Status: Investigating", "\"Impact: all users": a capitalised label of a few words, a colon, a value.
bool is_message_field(std::string_view line) {
  if (!line.empty() && line[0] == '"') line.remove_prefix(1);
  if (line.empty() || line[0] < 'A' || line[0] > 'Z') return false;
  std::size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon > 32 || colon + 1 >= line.size()) return false;
  for (char c : line.substr(0, colon))
    if (!(std::isalpha(static_cast<unsigned char>(c)) || c == ' ' || c == '/' || c == '-' || c == '(' || c == ')'))
      return false;
  return line[colon + 1] == ' ' && !util::trim(line.substr(colon + 1)).empty();
}

// "[Brief description]" but not "[x](url)" links, "[ ]" boxes or "[5m]" ranges.
bool has_bracket_placeholder(std::string_view line) {
  for (std::size_t open = line.find('['); open != std::string_view::npos; open = line.find('[', open + 1)) {
    std::size_t close = line.find(']', open);
    if (close == std::string_view::npos) return false;
    if (close > open + 1 && std::isalpha(static_cast<unsigned char>(line[open + 1])) &&
        (close + 1 >= line.size() || line[close + 1] != '('))
      return true;
  }
  return false;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

FenceInfo parse_fence_info(std::string_view info) {
  FenceInfo out;
  info = util::trim(info);
  std::size_t brace = info.find('{');
  std::string_view head = util::trim(info.substr(0, brace));
  std::string_view attrs = brace == std::string_view::npos ? std::string_view{} : info.substr(brace + 1);
  if (std::size_t close = attrs.rfind('}'); close != std::string_view::npos) attrs = attrs.substr(0, close);
  out.language = util::to_lower(head.substr(0, head.find_first_of(" \t,")));
  // Tokenise `key=value key2="v w" .bash flag`.
  std::size_t i = 0;
  while (i < attrs.size()) {
    while (i < attrs.size() && (attrs[i] == ' ' || attrs[i] == '\t' || attrs[i] == ',')) ++i;
    std::size_t start = i;
    while (i < attrs.size() && attrs[i] != '=' && attrs[i] != ' ' && attrs[i] != '\t' && attrs[i] != ',') ++i;
    std::string key(attrs.substr(start, i - start));
    std::string value = "true";
    if (i < attrs.size() && attrs[i] == '=') {
      ++i;
      if (i < attrs.size() && (attrs[i] == '"' || attrs[i] == '\'')) {
        char q = attrs[i++];
        std::size_t end = attrs.find(q, i);
        if (end == std::string_view::npos) end = attrs.size();
        value = std::string(attrs.substr(i, end - i));
        i = end + 1;
      } else {
        std::size_t vs = i;
        while (i < attrs.size() && attrs[i] != ' ' && attrs[i] != '\t' && attrs[i] != ',') ++i;
        value = std::string(attrs.substr(vs, i - vs));
      }
    }
    if (key.empty()) continue;
    if (key[0] == '.' && out.language.empty()) {
      out.language = util::to_lower(key.substr(1));
      continue;
    }
    out.attributes[key] = value;
  }
  return out;
}

Interpreter interpreter_for(std::string_view language) {
  if (in(language, kShell)) return Interpreter::Shell;
  if (in(language, kSql)) return Interpreter::Sql;
  if (language == "promql") return Interpreter::PromQL;
  return Interpreter::None;
}

bool is_known_language(std::string_view language) {
  return language.empty() || interpreter_for(language) != Interpreter::None || in(language, kOther);
}

std::string suggest_language(std::string_view language) {
  std::string best;
  std::size_t best_d = 3;
  auto consider = [&](const char* cand) {
    std::size_t d = edit_distance(language, cand);
    if (d < best_d && d * 3 <= std::string_view(cand).size()) best_d = d, best = cand;
  };
  for (const char* c : kShell) consider(c);
  for (const char* c : kSql) consider(c);
  consider("promql");
  return best;
}

Inference infer_block(std::string_view language, std::string_view body) {
  std::vector<std::string_view> lines = util::split_lines(body);
  bool yaml = language == "yaml" || language == "yml";
  bool untyped_or_text = language.empty() || language == "text" || language == "txt" ||
                         language == "plaintext" || language == "plain" || language == "markdown" ||
                         language == "md";
  if (!yaml && !untyped_or_text) return {};
  // A block whose every command line starts with a known program is shell when the fence says
  // nothing runnable; a yaml fence is shell when it starts with `cmd ... <<EOF`.
  int commands = 0, others = 0, fields = 0;
  bool heredoc = false, placeholder = false;
  for (std::string_view raw : lines) {
    std::string_view line = util::trim(raw);
    if (line.empty()) continue;
    if (has_bracket_placeholder(line)) placeholder = true;
    if (is_message_field(line)) ++fields;
    if (line[0] == '#') continue;
    std::string w = first_word(line);
    if (in(w, kKnownPrograms)) {
      ++commands;
      if (line.find("<<") != std::string_view::npos) heredoc = true;
    } else {
      ++others;
    }
    if (yaml) break;  // only the first line decides for yaml
  }
  if (yaml)
    return commands == 1 && heredoc
               ? Inference{StepKind::Command, Interpreter::Shell,
                           "the yaml fence starts with a shell command feeding a heredoc"}
               : Inference{};
  if (placeholder || fields > 0) return {StepKind::Template, Interpreter::None, ""};
  if (language.empty() && commands > 0 && others == 0)
    return {StepKind::Command, Interpreter::Shell, "every line of the untyped fence starts with a known command"};
  return {};
}

}  // namespace runbook::playbook
