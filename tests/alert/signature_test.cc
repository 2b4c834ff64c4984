#include <doctest.h>

#include <string>

#include "alert/signature.h"
#include "util/hmac.h"

using runbook::alert::pagerduty_signature_ok;
using runbook::util::constant_time_equal;
using runbook::util::hmac_sha256_hex;

TEST_CASE("HMAC-SHA256: RFC 4231 test cases") {
  CHECK(hmac_sha256_hex(std::string(20, '\x0b'), "Hi There") ==
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  CHECK(hmac_sha256_hex("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  CHECK(hmac_sha256_hex(std::string(20, '\xaa'), std::string(50, '\xdd')) ==
        "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
  std::string key4;
  for (char c = 1; c <= 25; ++c) key4 += c;
  CHECK(hmac_sha256_hex(key4, std::string(50, '\xcd')) ==
        "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
  // Test case 5 checks the first 128 bits only.
  CHECK(hmac_sha256_hex(std::string(20, '\x0c'), "Test With Truncation").substr(0, 32) ==
        "a3b6167473100ee06e0c796c2955552b");
  // Keys longer than the block are hashed first.
  CHECK(hmac_sha256_hex(std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First") ==
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  CHECK(hmac_sha256_hex(std::string(131, '\xaa'),
                        "This is a test using a larger than block-size key and a larger than block-size data. "
                        "The key needs to be hashed before being used by the HMAC algorithm.") ==
        "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

TEST_CASE("constant_time_equal compares bytes, lengths first") {
  CHECK(constant_time_equal("", ""));
  CHECK(constant_time_equal("abc", "abc"));
  CHECK_FALSE(constant_time_equal("abc", "abd"));
  CHECK_FALSE(constant_time_equal("abc", "xbc"));
  CHECK_FALSE(constant_time_equal("abc", "abcd"));
  CHECK(constant_time_equal(std::string("a\0b", 3), std::string("a\0b", 3)));
  CHECK_FALSE(constant_time_equal(std::string("a\0b", 3), std::string("a\0c", 3)));
}

TEST_CASE("PagerDuty signature: v1 HMAC of the body, one of several, any hex case") {
  const std::string body = R"({"event":{}})";
  const std::string good = "v1=2c984a26b96792f49173390b114619a17f5699a0bb42f13aff472b980b3080b5";
  CHECK(hmac_sha256_hex("secret", body) == good.substr(3));
  CHECK(pagerduty_signature_ok("secret", body, good));
  CHECK(pagerduty_signature_ok("secret", body, "v1=00ff," + good));   // rotation: old and new secret
  CHECK(pagerduty_signature_ok("secret", body, "v1=abcd, " + good + " ,v2=zz"));
  CHECK(pagerduty_signature_ok("secret", body, "v1=2C984A26B96792F49173390B114619A17F5699A0BB42F13AFF472B980B3080B5"));

  CHECK_FALSE(pagerduty_signature_ok("other", body, good));                 // wrong secret
  CHECK_FALSE(pagerduty_signature_ok("secret", body + " ", good));          // body changed
  CHECK_FALSE(pagerduty_signature_ok("secret", body, good.substr(3)));      // no version
  CHECK_FALSE(pagerduty_signature_ok("secret", body, "v2=" + good.substr(3)));
  CHECK_FALSE(pagerduty_signature_ok("secret", body, good.substr(0, good.size() - 1)));
  CHECK_FALSE(pagerduty_signature_ok("secret", body, ""));
  CHECK_FALSE(pagerduty_signature_ok("secret", body, ",,"));
  CHECK_FALSE(pagerduty_signature_ok("", body, "v1=" + hmac_sha256_hex("", body)));  // no secret configured
}
