#include "markdown/node_arena.h"

#include <cmark-gfm.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace runbook::markdown {

namespace {

// Every block starts with a header, so realloc knows the old size and free knows whose block it
// is: the heap's (freed), the current arena's (reused) or another arena's (left to that arena).
struct alignas(16) Header {
  std::size_t size;
  std::uint64_t origin;
};
static_assert(sizeof(Header) == 16);

constexpr std::uint64_t kFromHeap = 0x68656170'626c6f6bULL;  // "heapblok"
constexpr std::uint64_t kArenaMark = 0x6172656e'61626c6bULL;  // "arenablk", mixed with the arena's address
constexpr std::size_t kMaxChunk = std::size_t{4} << 20;
constexpr std::size_t kMinChunk = std::size_t{16} << 10;

thread_local NodeArena* current = nullptr;

// Chunks of arenas gone, kept for the next document parsed on the same thread: fresh memory from
// the system costs a page fault a page, and a parse touches every page of its chunks.
constexpr std::size_t kPoolBytes = std::size_t{8} << 20;
struct ChunkPool {
  std::vector<std::pair<char*, std::size_t>> chunks;
  std::size_t bytes = 0;
  ~ChunkPool() {
    for (auto& c : chunks) std::free(c.first);
  }
};
thread_local ChunkPool pool;

/// A block's capacity: its size rounded up to 16, and never 0 (a free block holds a pointer).
std::size_t capacity(std::size_t n) { return n == 0 ? 16 : (n + 15) & ~std::size_t{15}; }

Header* header_of(void* p) { return static_cast<Header*>(p) - 1; }

[[noreturn]] void out_of_memory() {
  // What cmark-gfm's own allocator does: its callers cannot handle a null, and an exception
  // cannot unwind through C frames.
  std::fputs("runbook: out of memory while parsing markdown\n", stderr);
  std::abort();
}

void* heap_allocate(std::size_t bytes) {
  auto* h = static_cast<Header*>(std::calloc(1, sizeof(Header) + bytes));
  if (!h) out_of_memory();
  h->size = bytes;
  h->origin = kFromHeap;
  return h + 1;
}

void* any_allocate(std::size_t bytes) {
  if (current && bytes <= NodeArena::kLargestBlock) return current->allocate(bytes);
  return heap_allocate(bytes);
}

void* mem_calloc(std::size_t count, std::size_t size) {
  if (size != 0 && count > (SIZE_MAX - 64) / size) out_of_memory();
  return any_allocate(count * size);
}

void mem_free(void* p) {
  if (!p) return;
  Header* h = header_of(p);
  if (h->origin == kFromHeap)
    std::free(h);
  else if (current && h->origin == current->tag())
    current->release(p, h->size);
  // Otherwise the block goes when its arena does.
}

void* mem_realloc(void* p, std::size_t bytes) {
  if (!p) return any_allocate(bytes);
  Header* h = header_of(p);
  if (h->origin == kFromHeap) {
    // Heap blocks stay on the heap: std::realloc can move a big one without copying it.
    auto* grown = static_cast<Header*>(std::realloc(h, sizeof(Header) + bytes));
    if (!grown) out_of_memory();
    grown->size = bytes;
    return grown + 1;
  }
  bool ours = current && h->origin == current->tag();
  if (ours && current->grow_in_place(p, h->size, bytes)) {
    h->size = bytes;
    return p;
  }
  std::size_t old_size = h->size;
  void* fresh = any_allocate(bytes);
  std::memcpy(fresh, p, std::min(old_size, bytes));
  if (ours) current->release(p, old_size);
  return fresh;
}

cmark_mem arena_mem = {mem_calloc, mem_realloc, mem_free};

}  // namespace

NodeArena::NodeArena(std::size_t expected_bytes)
    : next_chunk_(std::clamp(capacity(expected_bytes), kMinChunk, kMaxChunk)) {}

NodeArena::~NodeArena() {
  for (const Chunk& c : chunks_) {
    if (pool.bytes + c.size <= kPoolBytes) {
      pool.chunks.emplace_back(c.base, c.size);
      pool.bytes += c.size;
    } else {
      std::free(c.base);
    }
  }
}

cmark_mem* NodeArena::allocator() { return &arena_mem; }

std::uint64_t NodeArena::tag() const { return kArenaMark ^ reinterpret_cast<std::uintptr_t>(this); }

NodeArena::Scope::Scope(NodeArena& arena) : previous_(current) { current = &arena; }
NodeArena::Scope::~Scope() { current = previous_; }

char* NodeArena::take_chunk(std::size_t& size) {
  char* base = nullptr;
  for (auto it = pool.chunks.begin(); it != pool.chunks.end(); ++it) {
    if (it->second < size) continue;
    base = it->first;
    size = it->second;
    pool.bytes -= size;
    pool.chunks.erase(it);
    break;
  }
  if (!base) base = static_cast<char*>(std::malloc(size));
  if (!base) out_of_memory();
  chunks_.push_back({base, size});
  reserved_ += size;
  return base;
}

void* NodeArena::allocate(std::size_t bytes) {
  std::size_t cap = capacity(bytes);
  char* block;
  if (FreeBlock*& head = free_[cap / 16 - 1]) {
    block = reinterpret_cast<char*>(head) - sizeof(Header);
    head = head->next;
  } else {
    std::size_t need = sizeof(Header) + cap;
    if (static_cast<std::size_t>(end_ - cursor_) < need) {
      std::size_t size = next_chunk_;
      cursor_ = take_chunk(size);
      end_ = cursor_ + size;
      next_chunk_ = std::min(next_chunk_ * 2, kMaxChunk);
    }
    block = cursor_;
    cursor_ += need;
    last_ = block + sizeof(Header);
  }
  auto* h = reinterpret_cast<Header*>(block);
  h->size = bytes;
  h->origin = tag();
  std::memset(h + 1, 0, cap);
  return h + 1;
}

void NodeArena::release(void* p, std::size_t bytes) {
  if (p == last_) {
    cursor_ = static_cast<char*>(p) - sizeof(Header);
    last_ = nullptr;
    return;
  }
  auto* f = static_cast<FreeBlock*>(p);
  FreeBlock*& head = free_[capacity(bytes) / 16 - 1];
  f->next = head;
  head = f;
}

bool NodeArena::grow_in_place(void* p, std::size_t old_bytes, std::size_t new_bytes) {
  if (p != last_ || new_bytes > kLargestBlock) return false;
  std::size_t have = capacity(old_bytes), want = capacity(new_bytes);
  if (want <= have) return true;
  if (static_cast<std::size_t>(end_ - cursor_) < want - have) return false;
  std::memset(cursor_, 0, want - have);
  cursor_ += want - have;
  return true;
}

}  // namespace runbook::markdown
