/* qbench memory: a tensor's footprint in every storage format, metadata included. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>

#include "cli/cli.h"
#include "numerics/memory.h"

#define QB__FORMATS (QB_CLI_FMT_BIT(QB_CLI_JSON) | QB_CLI_FMT_BIT(QB_CLI_CSV) | QB_CLI_FMT_BIT(QB_CLI_MD))

static void qb__help(void) {
  printf(
      "usage: qbench memory --shape DIMS [--format table|json|csv|md] [--json]\n"
      "                     [--out FILE|- [--force]]\n"
      "\n"
      "Prints the bytes a tensor of shape DIMS (e.g. 2000x2000) takes in each format:\n"
      "f64, f32, f16, bf16, fp8, and 8-bit and 4-bit integers with per-tensor,\n"
      "per-channel (the first dimension) or block-32 scales; the metadata (f32 scales,\n"
      "s32 zero points) is counted, and each total is compared with f32 and f64.\n"
      "\n"
      "As JSON: one object, the shape and an array of the formats.\n"
      "\n"
      "  --shape DIMS   dimensions separated by 'x'\n");
  qb_cli_out_help(stdout, QB__FORMATS);
}

static void qb__print_json(FILE* f, const uint64_t* dims, int ndim, const qb_memory_row* rows, size_t k) {
  json_t* root = json_object();
  json_t* shape = json_array();
  json_t* arr = json_array();
  for (int i = 0; i < ndim; i++) json_array_append_new(shape, json_integer((json_int_t) dims[i]));
  for (size_t i = 0; i < k; i++) {
    json_array_append_new(
        arr,
        json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:f, s:f, s:f}", "format", rows[i].name, "dtype",
                  qb_dtype_get(rows[i].dtype)->name, "scheme", qb_mem_scheme_name(rows[i].scheme), "elements",
                  (json_int_t) rows[i].elements, "data_bytes", (json_int_t) rows[i].data_bytes,
                  "metadata_bytes", (json_int_t) rows[i].metadata_bytes, "footprint_bytes",
                  (json_int_t) rows[i].total_bytes, "bytes_per_element", rows[i].bytes_per_element,
                  "ratio_to_f32", rows[i].ratio_to_f32, "ratio_to_f64", rows[i].ratio_to_f64));
  }
  json_object_set_new(root, "shape", shape);
  json_object_set_new(root, "formats", arr);
  json_dumpf(root, f, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
  fputc('\n', f);
  json_decref(root);
}

int qb_cmd_memory(qb_ctx* ctx, int argc, char** argv) {
  static const struct option opts[] = {{"shape", required_argument, NULL, 's'},
                                       QB_CLI_OUT_OPTIONS,
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  const char* shape = NULL;
  int c;
  qb_cli_out out;
  qb_cli_out_init(&out, "memory", QB__FORMATS);
  uint64_t dims[QB_MEMORY_MAX_DIMS];
  int ndim;
  qb_error err = {0};
  qb_memory_row rows[QB_MEMORY_MAX_ROWS];
  (void) ctx;
  while ((c = qb_cli_out_getopt(&out, argc, argv, "+h", opts)) != -1) {
    switch (c) {
      case 'h':
        qb__help();
        return 0;
      case 's':
        shape = optarg;
        break;
      default: /* QB_CLI_OPT_USAGE: the error is printed */
        return 2;
    }
  }
  if (qb_cli_out_no_operands(&out, argc, argv) != 0) return 2;
  if (shape == NULL) return qb_cli_usage_error("memory", "--shape is required (e.g. --shape 2000x2000)");
  if (qb_memory_parse_shape(shape, dims, &ndim, &err) != QB_OK) {
    return qb_cli_usage_error("memory", "--shape: %s", err.msg);
  }
  const size_t k = qb_memory_table(dims, ndim, rows, sizeof rows / sizeof rows[0]);
  if (qb_cli_out_begin(&out) != 0) return 2;
  if (out.format == QB_CLI_JSON) {
    qb__print_json(out.f, dims, ndim, rows, k);
    return qb_cli_out_end(&out, 0);
  }
  static const char* const cols[] = {
      "format", "data_bytes", "metadata_bytes", "total_bytes", "bytes_per_element", "vs_f32", "vs_f64"};
  static const bool right[] = {false, true, true, true, true, true, true};
  qb_cli_table* t = qb_cli_table_new(7, cols, right);
  if (t == NULL) return qb_cli_out_end(&out, 2);
  for (size_t i = 0; i < k; i++) {
    char v[6][32];
    snprintf(v[0], sizeof v[0], "%llu", (unsigned long long) rows[i].data_bytes);
    snprintf(v[1], sizeof v[1], "%llu", (unsigned long long) rows[i].metadata_bytes);
    snprintf(v[2], sizeof v[2], "%llu", (unsigned long long) rows[i].total_bytes);
    snprintf(v[3], sizeof v[3], "%.4f", rows[i].bytes_per_element);
    snprintf(v[4], sizeof v[4], "%.4f", rows[i].ratio_to_f32);
    snprintf(v[5], sizeof v[5], "%.4f", rows[i].ratio_to_f64);
    const char* row[] = {rows[i].name, v[0], v[1], v[2], v[3], v[4], v[5]};
    qb_cli_table_add(t, row);
  }
  /* The shape is a line above the aligned table; the data formats are the rows alone. */
  if (out.format == QB_CLI_TABLE)
    fprintf(out.f, "shape %s: %llu elements\n", shape, (unsigned long long) rows[0].elements);
  qb_cli_table_print(t, out.format, out.f);
  qb_cli_table_free(t);
  return qb_cli_out_end(&out, 0);
}
