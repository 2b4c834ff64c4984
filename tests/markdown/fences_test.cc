#include <doctest.h>

#include "markdown/embedded.h"
#include "markdown/fences.h"

using runbook::markdown::find_embedded_documents;
using runbook::markdown::FenceLine;
using runbook::markdown::parse_fence_line;
using runbook::markdown::scan_fenced_blocks;

TEST_CASE("fence lines follow CommonMark's shape") {
  FenceLine f;
  CHECK(parse_fence_line("```bash {timeout=5s}", 3, &f));
  CHECK(f.length == 3);
  CHECK(f.info == "bash {timeout=5s}");
  CHECK(f.line == 3);
  CHECK(parse_fence_line("   ~~~~", 1, &f));
  CHECK(f.ch == '~');
  CHECK(f.indent == 3);
  CHECK_FALSE(parse_fence_line("``not a fence", 1, &f));
  CHECK_FALSE(parse_fence_line("``` has `backtick` in info", 1, &f));
  CHECK_FALSE(parse_fence_line("text ```", 1, &f));
}

TEST_CASE("scan pairs fences and reports the unterminated one") {
  auto blocks = scan_fenced_blocks("```sh\nls\n```\n\n````\n```\ninner\n```\n````\n```sql\nSELECT 1;\n");
  REQUIRE(blocks.size() == 3);
  CHECK(blocks[0].open.line == 1);
  CHECK(blocks[0].close_line == 3);
  CHECK(blocks[1].open.line == 5);
  CHECK(blocks[1].close_line == 9);  // a shorter fence inside does not close a longer one
  CHECK(blocks[2].open.info == "sql");
  CHECK(blocks[2].close_line == 0);
}

TEST_CASE("a well-formed ````markdown document is recovered with its inner fences") {
  const char* text =
      "# Outer\n"            // 1
      "````markdown\n"       // 2
      "# Playbook: Disk\n"   // 3
      "```bash\n"            // 4
      "df -h\n"              // 5
      "```\n"                // 6
      "````\n"               // 7
      "after\n";             // 8
  auto docs = find_embedded_documents(text);
  REQUIRE(docs.size() == 1);
  CHECK(docs[0].open_line == 2);
  CHECK(docs[0].close_line == 7);
  CHECK(docs[0].text == "# Playbook: Disk\n```bash\ndf -h\n```\n");
  CHECK(docs[0].stray_fence_lines.empty());
}

TEST_CASE("embedded openers in any case, after blanks, with tildes; other fences are not openers") {
  // Documents without an opener are not split into lines at all; these check the quick test
  // that decides it lets every kind of opener through and finds nothing where there is none.
  auto tilde = find_embedded_documents("intro\n~~~~ \tMD\n# Inner\n~~~~\n");
  REQUIRE(tilde.size() == 1);
  CHECK(tilde[0].open_line == 2);
  CHECK(tilde[0].text == "# Inner\n");
  auto upper = find_embedded_documents("```bash\nls\n```\n```Markdown {title=x}\n# T\n```\n");
  REQUIRE(upper.size() == 1);
  CHECK(upper[0].open_line == 4);
  CHECK(find_embedded_documents("```bash\nmake\n```\n~~~\nmd5sum x\n~~~\n```mermaid\ngraph\n```\n").empty());
  CHECK(find_embedded_documents("no fences, markdown and md in prose\n").empty());
}

TEST_CASE("mis-nested embedded documents: doubled closers are strays, ``` openers hold ```` closers") {
  const char* text =
      "````markdown\n"        // 1
      "# Playbook: A\n"       // 2
      "```bash\n"             // 3
      "echo a\n"              // 4
      "```\n"                 // 5
      "````\n"                // 6  doubled closer: stray
      "## More of A\n"        // 7
      "```\n"                 // 8  untyped inner block
      "Status: x\n"           // 9
      "```\n"                 // 10
      "````\n"                // 11 end of A
      "\n"                    // 12
      "```markdown\n"         // 13
      "# Playbook: B\n"       // 14
      "```sql\n"              // 15
      "SELECT 1;\n"           // 16
      "````\n"                // 17 closes the sql block (longer closer)
      "## More of B\n"        // 18
      "````\n"                // 19 end of B
      "```python\n"           // 20 outer content
      "x = 1\n"               // 21
      "````\n";               // 22
  auto docs = find_embedded_documents(text);
  REQUIRE(docs.size() == 2);
  CHECK(docs[0].open_line == 1);
  CHECK(docs[0].close_line == 11);
  CHECK(docs[0].stray_fence_lines == std::vector<int>{6});
  CHECK(docs[0].text.find("## More of A") != std::string::npos);
  CHECK(docs[0].text.find("````") == std::string::npos);  // the stray is blanked
  CHECK(docs[1].open_line == 13);
  CHECK(docs[1].close_line == 19);
  CHECK(docs[1].text.find("## More of B") != std::string::npos);
  CHECK(docs[1].text.find("x = 1") == std::string::npos);
}

TEST_CASE("an unterminated embedded document stops before the next one") {
  const char* text = "```markdown\n# A\n```bash\nls\n\n```markdown\n# B\n```\n";
  auto docs = find_embedded_documents(text);
  REQUIRE(docs.size() == 2);
  CHECK(docs[0].close_line == 0);
  CHECK(docs[0].last_line == 5);
  CHECK(docs[1].open_line == 6);
}
