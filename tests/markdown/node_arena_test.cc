#include <doctest.h>

#include <cmark-gfm.h>

#include <cstring>
#include <string>
#include <thread>

#include "markdown/document.h"
#include "markdown/node_arena.h"

using runbook::markdown::Document;
using runbook::markdown::NodeArena;

namespace {

bool all_zero(const void* p, std::size_t n) {
  const auto* b = static_cast<const unsigned char*>(p);
  for (std::size_t i = 0; i < n; ++i)
    if (b[i] != 0) return false;
  return true;
}

}  // namespace

TEST_CASE("the arena hands freed blocks out again, zeroed") {
  cmark_mem* mem = NodeArena::allocator();
  NodeArena arena(1 << 16);
  NodeArena::Scope scope(arena);

  void* a = mem->calloc(1, 40);
  void* b = mem->calloc(1, 40);
  std::memset(a, 0xab, 40);
  std::memset(b, 0xcd, 40);
  const std::size_t reserved = arena.reserved_bytes();
  CHECK(reserved > 0);

  mem->free(a);  // not the last block: onto the free list for its size
  void* again = mem->calloc(5, 8);
  CHECK(again == a);
  CHECK(all_zero(again, 40));

  mem->free(b);  // the last block: back to the chunk, so the next one starts where it did
  void* next = mem->calloc(1, 100);
  CHECK(next == b);
  CHECK(all_zero(next, 100));
  CHECK(arena.reserved_bytes() == reserved);
}

TEST_CASE("the last block grows in place; others move and keep their bytes") {
  cmark_mem* mem = NodeArena::allocator();
  NodeArena arena(1 << 16);
  NodeArena::Scope scope(arena);

  auto* first = static_cast<char*>(mem->calloc(1, 16));
  std::memcpy(first, "0123456789abcde", 16);
  auto* grown = static_cast<char*>(mem->realloc(first, 64));
  CHECK(grown == first);
  CHECK(std::string(grown) == "0123456789abcde");
  CHECK(all_zero(grown + 16, 48));

  void* other = mem->calloc(1, 16);
  auto* moved = static_cast<char*>(mem->realloc(grown, 200));
  CHECK(moved != grown);
  CHECK(moved != other);
  CHECK(std::string(moved) == "0123456789abcde");
}

TEST_CASE("big blocks and blocks made outside a parse come from the heap") {
  cmark_mem* mem = NodeArena::allocator();
  NodeArena arena(1 << 16);
  {
    NodeArena::Scope scope(arena);
    void* small = mem->calloc(1, 32);
    const std::size_t reserved = arena.reserved_bytes();
    auto* big = static_cast<char*>(mem->calloc(1, NodeArena::kLargestBlock + 1));
    CHECK(arena.reserved_bytes() == reserved);
    std::memset(big, 'x', NodeArena::kLargestBlock + 1);
    // Grown far past any chunk: the heap's realloc keeps the bytes (and ASan sees the block).
    big = static_cast<char*>(mem->realloc(big, std::size_t{8} << 20));
    CHECK(big[NodeArena::kLargestBlock] == 'x');
    mem->free(big);
    mem->free(small);
  }
  // No scope: the heap, freed for real (a leak or a bad free here is ASan's to report).
  void* loose = mem->calloc(3, 10);
  CHECK(all_zero(loose, 30));
  mem->free(loose);
}

TEST_CASE("a block freed under another arena's scope is left to its own arena") {
  cmark_mem* mem = NodeArena::allocator();
  NodeArena a(1 << 16), b(1 << 16);
  void* from_a;
  {
    NodeArena::Scope in_a(a);
    from_a = mem->calloc(1, 48);
    mem->calloc(1, 48);  // so from_a is not the last block
  }
  NodeArena::Scope in_b(b);
  mem->free(from_a);
  void* from_b = mem->calloc(1, 48);
  CHECK(from_b != from_a);
}

TEST_CASE("a parsed document outlives its parse: text read later, on another thread") {
  std::string md = "# Title\n\n";
  std::string long_paragraph;
  for (int i = 0; i < 2000; ++i) long_paragraph += "word" + std::to_string(i) + " ";
  md += long_paragraph + "\n\n";
  for (int i = 0; i < 500; ++i) md += "- [ ] item " + std::to_string(i) + "\n";
  md += "\n```bash\nkubectl get pods\n```\n";

  Document doc = Document::parse(md);
  Document moved = std::move(doc);
  std::string paragraph, code;
  int items = 0;
  std::thread reader([&] {
    for (cmark_node* n = cmark_node_first_child(moved.root()); n; n = cmark_node_next(n)) {
      if (cmark_node_get_type(n) == CMARK_NODE_PARAGRAPH) paragraph = runbook::markdown::inline_text(n);
      if (cmark_node_get_type(n) == CMARK_NODE_CODE_BLOCK) code = cmark_node_get_literal(n);
      if (cmark_node_get_type(n) == CMARK_NODE_LIST)
        for (cmark_node* it = cmark_node_first_child(n); it; it = cmark_node_next(it)) items += 1;
    }
  });
  reader.join();
  while (!long_paragraph.empty() && long_paragraph.back() == ' ') long_paragraph.pop_back();
  CHECK(paragraph == long_paragraph);
  CHECK(code == "kubectl get pods\n");
  CHECK(items == 500);
}
