/* Fuzz target: run journals as `qbench recover` and `qbench run --resume` read them
 * (host/io/journal.h qb_journal_parse), and the results document built from one. */
#include "fuzz_check.h"
#include "io/journal.h"

#define QB__NAME "fuzz.journal"

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  qb_journal_data d;
  qb_error err = {0};
  const qb_status st = qb_journal_parse((const char*) data, size, QB__NAME, &d, &err);
  if (st != QB_OK) {
    qb_fuzz_check_error(st, &err, QB__NAME);
    return 0;
  }
  /* A journal that parses: a header, then whole cases with unique names, each a
   * non-empty list of its own rows; at most the roofs a journal may hold. */
  QB_FUZZ_CHECK(json_is_object(d.header), "no header");
  QB_FUZZ_CHECK(d.lines >= 1, "%zu lines", d.lines);
  QB_FUZZ_CHECK(json_array_size(d.roofs) <= QB_JOURNAL_MAX_ROOFS, "%zu roofs", json_array_size(d.roofs));
  uint64_t rows = 0;
  size_t i;
  const json_t* c;
  json_array_foreach(d.cases, i, c) {
    const char* name = json_string_value(json_object_get(c, "name"));
    QB_FUZZ_CHECK(name != NULL && name[0] != '\0', "case %zu without a name", i);
    const json_t* found = qb_journal_case_rows(&d, name);
    QB_FUZZ_CHECK(found == json_object_get(c, "rows"), "case '%s' found elsewhere (a duplicate name)", name);
    QB_FUZZ_CHECK(json_array_size(found) > 0, "case '%s' without rows", name);
    size_t k;
    const json_t* r;
    json_array_foreach(found, k, r) {
      const char* rn = json_string_value(json_object_get(r, "run_name"));
      QB_FUZZ_CHECK(rn != NULL && strcmp(rn, name) == 0, "row %zu of '%s' belongs elsewhere", k, name);
    }
    rows += json_array_size(found);
  }
  QB_FUZZ_CHECK(rows == d.rows, "%llu rows counted, %llu kept", (unsigned long long) rows,
                (unsigned long long) d.rows);
  /* What recover writes from it: every row, incomplete exactly when cases are missing. */
  size_t cases = 0, errors = 0;
  bool incomplete = false;
  json_t* doc = qb_journal_results(&d, &cases, &errors, &incomplete);
  QB_FUZZ_CHECK(json_is_object(doc), "no document");
  QB_FUZZ_CHECK(json_array_size(json_object_get(doc, "benchmarks")) == d.rows, "rows lost on the way");
  QB_FUZZ_CHECK(cases == json_array_size(d.cases), "%zu cases", cases);
  const json_t* q = json_object_get(json_object_get(doc, "context"), "qbench");
  QB_FUZZ_CHECK(json_is_true(json_object_get(q, "recovered")), "not marked recovered");
  QB_FUZZ_CHECK(json_is_boolean(json_object_get(q, "incomplete")), "incomplete not a boolean");
  char* text = json_dumps(doc, JSON_COMPACT);
  QB_FUZZ_CHECK(text != NULL, "the document does not serialize");
  free(text);
  json_decref(doc);
  qb_journal_data_free(&d);
  return 0;
}
