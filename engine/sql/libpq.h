#pragma once
// libpq, opened at run time.
//
// The PostgreSQL client library pulls in some twenty shared libraries (OpenSSL, GnuTLS,
// Kerberos, LDAP, ...). Linked at build time, the dynamic loader maps and relocates all of them
// at every start of `runbook`, `render` and `lint` included, which cost more than a whole parse.
// So libpq is opened with dlopen() the first time a PostgreSQL target connects, and only the
// functions the driver calls are looked up. The types still come from <libpq-fe.h>.

#include <libpq-fe.h>

#include "util/result.h"

namespace runbook::sql::detail {

// Every libpq function the driver uses. X(name) is expanded once to declare the pointers and
// once to look them up.
#define RUNBOOK_LIBPQ_FUNCTIONS(X)                                                                   \
  X(PQcancel) X(PQclear) X(PQcmdStatus) X(PQcmdTuples) X(PQconnectdbParams) X(PQconsumeInput)      \
  X(PQerrorMessage) X(PQfinish) X(PQfname) X(PQfreeCancel) X(PQfreemem) X(PQftype) X(PQgetCancel)  \
  X(PQgetCopyData) X(PQgetisnull) X(PQgetlength) X(PQgetResult) X(PQgetvalue) X(PQisBusy)          \
  X(PQnfields) X(PQntuples) X(PQputCopyEnd) X(PQresultErrorField) X(PQresultErrorMessage)          \
  X(PQresultStatus) X(PQsendQuery) X(PQsetNoticeProcessor) X(PQsetSingleRowMode) X(PQsocket)       \
  X(PQstatus) X(PQtransactionStatus)

struct LibPq {
#define RUNBOOK_LIBPQ_POINTER(name) decltype(&::name) name = nullptr;
  RUNBOOK_LIBPQ_FUNCTIONS(RUNBOOK_LIBPQ_POINTER)
#undef RUNBOOK_LIBPQ_POINTER
};

/// The library, opened on first use (thread-safe); afterwards the same table every time. The
/// error says which file could not be opened or which function is missing, and how to fix it.
const util::Result<const LibPq*>& libpq();

}  // namespace runbook::sql::detail
