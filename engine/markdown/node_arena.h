#pragma once
// A region allocator for one cmark-gfm tree.
//
// cmark-gfm allocates every node, every inline and every growing buffer on its own, and frees
// them one by one; with the system allocator that is a quarter of a parse. A NodeArena serves
// the small allocations made while one document is parsed from a few large chunks: a freed
// block goes on a free list for its size (or, if it was the last one handed out, back to the
// chunk), and the chunks go back at once when the document goes: to a small per-thread pool
// that the next document's arena draws on, or to the system. Big blocks (growing buffers,
// mostly) are left to the heap, where realloc need not copy them.
//
// cmark_mem carries no context pointer, so the arena in use is a per-thread setting made for
// the duration of a parse (NodeArena::Scope). Every block carries a small header saying where
// it came from, so allocations cmark makes later, outside any scope (a text node's literal is
// copied out on first access), come from the heap and are freed normally, on any thread.

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

struct cmark_mem;

namespace runbook::markdown {

class NodeArena {
 public:
  /// `expected_bytes`: the size of the first chunk (later chunks double, up to a cap).
  explicit NodeArena(std::size_t expected_bytes);
  ~NodeArena();
  NodeArena(const NodeArena&) = delete;
  NodeArena& operator=(const NodeArena&) = delete;

  /// The allocator to hand to cmark_parser_new_with_mem. One object for every arena: which arena
  /// serves a request is decided by the thread's current Scope.
  static cmark_mem* allocator();

  /// Makes `arena` the current thread's arena until destroyed; scopes nest.
  class Scope {
   public:
    explicit Scope(NodeArena& arena);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    NodeArena* previous_;
  };

  /// Bytes taken from the system for chunks so far.
  std::size_t reserved_bytes() const { return reserved_; }

  // Used by the allocator functions; `p` is always a block this arena handed out.
  /// Blocks bigger than this are left to the heap.
  static constexpr std::size_t kLargestBlock = 1024;
  /// A zeroed block of at most kLargestBlock bytes: reused, or cut from the current chunk.
  void* allocate(std::size_t bytes);
  /// Takes the block back for reuse.
  void release(void* p, std::size_t bytes);
  /// Grows the block at `p` in place when it is the last one cut from the current chunk and the
  /// chunk has room; false otherwise.
  bool grow_in_place(void* p, std::size_t old_bytes, std::size_t new_bytes);
  /// What every block of this arena carries in its header, to tell it from other arenas' blocks.
  std::uint64_t tag() const;

 private:
  struct FreeBlock {
    FreeBlock* next;
  };
  /// A chunk of at least `size` bytes (from the thread's pool when it has one); its size in `size`.
  char* take_chunk(std::size_t& size);

  struct Chunk {
    char* base;
    std::size_t size;
  };
  std::vector<Chunk> chunks_;
  std::array<FreeBlock*, kLargestBlock / 16> free_{};  ///< free_[i]: free blocks of 16 * (i + 1) bytes
  char* cursor_ = nullptr;  ///< unused space of the current chunk: [cursor_, end_)
  char* end_ = nullptr;
  void* last_ = nullptr;  ///< the block cut last from the current chunk, while it is in use
  std::size_t next_chunk_;
  std::size_t reserved_ = 0;
};

}  // namespace runbook::markdown
