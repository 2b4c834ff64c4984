#include "playbook/fence_info.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>
#include <vector>

#include "util/text.h"

namespace runbook::playbook {

namespace {

using namespace std::string_view_literals;

// The lists are string_views, so a lookup compares lengths first and never calls strlen: these
// run for every line of every untyped block.
constexpr std::array kShell = {
    "bash"sv, "sh"sv, "shell"sv, "zsh"sv, "ksh"sv, "console"sv, "shell-session"sv, "shellsession"sv,
    "terminal"sv};
constexpr std::array kSql = {
    "sql"sv, "psql"sv, "postgresql"sv, "postgres"sv, "pgsql"sv, "plpgsql"sv, "mysql"sv, "sqlite"sv,
    "sqlite3"sv, "tsql"sv, "mssql"sv};
constexpr std::array kOther = {
    "yaml"sv, "yml"sv, "json"sv, "jsonc"sv, "json5"sv, "python"sv, "py"sv, "ruby"sv, "rb"sv, "go"sv,
    "golang"sv, "js"sv, "javascript"sv, "ts"sv, "typescript"sv, "java"sv, "c"sv, "cpp"sv, "c++"sv,
    "rust"sv, "hcl"sv, "terraform"sv, "tf"sv, "toml"sv, "ini"sv, "conf"sv, "cfg"sv, "xml"sv,
    "html"sv, "css"sv, "dockerfile"sv, "docker"sv, "diff"sv, "patch"sv, "text"sv, "txt"sv,
    "plaintext"sv, "plain"sv, "markdown"sv, "md"sv, "mermaid"sv, "plantuml"sv, "jsonnet"sv,
    "cron"sv, "crontab"sv, "math"sv, "latex"sv, "tex"sv, "log"sv, "output"sv, "csv"sv, "tsv"sv,
    "nginx"sv, "apache"sv, "properties"sv, "env"sv, "dotenv"sv, "groovy"sv, "php"sv, "perl"sv,
    "lua"sv, "powershell"sv, "ps1"sv, "ps"sv, "cmd"sv, "bat"sv, "make"sv, "makefile"sv,
    "protobuf"sv, "proto"sv, "graphql"sv, "http"sv, "logql"sv, "nix"sv, "vim"sv, "regex"sv,
    "none"sv, "gpg"sv, "systemd"sv, "yara"sv, "kql"sv, "spl"sv, "csharp"sv, "cs"sv, "kotlin"sv,
    "swift"sv, "scala"sv, "elixir"sv, "erlang"sv, "haskell"sv, "r"sv, "jq"sv, "awk"sv, "sed"sv,
    "lisp"sv, "clojure"sv, "scss"sv, "less"sv, "vue"sv, "jsx"sv, "tsx"sv, "svg"sv, "asciidoc"sv,
    "rst"sv, "mdx"sv, "ebnf"sv, "abnf"sv, "pem"sv, "asn1"sv, "dns"sv, "zone"sv};

// Programs whose presence at the start of every line marks an untyped block as shell.
constexpr std::array kKnownPrograms = {
    "kubectl"sv, "helm"sv, "curl"sv, "wget"sv, "docker"sv, "podman"sv, "psql"sv, "mysql"sv,
    "redis-cli"sv, "systemctl"sv, "journalctl"sv, "sudo"sv, "ssh"sv, "scp"sv, "git"sv,
    "gitlab-ctl"sv, "gitlab-rake"sv, "gitlab-psql"sv, "chef-client"sv, "knife"sv, "consul"sv,
    "vault"sv, "terraform"sv, "aws"sv, "gcloud"sv, "az"sv, "gsutil"sv, "ls"sv, "cat"sv, "grep"sv,
    "tail"sv, "head"sv, "df"sv, "du"sv, "ps"sv, "top"sv, "find"sv, "rm"sv, "echo"sv, "export"sv,
    "watch"sv, "openssl"sv, "dig"sv, "nslookup"sv, "ping"sv, "jq"sv, "sed"sv, "awk"sv, "ip"sv,
    "ss"sv, "netstat"sv, "lsof"sv, "kill"sv, "pkill"sv, "service"sv, "tar"sv, "cp"sv, "mv"sv,
    "mkdir"sv, "chmod"sv, "chown"sv, "cd"sv, "less"sv, "tee"sv, "xargs"sv, "etcdctl"sv,
    "patronictl"sv, "pg_dump"sv, "pg_restore"sv, "crictl"sv, "ctr"sv, "nc"sv, "telnet"sv,
    "traceroute"sv, "mtr"sv, "iptables"sv, "nft"sv, "mount"sv, "umount"sv, "lsblk"sv, "free"sv,
    "uptime"sv, "dmesg"sv, "sysctl"sv, "ansible"sv, "ansible-playbook"sv, "kubeadm"sv, "minikube"sv,
    "kind"sv, "eksctl"sv, "oc"sv, "istioctl"sv, "promtool"sv, "amtool"sv, "logcli"sv, "bundle"sv,
    "rails"sv, "rake"sv, "sidekiqctl"sv, "pgbouncer"sv, "stat"sv, "date"sv, "env"sv, "printf"sv,
    "touch"sv, "ln"sv, "unzip"sv, "gzip"sv, "zcat"sv, "zgrep"sv, "sort"sv, "uniq"sv, "wc"sv};

bool in(std::string_view word, const auto& list) {
  return std::any_of(list.begin(), list.end(), [&](std::string_view x) { return word == x; });
}

std::string_view first_word(std::string_view line) {
  line = util::trim(line);
  if (line.starts_with("$ ")) line.remove_prefix(2);
  std::size_t end = line.find_first_of(" \t");
  return line.substr(0, end);
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
  auto consider = [&](std::string_view cand) {
    std::size_t d = edit_distance(language, cand);
    if (d < best_d && d * 3 <= cand.size()) best_d = d, best = cand;
  };
  for (std::string_view c : kShell) consider(c);
  for (std::string_view c : kSql) consider(c);
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
    std::string_view w = first_word(line);
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
