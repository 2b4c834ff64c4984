// parse_severity and parse_duration on the kinds of text incident runbooks put in headings,
// metadata lines and escalation tables.

#include <doctest.h>

#include <string>

#include "playbook/severity.h"

namespace rp = runbook::playbook;
using std::chrono::seconds;

namespace {

/// rank/label/name of a parsed severity, or "none".
std::string sev(std::string_view text) {
  auto s = rp::parse_severity(text, 7);
  if (!s) return "none";
  return std::to_string(s->rank) + "/" + s->label + "/" + s->name;
}

/// "min..max" in seconds, or "none".
std::string dur(std::string_view text) {
  auto d = rp::parse_duration(text);
  if (!d) return "none";
  return std::to_string(d->min.count()) + ".." + std::to_string(d->max.count());
}

}  // namespace

TEST_CASE("severity: P codes with a class word") {
  CHECK(sev("P0 - Critical") == "0/P0/Critical");
  CHECK(sev("P1 - High") == "1/P1/High");
  CHECK(sev("**P2 - Medium**") == "2/P2/Medium");
  CHECK(sev("P3 (Low)") == "3/P3/Low");
  CHECK(sev("P4 - Informational") == "4/P4/Informational");
  CHECK(sev("p1-high") == "1/P1/High");
}

TEST_CASE("severity: prefixes are stripped and source/line are kept") {
  auto s = rp::parse_severity("  Severity: P0 - Critical ", 12);
  REQUIRE(s);
  CHECK(s->rank == 0);
  CHECK(s->label == "P0");
  CHECK(s->name == "Critical");
  CHECK(s->source == "Severity: P0 - Critical");
  CHECK(s->line == 12);
  CHECK(sev("Priority: High") == "1/High/High");
  CHECK(sev("**Severity:** P1") == "1/P1/High");
  CHECK(sev("## Severity: P2 - Medium") == "2/P2/Medium");
}

TEST_CASE("severity: SEV codes map SEV1 to the top class") {
  CHECK(sev("SEV0") == "0/SEV0/Critical");
  CHECK(sev("SEV1") == "0/SEV1/Critical");
  CHECK(sev("SEV2") == "1/SEV2/High");
  CHECK(sev("Sev 1") == "0/SEV1/Critical");
  CHECK(sev("SEV-3") == "2/SEV3/Medium");
  CHECK(sev("sev4") == "3/SEV4/Low");
  CHECK(sev("SEV5") == "4/SEV5/Info");
  CHECK(sev("Severity 2") == "1/SEV2/High");
  // The code decides the rank; the written word is kept as the name.
  CHECK(sev("sev-1 (major)") == "0/SEV1/Major");
}

TEST_CASE("severity: bare class words") {
  CHECK(sev("Critical") == "0/Critical/Critical");
  CHECK(sev("high") == "1/High/High");
  CHECK(sev("Major") == "1/Major/High");
  CHECK(sev("Moderate") == "2/Moderate/Medium");
  CHECK(sev("Low") == "3/Low/Low");
  CHECK(sev("Minor") == "3/Minor/Low");
  CHECK(sev("Info") == "4/Info/Info");
  CHECK(sev("Critical - full outage of checkout") == "0/Critical/Critical");
  CHECK(sev("High (customer facing)") == "1/High/High");
}

TEST_CASE("severity: text that names none") {
  CHECK(sev("") == "none");
  CHECK(sev("Database connection pool exhausted") == "none");
  CHECK(sev("L1") == "none");
  CHECK(sev("Level 2 support") == "none");
  CHECK(sev("High CPU usage on worker nodes") == "none");
  CHECK(sev("Low disk space on /var") == "none");
  CHECK(sev("HTTP2 upgrade failures") == "none");
  CHECK(sev("P9") == "none");
  CHECK(sev("several replicas lagging") == "none");
  CHECK(sev("Critical path analysis") == "none");
}

TEST_CASE("severity: the first code wins in running text") {
  CHECK(sev("Page the on-call for P0/P1 incidents") == "0/P0/Critical");
  CHECK(sev("Incident declared as SEV2, downgraded later") == "1/SEV2/High");
}

TEST_CASE("duration: single values in every unit spelling") {
  CHECK(dur("15 minutes") == "900..900");
  CHECK(dur("1 hour") == "3600..3600");
  CHECK(dur("30m") == "1800..1800");
  CHECK(dur("2h") == "7200..7200");
  CHECK(dur("90s") == "90..90");
  CHECK(dur("45 sec") == "45..45");
  CHECK(dur("10 mins") == "600..600");
  CHECK(dur("3 hrs") == "10800..10800");
  CHECK(dur("2 days") == "172800..172800");
  CHECK(dur("1 week") == "604800..604800");
  CHECK(dur("1d") == "86400..86400");
  CHECK(dur("an hour") == "3600..3600");
  CHECK(dur("1.5 hours") == "5400..5400");
  CHECK(dur("**15 minutes**") == "900..900");
}

TEST_CASE("duration: ranges and upper bounds") {
  CHECK(dur("Immediate (0-5 minutes)") == "0..300");
  CHECK(dur("1-2 hours") == "3600..7200");
  CHECK(dur("5-30 minutes") == "300..1800");
  CHECK(dur("5 to 10 minutes") == "300..600");
  CHECK(dur("30 min - 1 hour") == "1800..3600");
  CHECK(dur("< 15 minutes") == "0..900");
  CHECK(dur("<15min") == "0..900");
  CHECK(dur("within 48 hours") == "0..172800");
  CHECK(dur("Under 5 minutes") == "0..300");
  CHECK(dur("up to 2h") == "0..7200");
  CHECK(dur("less than 1 hour") == "0..3600");
}

TEST_CASE("duration: compound values") {
  CHECK(dur("1h30m") == "5400..5400");
  CHECK(dur("1 hour 30 minutes") == "5400..5400");
  CHECK(dur("2 hours and 15 minutes") == "8100..8100");
}

TEST_CASE("duration: words and sentences") {
  CHECK(dur("Immediate") == "0..0");
  CHECK(dur("Immediately") == "0..0");
  CHECK(dur("Immediate to manager if not resolved in 30 minutes") == "1800..1800");
  CHECK(dur("To DBA team if not resolved in 1 hour") == "3600..3600");
  CHECK(dur("Next business day") == "0..86400");
}

TEST_CASE("duration: text that states no time") {
  CHECK(dur("") == "none");
  CHECK(dur("Engineering Manager") == "none");
  CHECK(dur("As needed") == "none");
  CHECK(dur("24/7 coverage") == "none");
  CHECK(dur("Escalate to Security Team and Legal") == "none");
  CHECK(dur("Disk at 95% on 3 nodes") == "none");
  CHECK(dur("512mb heap") == "none");
  CHECK(dur("P1") == "none");
  CHECK(dur("Step 2 has 4 checks") == "none");
}
