// Output redirections found in raw shell text.
#include <doctest.h>

#include "safety/redirects.h"

using runbook::safety::find_output_redirects;

TEST_CASE("output redirections are found with their targets") {
  auto r = find_output_redirects("kubectl get pods -o yaml > pods.yaml");
  REQUIRE(r.size() == 1);
  CHECK(r[0].op == ">");
  CHECK(r[0].target == "pods.yaml");

  r = find_output_redirects("journalctl -u nginx >> \"/var/tmp/nginx log.txt\" 2>&1");
  REQUIRE(r.size() == 1);
  CHECK(r[0].op == ">>");
  CHECK(r[0].target == "/var/tmp/nginx log.txt");

  r = find_output_redirects("make 2> errors.txt &> all.txt");
  REQUIRE(r.size() == 2);
  CHECK(r[0].op == "2>");
  CHECK(r[1].op == "&>");

  r = find_output_redirects("echo x >| forced.txt");
  REQUIRE(r.size() == 1);
  CHECK(r[0].op == ">|");
}

TEST_CASE("things that are not output redirections") {
  CHECK(find_output_redirects("curl -s localhost 2>&1 | grep ok").empty());
  CHECK(find_output_redirects("echo oops >&2").empty());
  CHECK(find_output_redirects("awk '$3 > 100' file").empty());
  CHECK(find_output_redirects("psql -c \"select * from t where a > 1\"").empty());
  CHECK(find_output_redirects("echo a\\>b").empty());
  CHECK(find_output_redirects("if (( count > 3 )); then echo many; fi").empty());
  CHECK(find_output_redirects("echo $(( 4 > 3 ))").empty());
  CHECK(find_output_redirects("[[ $a > $b ]] && echo yes").empty());
  CHECK(find_output_redirects("kubectl get pods # > not-a-file").empty());
  CHECK(find_output_redirects("diff <(sort a) <(sort b)").empty());
  CHECK(find_output_redirects("tee >(grep x) < input").empty());
  CHECK(find_output_redirects("psql <<'SQL'\nselect * from t where a > 1;\nSQL\n").empty());
  CHECK(find_output_redirects("cat <<-EOF\n\tvalue > 3\n\tEOF\n").empty());
}

TEST_CASE("a redirect after a heredoc body is still found") {
  auto r = find_output_redirects("cat <<EOF > /etc/app.conf\nkey > value\nEOF\n");
  REQUIRE(r.size() == 1);
  CHECK(r[0].target == "/etc/app.conf");
  r = find_output_redirects("cat <<EOF\nline\nEOF\necho done > log.txt");
  REQUIRE(r.size() == 1);
  CHECK(r[0].target == "log.txt");
}
