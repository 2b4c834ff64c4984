#include "sql/libpq.h"

#include <dlfcn.h>

#include <cstdlib>
#include <string>

namespace runbook::sql::detail {

namespace {

util::Result<const LibPq*> open_libpq() {
  // The soname of libpq 10 and later; RUNBOOK_LIBPQ names another file (a path or a soname).
  const char* name = std::getenv("RUNBOOK_LIBPQ");
  if (!name || !*name) name = "libpq.so.5";
  void* handle = dlopen(name, RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = dlerror();
    return util::Error{std::string("cannot load the PostgreSQL client library (") + (why ? why : name) +
                       "); install it (Debian: apt-get install libpq5) or point RUNBOOK_LIBPQ at it", "", 0};
  }
  static LibPq table;
#define RUNBOOK_LIBPQ_LOOKUP(fn)                                                                    \
  table.fn = reinterpret_cast<decltype(table.fn)>(dlsym(handle, #fn));                              \
  if (!table.fn) return util::Error{std::string(name) + " has no function " #fn "; libpq 10 or later is needed", "", 0};
  RUNBOOK_LIBPQ_FUNCTIONS(RUNBOOK_LIBPQ_LOOKUP)
#undef RUNBOOK_LIBPQ_LOOKUP
  return static_cast<const LibPq*>(&table);
}

}  // namespace

const util::Result<const LibPq*>& libpq() {
  static const util::Result<const LibPq*> loaded = open_libpq();  // the handle stays open
  return loaded;
}

}  // namespace runbook::sql::detail
