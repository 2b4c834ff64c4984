// The runners that start nothing: the scripted fake and the dry-run runner.

#include <doctest.h>

#include <string>
#include <vector>

#include "exec/fake_runner.h"

namespace {

using namespace runbook::exec;
using End = RunResult::End;

struct CollectSink : OutputSink {
  std::vector<std::pair<Stream, std::string>> chunks;
  void on_output(Stream stream, std::string_view chunk, std::chrono::milliseconds) override {
    chunks.emplace_back(stream, std::string(chunk));
  }
};

}  // namespace

TEST_CASE("FakeRunner: default reply is exit 0 without output, and calls are recorded") {
  FakeRunner fake;
  CollectSink sink;
  CommandSpec spec;
  spec.script = "kubectl get pods";
  spec.env = {{"A", "1"}};
  spec.cwd = "/srv";
  auto r = fake.run(spec, sink);
  CHECK(r.succeeded());
  CHECK(r.stdout_bytes == 0);
  CHECK(sink.chunks.empty());
  spec.script = "second";
  fake.run(spec, sink);
  REQUIRE(fake.calls().size() == 2);
  CHECK(fake.calls()[0].script == "kubectl get pods");
  CHECK(fake.calls()[0].env.at("A") == "1");
  CHECK(fake.calls()[0].cwd == "/srv");
  CHECK(fake.calls()[1].script == "second");
}

TEST_CASE("FakeRunner: scripted replies are replayed through the sink") {
  FakeRunner fake([](const CommandSpec& spec) {
    FakeRunner::Reply reply;
    if (spec.script == "fail") {
      reply.err = "boom\n";
      reply.result.end = End::Exited;
      reply.result.exit_code = 2;
    } else if (spec.script == "big") {
      reply.out = std::string(150 * 1024, 'x');
      reply.result.end = End::Exited;
      reply.result.exit_code = 0;
    } else {
      reply.out = "hello\n";
      reply.err = "warn\n";
      reply.result.end = End::Exited;
      reply.result.exit_code = 0;
    }
    return reply;
  });
  CollectSink sink;
  CommandSpec spec;
  spec.script = "hello";
  auto r = fake.run(spec, sink);
  CHECK(r.succeeded());
  CHECK(r.stdout_bytes == 6);
  CHECK(r.stderr_bytes == 5);
  REQUIRE(sink.chunks.size() == 2);
  CHECK(sink.chunks[0] == std::pair<Stream, std::string>(Stream::Stdout, "hello\n"));
  CHECK(sink.chunks[1] == std::pair<Stream, std::string>(Stream::Stderr, "warn\n"));

  CollectSink fail_sink;
  spec.script = "fail";
  r = fake.run(spec, fail_sink);
  CHECK(r.end == End::Exited);
  CHECK(r.exit_code == 2);
  CHECK(r.stderr_bytes == 5);

  CollectSink big_sink;
  spec.script = "big";
  r = fake.run(spec, big_sink);
  CHECK(r.stdout_bytes == 150u * 1024u);
  REQUIRE(big_sink.chunks.size() == 3);  // at most 64 KiB per chunk, like the real runner
  CHECK(big_sink.chunks[0].second.size() == 64u * 1024u);
  CHECK(fake.calls().size() == 3);
}

TEST_CASE("FakeRunner: an interrupt raised before the call ends it as Interrupted") {
  FakeRunner fake;
  Interrupt interrupt;
  interrupt.raise();
  CollectSink sink;
  CommandSpec spec;
  spec.script = "x";
  auto r = fake.run(spec, sink, &interrupt);
  CHECK(r.end == End::Interrupted);
  CHECK(fake.calls().size() == 1);
}

TEST_CASE("DryRunRunner runs nothing") {
  DryRunRunner dry;
  CollectSink sink;
  CommandSpec spec;
  spec.script = "touch /tmp/runbook-dry-run-must-not-exist";
  auto r = dry.run(spec, sink);
  CHECK(r.end == End::FailedToStart);
  CHECK(r.error == "dry run");
  CHECK(sink.chunks.empty());
  CHECK_FALSE(r.succeeded());
}
