#include <doctest.h>

#include <random>
#include <string>
#include <utility>
#include <vector>

#include "evidence/redact.h"

namespace {

using runbook::evidence::Redactor;

std::string apply(const std::string& text) { return Redactor().apply(text); }

/// apply_to's pieces, joined.
std::string pieces(const Redactor& r, std::string_view text, std::size_t* count = nullptr) {
  std::string out;
  std::size_t n = 0;
  r.apply_to(text, [&](std::string_view piece) {
    out.append(piece);
    ++n;
  });
  if (count) *count = n;
  return out;
}

}  // namespace

TEST_CASE("secret assignments: PGPASSWORD and *PASSWORD/TOKEN/SECRET/API_KEY") {
  CHECK(apply("PGPASSWORD=hunter2 psql -h db") == "PGPASSWORD=[REDACTED] psql -h db");
  CHECK(apply("export DB_PASSWORD='two words'") == "export DB_PASSWORD='[REDACTED]'");
  CHECK(apply("GITHUB_TOKEN=\"abc def\" make") == "GITHUB_TOKEN=\"[REDACTED]\" make");
  CHECK(apply("CLIENT_SECRET=s3cr3t") == "CLIENT_SECRET=[REDACTED]");
  CHECK(apply("STRIPE_API_KEY=sk_live_123") == "STRIPE_API_KEY=[REDACTED]");
  CHECK(apply("db_passwd=x1y2") == "db_passwd=[REDACTED]");
  CHECK(apply("aws_secret_access_key = wJalrXUtnFEMI") == "aws_secret_access_key = [REDACTED]");
  CHECK(apply("env: PGPASSWORD=a PGUSER=bob") == "env: PGPASSWORD=[REDACTED] PGUSER=bob");
  CHECK(apply("{\"cmd\":\"PGPASSWORD=\\\"abc\\\" psql\"}") == "{\"cmd\":\"PGPASSWORD=\\\"[REDACTED]\\\" psql\"}");
}

TEST_CASE("keys in JSON and YAML, and option values") {
  CHECK(apply("{\"password\": \"p w\", \"user\": \"bob\"}") == "{\"password\": \"[REDACTED]\", \"user\": \"bob\"}");
  CHECK(apply("{\"api_key\":12345,\"n\":1}") == "{\"api_key\":[REDACTED],\"n\":1}");
  CHECK(apply("  password: aHVudGVyMg==") == "  password: [REDACTED]");
  CHECK(apply("- client_secret: abc def ") == "- client_secret: [REDACTED] ");
  CHECK(apply("X-Api-Key: 0123456789") == "X-Api-Key: [REDACTED]");
  CHECK(apply("mysql --password=x1 --user u") == "mysql --password=[REDACTED] --user u");
  CHECK(apply("mysql --password x2 --user u") == "mysql --password [REDACTED] --user u");
  CHECK(apply("tool --db-password 'a b' -v") == "tool --db-password '[REDACTED]' -v");
  CHECK(apply("kubectl create secret generic db --from-literal=password=hunter2 --from-literal=user=bob") ==
        "kubectl create secret generic db --from-literal=password=[REDACTED] --from-literal=user=bob");
}

TEST_CASE("Authorization headers") {
  CHECK(apply("curl -H 'Authorization: Bearer abc.def-123' https://api") ==
        "curl -H 'Authorization: Bearer [REDACTED]' https://api");
  CHECK(apply("authorization: basic dXNlcjpwYXNz") == "authorization: basic [REDACTED]");
  CHECK(apply("Proxy-Authorization: Basic Zm9vOmJhcg==") == "Proxy-Authorization: Basic [REDACTED]");
  CHECK(apply("Authorization: abcdef") == "Authorization: [REDACTED]");
  CHECK(apply("-H \"Authorization: Bearer $TOKEN\"") == "-H \"Authorization: Bearer [REDACTED]\"");
}

TEST_CASE("credentials and tokens in URLs") {
  CHECK(apply("git clone https://bob:pa55w0rd@github.com/x/y.git") == "git clone https://bob:[REDACTED]@github.com/x/y.git");
  CHECK(apply("postgres://app:s3cr3t@db:5432/app?sslmode=require") == "postgres://app:[REDACTED]@db:5432/app?sslmode=require");
  CHECK(apply("https://example.com/cb?token=abc123&x=1") == "https://example.com/cb?token=[REDACTED]&x=1");
  CHECK(apply("GET /api?access_token=zzz HTTP/1.1") == "GET /api?access_token=[REDACTED] HTTP/1.1");
  CHECK(apply("https://example.com/path/a@b") == "https://example.com/path/a@b");  // '@' after the host
  CHECK(apply("ssh://git@github.com/x") == "ssh://git@github.com/x");            // user only
}

TEST_CASE("token shapes: AWS, GitHub, Slack, JWT") {
  CHECK(apply("key AKIAIOSFODNN7EXAMPLE here") == "key [REDACTED] here");
  CHECK(apply("AKIAIOSFODNN7EXAMPLEX") == "AKIAIOSFODNN7EXAMPLEX");  // 21 characters: not a key
  CHECK(apply("akiaiosfodnn7example") == "akiaiosfodnn7example");
  CHECK(apply("ghp_abcdefghijklmnopqrstuvwxyz0123456789 x") == "[REDACTED] x");
  CHECK(apply("gho_ABCDEFGHIJKLMNOPQRSTUVWX") == "[REDACTED]");
  CHECK(apply("github_pat_11ABCDEFG0123456789_abcdefghij") == "[REDACTED]");
  CHECK(apply("ghp_short") == "ghp_short");
  CHECK(apply("SLACK=xoxb-123456789012-abcdefABCDEF") == "SLACK=[REDACTED]");
  CHECK(apply("xoxp-1234-5678-abcdef rest") == "[REDACTED] rest");
  CHECK(apply("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl_-x end") == "jwt [REDACTED] end");
  CHECK(apply("eyJhbGciOiJub25lIn0.eyJhIjoxfQ.") == "[REDACTED]");
  CHECK(apply("eyJhbGciOiJIUzI1NiJ9 alone") == "eyJhbGciOiJIUzI1NiJ9 alone");
}

TEST_CASE("ordinary output is left alone") {
  for (const char* text : {"5 tokens left", "Enter password: ", "--secret-name my-secret", "kubectl get secrets -n prod",
                           "NAME READY STATUS\npod-1 1/1 Running\n", "see https://example.com/docs", "passwords differ",
                           "the token expired at 10:00", "", "\n\n", "x", "Authorization failed"}) {
    INFO(text);
    CHECK(apply(text) == text);
    CHECK_FALSE(Redactor().touches(text));
  }
}

TEST_CASE("patterns never run into the next line") {
  CHECK(apply("PGPASSWORD=\nnext line") == "PGPASSWORD=\nnext line");
  CHECK(apply("mysql --password\nvalue") == "mysql --password\nvalue");
  CHECK(apply("a\nTOKEN=x\nb\n") == "a\nTOKEN=[REDACTED]\nb\n");
  CHECK(apply("Authorization: Bearer\nabc") == "Authorization: [REDACTED]\nabc");
}

TEST_CASE("added secrets are replaced wherever they appear") {
  Redactor r;
  CHECK_FALSE(r.add_secret("abc"));  // too short
  CHECK(r.add_secret("hunter22"));
  CHECK(r.add_secret("hunter22-long"));
  CHECK(r.apply("a hunter22 b hunter22-long c hunter22") == "a [REDACTED] b [REDACTED] c [REDACTED]");
  CHECK(r.apply("xhunter22x") == "x[REDACTED]x");
  CHECK(r.touches("...hunter22"));
  CHECK_FALSE(r.touches("hunter2"));
  CHECK(r.secret_count() == 2);
}

TEST_CASE("a secret of several lines is caught whole and line by line") {
  Redactor r;
  REQUIRE(r.add_secret("-----BEGIN KEY-----\nMIIEpAIBAAKCAQEA1\nshort\n-----END KEY-----"));
  CHECK(r.apply("x\n-----BEGIN KEY-----\nMIIEpAIBAAKCAQEA1\nshort\n-----END KEY-----\ny") == "x\n[REDACTED]\ny");
  // Line by line, as streamed output would arrive.
  CHECK(r.apply("MIIEpAIBAAKCAQEA1\n") == "[REDACTED]\n");
  CHECK(r.apply("short\n") == "short\n");  // lines under 8 bytes are not secrets on their own
}

TEST_CASE("config patterns: whole match or the first group") {
  Redactor r;
  std::string error;
  CHECK_FALSE(r.add_pattern("(unclosed", &error));
  CHECK_FALSE(error.empty());
  CHECK(r.pattern_count() == 0);
  REQUIRE(r.add_pattern("ssn-[0-9]{3}-[0-9]{4}"));
  REQUIRE(r.add_pattern("pin=([0-9]+)"));
  CHECK(r.apply("id ssn-123-4567 and pin=9876 ok\npin=1") == "id [REDACTED] and pin=[REDACTED] ok\npin=[REDACTED]");
  CHECK(r.apply("PGPASSWORD=x pin=1") == "PGPASSWORD=[REDACTED] pin=[REDACTED]");  // built-ins still apply
}

TEST_CASE("apply_to delivers pieces that join to apply(), untouched stretches as views") {
  Redactor r;
  REQUIRE(r.add_secret("s3cr3t-value"));
  std::string text;
  for (int i = 0; i < 2000; ++i) {
    text += "line " + std::to_string(i) + " ordinary output\n";
    if (i % 500 == 7) text += "TOKEN=abc" + std::to_string(i) + "\n";
    if (i % 700 == 3) text += "echo s3cr3t-value\n";
  }
  std::size_t count = 0;
  const std::string joined = pieces(r, text, &count);
  CHECK(joined == r.apply(text));
  CHECK(joined.find("s3cr3t-value") == std::string::npos);
  CHECK(joined.find("TOKEN=abc") == std::string::npos);
  CHECK(joined.find("TOKEN=[REDACTED]\n") != std::string::npos);
  CHECK(count <= 2 * 7 + 1);  // a piece before and at each hit, and the rest
  std::size_t none = 0;
  const std::string clean = "nothing to see\nat all\n";
  CHECK(pieces(r, clean, &none) == clean);
  CHECK(none == 1);
}

TEST_CASE("random text: apply equals line-by-line redaction, and nothing secret survives") {
  // Builds lines from fragments, some secret; redacting the whole text and each line alone agree.
  std::mt19937 rng(42);
  const std::vector<std::pair<std::string, std::string>> fragments = {
      {"plain words ", "plain words "},
      {"PGPASSWORD=pw1 ", "PGPASSWORD=[REDACTED] "},
      {"https://u:pw2@h/ ", "https://u:[REDACTED]@h/ "},
      {"AKIAABCDEFGHIJKLMNOP ", "[REDACTED] "},
      {"xoxb-0123456789ab ", "[REDACTED] "},
      {"tokens ", "tokens "},
      {"\xc3\xa9t\xc3\xa9 ", "\xc3\xa9t\xc3\xa9 "},
      {"ghp_0123456789abcdefghijKLMN ", "[REDACTED] "},
      {"{\"secret\":\"pw3\"} ", "{\"secret\":\"[REDACTED]\"} "},
  };
  Redactor r;
  std::string text, expected;
  std::vector<std::string> lines;
  for (int l = 0; l < 300; ++l) {
    std::string line, want;
    const int n = static_cast<int>(rng() % 6);
    for (int k = 0; k < n; ++k) {
      const auto& f = fragments[rng() % fragments.size()];
      line += f.first;
      want += f.second;
    }
    text += line + "\n";
    expected += want + "\n";
    lines.push_back(line);
  }
  CHECK(r.apply(text) == expected);
  std::string by_line;
  for (const auto& l : lines) by_line += r.apply(l) + "\n";
  CHECK(by_line == expected);
  for (const char* leaked : {"pw1", "pw2", "pw3", "AKIAABCD", "xoxb-", "ghp_"}) CHECK(expected.find(leaked) == std::string::npos);
}
