#include "playbook/placeholders.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>
#include <unordered_map>

#include "shell/quote.h"
#include "shell/variables.h"

namespace runbook::playbook {

namespace {

bool is_alpha(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }
bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool is_ident_start(char c) { return is_alpha(c) || c == '_'; }
bool is_ident(char c) { return is_alnum(c) || c == '_'; }
char upper(char c) { return static_cast<char>(std::toupper(static_cast<unsigned char>(c))); }

std::string to_upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = upper(c);
  return out;
}

/// One placeholder occurrence in a text.
struct Occurrence {
  std::size_t pos = 0;
  std::size_t len = 0;
  std::string name;
  VarSyntax syntax = VarSyntax::Angle;
  bool has_default = false;
};

// ---------------------------------------------------------------------------------------------
// Angle placeholders: <pod-name>.

/// Inline formatting tags that are never placeholders, even inside commands.
const std::set<std::string, std::less<>> kFormattingTags = {
    "a", "abbr", "b", "br", "center", "code", "del", "details", "div", "em", "font", "hr", "i",
    "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "s", "samp", "small", "span", "strike",
    "strong", "sub", "summary", "sup", "tt", "u", "ul", "var", "wbr", "h1", "h2", "h3", "h4",
    "h5", "h6", "blockquote", "dd", "dl", "dt", "big", "cite", "q",
};

/// Structural HTML tags: tags in prose, but plausible placeholders in commands (`<table>`).
const std::set<std::string, std::less<>> kStructuralTags = {
    "body", "caption", "col", "colgroup", "data", "footer", "form", "head", "header", "html",
    "input", "label", "link", "main", "map", "menu", "meta", "nav", "object", "option", "output",
    "picture", "script", "section", "select", "source", "style", "table", "tbody", "td",
    "template", "tfoot", "th", "thead", "time", "title", "tr", "video", "audio", "article",
    "aside", "figure", "figcaption", "iframe", "noscript", "button", "textarea", "svg",
};

bool is_html_tag(std::string_view name, std::string_view text, bool command) {
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (kFormattingTags.count(lower)) return true;
  if (!command && kStructuralTags.count(lower)) return true;
  // A matching closing tag anywhere means HTML whatever the name.
  return text.find("</" + std::string(name) + ">") != std::string_view::npos;
}

/// `command`: text run by an interpreter (fewer HTML words excluded); `shell`: shell text, where
/// a placeholder may touch an option (`-p<password>`), while elsewhere `vector<int>` and `a<b>c`
/// comparisons do.
/// Words tools print in angle brackets (`kubectl get` shows `<none>`): output, not input.
bool is_output_marker(std::string_view name) {
  static const std::set<std::string, std::less<>> kMarkers = {"none", "nil", "null", "unknown", "pending",
                                                               "invalid", "unset", "empty", "missing"};
  return kMarkers.count(name) > 0;
}

void scan_angle(std::string_view text, bool command, bool shell, std::vector<Occurrence>& out) {
  for (std::size_t i = text.find('<'); i != std::string_view::npos && i + 2 < text.size(); i = text.find('<', i + 1)) {
    if (!is_alpha(text[i + 1])) continue;
    // `<<EOF` heredocs and `<<<` strings.
    if (i > 0 && (text[i - 1] == '<' || (!shell && is_alnum(text[i - 1])))) continue;
    std::size_t j = i + 1;
    while (j < text.size() && (is_alnum(text[j]) || text[j] == '_' || text[j] == '-' || text[j] == '.')) ++j;
    if (j >= text.size() || text[j] != '>') continue;
    std::string_view name = text.substr(i + 1, j - i - 1);
    if (!is_ident(name.back())) continue;
    if (is_html_tag(name, text, command) || is_output_marker(name)) continue;
    out.push_back({i, j + 1 - i, std::string(name), VarSyntax::Angle, false});
  }
}

// ---------------------------------------------------------------------------------------------
// Dollar placeholders: ${VAR}, ${VAR:-default}, $VAR.

/// True when the character at `pos` is escaped by an odd run of backslashes.
bool escaped(std::string_view text, std::size_t pos) {
  std::size_t n = 0;
  while (pos > n && text[pos - n - 1] == '\\') ++n;
  return n % 2 == 1;
}

/// `${NAME}` / `${NAME<op>word}` at `i`; nullopt for anything else (`${#x}`, `${a.b}`).
std::optional<Occurrence> dollar_brace_at(std::string_view text, std::size_t i) {
  if (text.substr(i, 2) != "${" || escaped(text, i)) return std::nullopt;
  std::size_t j = i + 2;
  if (j >= text.size() || !is_ident_start(text[j])) return std::nullopt;
  while (j < text.size() && is_ident(text[j])) ++j;
  std::string name(text.substr(i + 2, j - i - 2));
  if (j >= text.size()) return std::nullopt;
  bool has_default = false;
  if (text[j] != '}') {
    std::string_view rest = text.substr(j);
    bool ok = false;
    for (std::string_view op : {":-", ":=", ":?", ":+", "-", "=", "?", "+"}) {
      if (rest.substr(0, op.size()) == op) {
        ok = true;
        has_default = op == ":-" || op == ":=" || op == "-" || op == "=";
        break;
      }
    }
    if (!ok) return std::nullopt;
    // Find the matching brace, allowing nested ${...} in the word.
    int depth = 1;
    for (; j < text.size() && depth > 0; ++j) {
      if (text[j] == '\n') return std::nullopt;
      if (text[j] == '{') ++depth;
      if (text[j] == '}') --depth;
    }
    if (depth != 0) return std::nullopt;
    --j;
  }
  return Occurrence{i, j + 1 - i, name, VarSyntax::DollarBrace, has_default};
}

void scan_dollar_brace(std::string_view text, std::vector<Occurrence>& out) {
  for (std::size_t i = text.find('$'); i != std::string_view::npos && i + 2 < text.size(); i = text.find('$', i + 1))
    if (auto occ = dollar_brace_at(text, i)) out.push_back(*occ);
}

/// `$NAME` and `${NAME...}`, for fill: it must find every spelling of a bound shell variable.
void scan_dollar_all(std::string_view text, std::vector<Occurrence>& out) {
  for (std::size_t i = text.find('$'); i != std::string_view::npos && i + 1 < text.size(); i = text.find('$', i + 1)) {
    if (escaped(text, i)) continue;
    if (auto occ = dollar_brace_at(text, i)) {
      out.push_back(*occ);
      continue;
    }
    if (!is_ident_start(text[i + 1])) continue;
    std::size_t j = i + 1;
    while (j < text.size() && is_ident(text[j])) ++j;
    out.push_back({i, j - i, std::string(text.substr(i + 1, j - i - 1)), VarSyntax::Dollar, false});
  }
}

/// Environment variables every shell already has; a runbook never asks the operator for them.
const std::set<std::string, std::less<>> kWellKnown = {
    "HOME", "PATH", "USER", "LOGNAME", "PWD", "OLDPWD", "SHELL", "HOSTNAME", "HOSTTYPE", "OSTYPE",
    "MACHTYPE", "TMPDIR", "TMP", "TEMP", "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "LC_MESSAGES",
    "TERM", "EDITOR", "VISUAL", "PAGER", "RANDOM", "SRANDOM", "IFS", "UID", "EUID", "GID",
    "GROUPS", "PPID", "LINENO", "SECONDS", "EPOCHSECONDS", "EPOCHREALTIME", "BASH", "BASHPID",
    "BASH_SOURCE", "BASH_VERSION", "BASH_LINENO", "BASH_REMATCH", "BASH_ARGV", "BASH_ARGC",
    "BASH_COMMAND", "FUNCNAME", "PIPESTATUS", "REPLY", "OPTARG", "OPTIND", "OPTERR", "SHLVL",
    "PS1", "PS2", "PS3", "PS4", "PROMPT_COMMAND", "HISTFILE", "HISTSIZE", "COLUMNS", "LINES",
    "DIRSTACK", "DISPLAY", "MAIL", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME",
    "XDG_RUNTIME_DIR", "SSH_AUTH_SOCK", "SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY", "TZ",
    // awk built-ins, which show up as `$NF` inside awk programs.
    "NF", "NR", "FNR", "FS", "OFS", "ORS", "RS", "SUBSEP", "RSTART", "RLENGTH", "FILENAME",
    "ENVIRON", "ARGC", "ARGV",
};

/// Byte offset of each line start.
std::vector<std::size_t> line_starts(std::string_view text) {
  std::vector<std::size_t> starts{0};
  for (std::size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n') starts.push_back(i + 1);
  return starts;
}

/// Shell references from the shell module, placed back at a byte offset for ordering.
void scan_shell(std::string_view text, std::vector<Occurrence>& out) {
  if (text.find('$') == std::string_view::npos) return;  // no references: no need to parse the script
  std::vector<shell::VarRef> refs = shell::referenced_variables(text);
  std::erase_if(refs, [](const shell::VarRef& ref) {  // $1, $?, $@ ... and HOME, PATH ...
    return ref.name.empty() || !is_ident_start(ref.name[0]) || kWellKnown.count(ref.name) > 0;
  });
  if (refs.empty()) return;  // only `$( )`, `$1` and the like: the script's own names do not matter
  std::set<std::string> assigned = shell::assigned_names(text);
  std::vector<std::size_t> starts = line_starts(text);
  std::unordered_map<std::string, std::size_t> cursor;  // next search offset per spelling
  for (const shell::VarRef& ref : refs) {
    if (assigned.count(ref.name)) continue;
    std::size_t line = std::min<std::size_t>(ref.line < 0 ? 0 : std::size_t(ref.line), starts.size() - 1);
    std::size_t from = std::max(starts[line], cursor[ref.written]);
    std::size_t pos = ref.written.empty() ? std::string_view::npos : text.find(ref.written, from);
    if (pos == std::string_view::npos) pos = starts[line];
    else cursor[ref.written] = pos + ref.written.size();
    bool brace = ref.written.size() > 1 && ref.written[1] == '{';
    out.push_back({pos, ref.written.size(), ref.name, brace ? VarSyntax::DollarBrace : VarSyntax::Dollar,
                   ref.has_default});
  }
}

// ---------------------------------------------------------------------------------------------
// Mustache placeholders: {{var}}, {{ .Labels.pod }}, {{ name | default "x" }}.

/// Go-template and mustache words that are control flow, not values.
const std::set<std::string, std::less<>> kTemplateKeywords = {
    "range", "end", "if", "else", "with", "define", "template", "block", "include", "len",
    "index", "printf", "print", "json", "not", "and", "or", "eq", "ne", "lt", "gt", "le", "ge",
    "toYaml", "nindent", "indent", "quote", "nil", "true", "false",
};

/// `{{ path }}` at `i` (or `{{{ path }}}`). `command`: shell text, where `{{.Field}}` and
/// `{{$x}}` are docker/kubectl Go templates rather than placeholders.
std::optional<Occurrence> mustache_at(std::string_view text, std::size_t i, bool command) {
  if (text.substr(i, 2) != "{{") return std::nullopt;
  bool triple = text.substr(i, 3) == "{{{";
  std::size_t open = triple ? 3 : 2;
  std::string_view close = triple ? "}}}" : "}}";
  std::size_t end = text.find(close, i + open);
  if (end == std::string_view::npos) return std::nullopt;
  std::string_view inner = text.substr(i + open, end - i - open);
  if (inner.find('\n') != std::string_view::npos) return std::nullopt;
  std::size_t k = 0;
  while (k < inner.size() && inner[k] == ' ') ++k;
  bool sigil = k < inner.size() && (inner[k] == '.' || inner[k] == '$');
  if (sigil && command) return std::nullopt;
  if (sigil) ++k;
  std::size_t start = k;
  // A dotted path of identifiers ('-' allowed after the first character).
  while (k < inner.size() && (is_ident(inner[k]) || inner[k] == '-' || inner[k] == '.')) ++k;
  std::string_view path = inner.substr(start, k - start);
  if (path.empty() || !is_ident_start(path[0]) || !is_ident(path.back())) return std::nullopt;
  if (path.find("..") != std::string_view::npos) return std::nullopt;
  if (kTemplateKeywords.count(path)) return std::nullopt;
  while (k < inner.size() && inner[k] == ' ') ++k;
  bool has_default = false;
  if (k < inner.size()) {
    // Only filters may follow: `| default "x"`, `| title`.
    if (inner[k] != '|') return std::nullopt;
    std::string_view filters = inner.substr(k);
    has_default = filters.find("default") != std::string_view::npos;
  }
  return Occurrence{i, end + close.size() - i, std::string(path), VarSyntax::Mustache, has_default};
}

void scan_mustache(std::string_view text, bool command, std::vector<Occurrence>& out) {
  for (std::size_t i = text.find("{{"); i != std::string_view::npos && i + 4 < text.size(); i = text.find("{{", i + 1)) {
    if (auto occ = mustache_at(text, i, command)) {
      out.push_back(*occ);
      i += occ->len - 1;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Bracket placeholders: [Name], [date/time], [Investigating/Mitigating/Resolved].

/// Labels defined by markdown link reference definitions (`[label]: https://...`).
std::set<std::string> link_labels(std::string_view text) {
  std::set<std::string> labels;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    std::size_t k = 0;
    while (k < line.size() && k < 3 && line[k] == ' ') ++k;
    if (k < line.size() && line[k] == '[') {
      std::size_t close = line.find("]:", k);
      if (close != std::string_view::npos) labels.insert(to_upper(line.substr(k + 1, close - k - 1)));
    }
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return labels;
}

/// True for regex character classes such as `a-z`, `A-Za-z0-9_`.
bool looks_like_char_class(std::string_view s) {
  for (std::size_t i = 1; i + 1 < s.size(); ++i) {
    if (s[i] != '-' || !is_alnum(s[i - 1]) || !is_alnum(s[i + 1])) continue;
    bool left_single = i < 2 || !is_alpha(s[i - 2]);
    bool right_single = i + 2 >= s.size() || !is_alpha(s[i + 2]) || (i + 3 < s.size() && s[i + 3] == '-');
    if (left_single && right_single) return true;
  }
  return false;
}

bool bracket_content_ok(std::string_view s) {
  if (s.empty() || s.size() > 64 || !is_alpha(s[0])) return false;
  if (s == "x" || s == "X") return false;  // task box
  for (char c : s) {
    if (is_alnum(c)) continue;
    if (std::string_view(" _-./,:&'#@+").find(c) == std::string_view::npos) return false;
  }
  if (s.back() == ' ') return false;
  return !looks_like_char_class(s);
}

void scan_bracket(std::string_view text, std::vector<Occurrence>& out) {
  if (text.find('[') == std::string_view::npos) return;
  std::set<std::string> defined = link_labels(text);
  for (std::size_t i = text.find('['); i != std::string_view::npos && i + 2 < text.size(); i = text.find('[', i + 1)) {
    if (escaped(text, i)) continue;
    // `arr[i]`, `f()[0]`, `[x][ref]`, `![img]`, `[[wiki]]` are not placeholders.
    if (i > 0 && (is_ident(text[i - 1]) || std::string_view(")]![$").find(text[i - 1]) != std::string_view::npos))
      continue;
    std::size_t close = text.find_first_of("[]\n", i + 1);
    if (close == std::string_view::npos || text[close] != ']') continue;
    std::string_view content = text.substr(i + 1, close - i - 1);
    if (close + 1 < text.size() && (text[close + 1] == '(' || text[close + 1] == '[')) continue;  // link
    if (!bracket_content_ok(content) || defined.count(to_upper(content))) continue;
    out.push_back({i, close + 1 - i, std::string(content), VarSyntax::Bracket, false});
  }
}

// ---------------------------------------------------------------------------------------------
// Secrets.

/// Splits a name into upper-case words at non-alphanumerics and camelCase humps.
std::vector<std::string> segments(std::string_view name) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    if (!cur.empty()) out.push_back(to_upper(cur));
    cur.clear();
  };
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (!is_alnum(c)) {
      flush();
      continue;
    }
    bool hump = i > 0 && std::isupper(static_cast<unsigned char>(c)) && std::islower(static_cast<unsigned char>(name[i - 1]));
    if (hump) flush();
    cur += c;
  }
  flush();
  return out;
}

/// Words that name a secret only as a whole segment (`MONKEY`, `KEYSPACE`, `PASSAGE` do not).
const std::set<std::string, std::less<>> kSecretSegments = {
    "KEY", "KEYS", "PASS", "PWD", "PW", "AUTH", "AUTHORIZATION", "COOKIE", "COOKIES", "PRIVATE",
    "CREDS", "BEARER", "JWT", "OTP", "PIN", "SALT", "PEM", "DSN",
};
/// Words that name a secret wherever they occur in a segment (`DBPASSWORD`, `ACCESSTOKEN`).
constexpr std::string_view kSecretStems[] = {"PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN",
                                             "CREDENTIAL", "APIKEY", "PRIVATEKEY"};
/// A last word that makes the name about the secret, not the secret: `SECRET_NAME`, `KEY_ID`.
const std::set<std::string, std::less<>> kDescriptors = {
    "NAME", "NAMES", "ID", "IDS", "ARN", "ALIAS", "URL", "URI", "ENDPOINT", "PATH", "FILE", "DIR",
    "TYPE", "METHOD", "MODE", "PROVIDER", "POLICY", "LENGTH", "TTL", "EXPIRY", "COUNT", "VERSION",
    "NAMESPACE", "REF", "HOST", "SERVER", "PORT", "FIELD", "LOCATION", "STORE", "VAULT", "SOCK",
    "SOCKET",
};
/// Words before KEY that make it a data or public key (`PRIMARY_KEY`, `PUBLIC_KEY`).
const std::set<std::string, std::less<>> kDataKeyWords = {
    "PRIMARY", "FOREIGN", "PARTITION", "SORT", "HASH", "CACHE", "REDIS", "OBJECT", "S3", "ROUTING",
    "PUBLIC", "SHARD", "IDEMPOTENCY", "LABEL", "MAP", "JSON", "DEDUP", "GROUP",
};
/// Words after PRIVATE that make it networking (`PRIVATE_IP`).
const std::set<std::string, std::less<>> kNetworkWords = {
    "IP", "IPS", "SUBNET", "DNS", "ADDRESS", "ADDR", "HOSTNAME", "ZONE", "NETWORK", "VPC", "LINK",
    "CIDR", "REGISTRY", "REPO", "CLUSTER", "NODE",
};

bool secret_word(const std::vector<std::string>& seg, std::size_t i) {
  const std::string& s = seg[i];
  if (s == "KEY" || s == "KEYS") return !(i > 0 && kDataKeyWords.count(seg[i - 1]));
  if (s == "PRIVATE") return !(i + 1 < seg.size() && kNetworkWords.count(seg[i + 1]));
  if (kSecretSegments.count(s)) return true;
  for (std::string_view stem : kSecretStems)
    if (s.find(stem) != std::string::npos) return true;
  return false;
}

// ---------------------------------------------------------------------------------------------
// Filling.

/// Where a byte sits in shell text, which decides how a value must be written there.
/// DoubleBrace: the word of `"${X:-word}"`, where single quotes are literal characters.
enum class Ctx { Plain, Single, Double, DoubleBrace, Comment, HeredocExpand, HeredocLiteral };

struct ShellContext {
  std::vector<Ctx> at;               // per byte
  std::vector<int> delim;            // per byte in a heredoc body: its delimiter in `delims`
  std::vector<int> backticks;        // per byte: how many `...` substitutions enclose it
  std::vector<std::string> delims{std::string()};  // [0] is "not in a heredoc"

  std::string_view delimiter_at(std::size_t pos) const { return delims[static_cast<std::size_t>(delim[pos])]; }
};

struct Frame {
  enum Kind { Top, Comsub, Backtick, Brace } kind = Top;
  char quote = 0;          // 0, '\'' or '"'
  int paren = 0;           // open ( in a substitution, open { in a ${ }
  bool dq_brace = false;   // a ${ } inside double quotes, or nested in one
};

struct PendingHeredoc {
  std::string delim;
  bool strip_tabs = false;
  bool expand = true;
};

/// Reads a heredoc operator's delimiter after `<<` / `<<-` at `i`; advances `i` past it.
PendingHeredoc read_heredoc_word(std::string_view text, std::size_t& i) {
  PendingHeredoc h;
  if (i < text.size() && text[i] == '-') {
    h.strip_tabs = true;
    ++i;
  }
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
  while (i < text.size() && std::string_view(" \t\n;|&<>()").find(text[i]) == std::string_view::npos) {
    char c = text[i];
    if (c == '\'' || c == '"') {
      h.expand = false;
      std::size_t end = text.find(c, i + 1);
      if (end == std::string_view::npos) end = text.size();
      h.delim += text.substr(i + 1, end - i - 1);
      i = end + 1;
      continue;
    }
    if (c == '\\') {
      h.expand = false;
      ++i;
      if (i < text.size()) h.delim += text[i++];
      continue;
    }
    h.delim += c;
    ++i;
  }
  return h;
}

/// Marks heredoc bodies starting at `i` (just after a newline); returns the offset after them.
std::size_t mark_heredocs(std::string_view text, std::size_t i, std::vector<PendingHeredoc>& pending,
                          ShellContext& ctx) {
  for (const PendingHeredoc& h : pending) {
    while (i < text.size()) {
      std::size_t nl = text.find('\n', i);
      std::size_t end = nl == std::string_view::npos ? text.size() : nl;
      std::string_view line = text.substr(i, end - i);
      if (h.strip_tabs)
        while (!line.empty() && line.front() == '\t') line.remove_prefix(1);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      std::size_t next = nl == std::string_view::npos ? text.size() : nl + 1;
      if (line == h.delim) {
        i = next;
        break;
      }
      ctx.delims.push_back(h.delim);
      const int index = static_cast<int>(ctx.delims.size()) - 1;
      for (std::size_t k = i; k < next; ++k) {
        ctx.at[k] = h.expand ? Ctx::HeredocExpand : Ctx::HeredocLiteral;
        ctx.delim[k] = index;
      }
      i = next;
    }
  }
  pending.clear();
  return i;
}

/// Classifies every byte of a shell text: quotes, comments, `$( )`, backticks and heredocs.
ShellContext shell_context(std::string_view text) {
  ShellContext ctx{std::vector<Ctx>(text.size(), Ctx::Plain), std::vector<int>(text.size(), 0),
                   std::vector<int>(text.size(), 0)};
  std::vector<Frame> stack{Frame{}};
  std::vector<PendingHeredoc> pending;
  bool comment = false;
  int backticks = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    Frame& f = stack.back();
    ctx.backticks[i] = backticks;
    if (comment) {
      ctx.at[i] = Ctx::Comment;
      if (c != '\n') continue;
      comment = false;
    }
    if (f.quote == '\'') {
      ctx.at[i] = Ctx::Single;
      if (c == '\'') f.quote = 0;
      continue;
    }
    if (f.quote == '"') {
      // `f` dangles once a frame is pushed below, so decide the context first.
      ctx.at[i] = f.dq_brace ? Ctx::DoubleBrace : Ctx::Double;
      if (c == '\\' && i + 1 < text.size()) {
        ctx.at[i + 1] = ctx.at[i];
        ++i;
      } else if (c == '"') {
        f.quote = 0;
      } else if (c == '$' && i + 1 < text.size() && text[i + 1] == '(') {
        stack.push_back(Frame{Frame::Comsub, 0, 0, false});
        ++i;
      } else if (c == '$' && i + 1 < text.size() && text[i + 1] == '{') {
        stack.push_back(Frame{Frame::Brace, 0, 0, true});
        ++i;
      } else if (c == '`') {
        stack.push_back(Frame{Frame::Backtick, 0, 0, false});
        ++backticks;
      }
      continue;
    }
    ctx.at[i] = f.dq_brace ? Ctx::DoubleBrace : Ctx::Plain;
    bool word_start = i == 0 || std::string_view(" \t\n;&|()").find(text[i - 1]) != std::string_view::npos;
    if (c == '\\') {
      ++i;
    } else if (c == '\'' && f.dq_brace) {
      // literal in "${X:-it's}"
    } else if (c == '\'' || c == '"') {
      f.quote = c;
    } else if (c == '#' && word_start) {
      comment = true;
      ctx.at[i] = Ctx::Comment;
    } else if (c == '$' && i + 1 < text.size() && text[i + 1] == '(') {
      stack.push_back(Frame{Frame::Comsub, 0, 0, false});
      ++i;
    } else if (c == '$' && i + 1 < text.size() && text[i + 1] == '{') {
      stack.push_back(Frame{Frame::Brace, 0, 0, f.dq_brace});
      ++i;
    } else if (c == '`') {
      if (f.kind == Frame::Backtick) {
        stack.pop_back();
        --backticks;
      } else {
        stack.push_back(Frame{Frame::Backtick, 0, 0, false});
        ++backticks;
      }
    } else if (f.kind == Frame::Brace && (c == '{' || c == '}')) {
      if (c == '{') ++f.paren;
      else if (f.paren > 0) --f.paren;
      else stack.pop_back();
    } else if (c == '(') {
      ++f.paren;
    } else if (c == ')') {
      if (f.paren > 0) --f.paren;
      else if (f.kind == Frame::Comsub) stack.pop_back();
    } else if (c == '<' && text.substr(i, 2) == "<<" && text.substr(i, 3) != "<<<") {
      std::size_t j = i + 2;
      pending.push_back(read_heredoc_word(text, j));
      i = j - 1;
    } else if (c == '\n' && !pending.empty()) {
      i = mark_heredocs(text, i + 1, pending, ctx) - 1;
    }
  }
  return ctx;
}

std::string replace_all(std::string_view s, char from, std::string_view to) {
  std::string out;
  for (char c : s) {
    if (c == from) out += to;
    else out += c;
  }
  return out;
}

/// True when some line of `value` equals a heredoc delimiter, which would end the heredoc early.
bool ends_heredoc(std::string_view value, std::string_view delim) {
  std::size_t pos = 0;
  for (;;) {
    std::size_t nl = value.find('\n', pos);
    std::string_view line = value.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    while (!line.empty() && line.front() == '\t') line.remove_prefix(1);
    if (line == delim) return true;
    if (nl == std::string_view::npos) return false;
    pos = nl + 1;
  }
}

/// The shell text that yields exactly `value` at a place of context `ctx`.
std::string shell_word(std::string_view value, Ctx ctx, std::string_view delim) {
  switch (ctx) {
    case Ctx::Plain: return shell::quote(value);
    // Close the quote, add one quoted word, reopen: the shell concatenates the three.
    case Ctx::Single: return "'" + shell::quote(value) + "'";
    case Ctx::Double: return "\"" + shell::quote(value) + "\"";
    // Shells disagree on quotes here (dash keeps `'` literal, bash pairs it), so a value with
    // any special character goes through a command substitution, which both parse alike (and
    // which drops trailing newlines).
    case Ctx::DoubleBrace:
      if (value.find_first_of("'\"$`\\}") == std::string_view::npos) return std::string(value);
      return "$(printf '%s' " + shell::quote(value) + ")";
    case Ctx::Comment: return replace_all(replace_all(value, '\n', " "), '\r', " ");
    case Ctx::HeredocExpand: {
      if (value.find_first_of("$`\\\n") == std::string_view::npos) return std::string(value);
      // printf %b turns the escaped text back into the value inside a command substitution
      // (which drops trailing newlines, as any $( ) does).
      std::string escaped = replace_all(replace_all(value, '\\', "\\\\"), '\n', "\\n");
      return "$(printf '%b' " + shell::quote(escaped) + ")";
    }
    case Ctx::HeredocLiteral:
      // Nothing is expanded here; only a delimiter line could break out.
      if (!ends_heredoc(value, delim)) return std::string(value);
      return replace_all(value, '\n', " ");
  }
  return shell::quote(value);
}

/// Inside `...` the shell first removes one level of backslashes before `\`, `` ` `` and `$`;
/// escaping them once per enclosing backtick level hands the inner shell the text we meant.
std::string escape_for_backticks(std::string word, int depth) {
  for (int d = 0; d < depth; ++d) {
    std::string out;
    for (char c : word) {
      if (c == '\\' || c == '`' || c == '$') out += '\\';
      out += c;
    }
    word = std::move(out);
  }
  return word;
}

/// Lower-case `$name` inside single quotes belongs to awk/jq, not to the runbook.
bool awk_style(const Occurrence& occ) {
  return std::none_of(occ.name.begin(), occ.name.end(), [](char c) { return std::isupper(static_cast<unsigned char>(c)); });
}

}  // namespace

// ---------------------------------------------------------------------------------------------

std::string binding_key(std::string_view name) {
  std::string out;
  bool pending_sep = false;
  for (char c : name) {
    if (is_alnum(c) || c == '_') {
      if (pending_sep && !out.empty()) out += '_';
      pending_sep = false;
      out += upper(c);
    } else if (c == '-' || c == '.' || c == '/' || std::isspace(static_cast<unsigned char>(c))) {
      pending_sep = true;  // runs collapse; leading and trailing ones are dropped
    }
    // Anything else (',', ':', '$', non-ASCII) is dropped.
  }
  return out;
}

std::string alias_key(const Variable& var) {
  if (var.syntax != VarSyntax::Mustache) return {};
  std::size_t dot = var.name.rfind('.');
  if (dot == std::string::npos) return {};
  return binding_key(var.name.substr(dot + 1));
}

bool looks_secret(std::string_view name) {
  std::vector<std::string> seg = segments(name);
  for (std::size_t i = seg.size(); i-- > 0;) {
    if (!secret_word(seg, i)) continue;
    // `SECRET_NAME`, `API_KEY_ID`, `SSH_AUTH_SOCK`: a later word says it is about the secret.
    bool described = std::any_of(seg.begin() + std::ptrdiff_t(i) + 1, seg.end(),
                                 [](const std::string& w) { return kDescriptors.count(w) > 0; });
    return !described;
  }
  return false;
}

std::vector<Variable> find_variables(std::string_view text, StepKind kind, Interpreter interpreter,
                                     int first_line) {
  bool shell = interpreter == Interpreter::Shell;
  bool command = interpreter != Interpreter::None;
  std::vector<Occurrence> occ;
  scan_angle(text, command, shell, occ);
  scan_mustache(text, shell, occ);
  if (shell) scan_shell(text, occ);
  else scan_dollar_brace(text, occ);
  if (kind == StepKind::Template || kind == StepKind::Checklist || kind == StepKind::Decision)
    scan_bracket(text, occ);
  if (occ.empty()) return {};  // most blocks and items: no need to index their lines
  std::stable_sort(occ.begin(), occ.end(), [](const Occurrence& a, const Occurrence& b) { return a.pos < b.pos; });

  std::vector<std::size_t> starts = line_starts(text);
  std::vector<Variable> vars;
  std::set<std::string> seen;
  for (const Occurrence& o : occ) {
    std::string key = binding_key(o.name);
    if (key.empty() || !seen.insert(key).second) continue;
    Variable v;
    v.name = o.name;
    v.written = std::string(text.substr(o.pos, o.len));
    v.key = key;
    v.syntax = o.syntax;
    v.secret = looks_secret(o.name);
    v.has_default = o.has_default;
    auto line = std::upper_bound(starts.begin(), starts.end(), o.pos) - starts.begin() - 1;
    v.line = first_line + static_cast<int>(line);
    vars.push_back(std::move(v));
  }
  return vars;
}

std::string fill(std::string_view text, const std::vector<Variable>& vars, const Bindings& bindings,
                 FillMode mode) {
  // Values by key; a variable also binds through its alias (`{{ .Labels.pod }}` by POD).
  std::map<std::string, std::string> values;
  std::set<VarSyntax> syntaxes;
  bool sigil_mustache = false;  // `{{ .Labels.pod }}`: found in non-shell text only
  for (const Variable& v : vars) {
    syntaxes.insert(v.syntax);
    if (v.syntax == VarSyntax::Mustache && v.written.find_first_of(".$") != std::string::npos)
      sigil_mustache = true;
    auto it = bindings.find(v.key);
    std::string alias = alias_key(v);
    if (it == bindings.end() && !alias.empty()) it = bindings.find(alias);
    if (it != bindings.end()) values.emplace(v.key, it->second);
  }
  if (values.empty()) return std::string(text);

  bool shell = mode == FillMode::ShellQuoted;
  std::vector<Occurrence> occ;
  if (syntaxes.count(VarSyntax::Angle)) scan_angle(text, shell, shell, occ);
  if (syntaxes.count(VarSyntax::Mustache)) scan_mustache(text, shell && !sigil_mustache, occ);
  if (syntaxes.count(VarSyntax::Bracket)) scan_bracket(text, occ);
  // Every spelling of a bound shell variable is replaced, `$ID` and `${ID}` alike.
  if (shell) scan_dollar_all(text, occ);
  else if (syntaxes.count(VarSyntax::DollarBrace)) scan_dollar_brace(text, occ);
  std::sort(occ.begin(), occ.end(), [](const Occurrence& a, const Occurrence& b) {
    return a.pos != b.pos ? a.pos < b.pos : a.len > b.len;
  });

  ShellContext ctx;
  if (shell) ctx = shell_context(text);
  std::string out;
  std::size_t cursor = 0;
  for (const Occurrence& o : occ) {
    if (o.pos < cursor) continue;  // inside one already replaced
    auto it = values.find(binding_key(o.name));
    if (it == values.end()) continue;
    std::string repl;
    if (!shell) {
      repl = it->second;
    } else {
      Ctx c = ctx.at[o.pos];
      bool dollar = o.syntax == VarSyntax::Dollar || o.syntax == VarSyntax::DollarBrace;
      // The shell never expands `$X` in a quoted heredoc, nor `'$x'` meant for awk.
      if (dollar && (c == Ctx::HeredocLiteral || (c == Ctx::Single && awk_style(o)))) continue;
      repl = escape_for_backticks(shell_word(it->second, c, ctx.delimiter_at(o.pos)), ctx.backticks[o.pos]);
    }
    out += text.substr(cursor, o.pos - cursor);
    out += repl;
    cursor = o.pos + o.len;
  }
  out += text.substr(cursor);
  return out;
}

}  // namespace runbook::playbook
