/* qbench memory: a tensor's footprint in every storage format, metadata included. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>

#include "cli/cli.h"
#include "numerics/memory.h"

static void qb__help(void) {
  printf(
      "usage: qbench memory --shape DIMS [--json]\n"
      "\n"
      "Prints the bytes a tensor of shape DIMS (e.g. 2000x2000) takes in each format:\n"
      "f64, f32, f16, bf16, fp8, and 8-bit and 4-bit integers with per-tensor,\n"
      "per-channel (the first dimension) or block-32 scales; the metadata (f32 scales,\n"
      "s32 zero points) is counted, and each total is compared with f32 and f64.\n"
      "\n"
      "  --shape DIMS   dimensions separated by 'x'\n"
      "  --json         one JSON object instead of the table\n");
}

static void qb__print_json(const uint64_t* dims, int ndim, const qb_memory_row* rows, size_t k) {
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
  json_dumpf(root, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
  printf("\n");
  json_decref(root);
}

int qb_cmd_memory(qb_ctx* ctx, int argc, char** argv) {
  static const struct option opts[] = {{"shape", required_argument, NULL, 's'},
                                       {"json", no_argument, NULL, 'j'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  const char* shape = NULL;
  int json = 0, c;
  uint64_t dims[QB_MEMORY_MAX_DIMS];
  int ndim;
  qb_error err = {0};
  qb_memory_row rows[32];
  (void) ctx;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
    switch (c) {
      case 'h':
        qb__help();
        return 0;
      case 's':
        shape = optarg;
        break;
      case 'j':
        json = 1;
        break;
      default:
        return qb_cli_usage_error("memory", "unknown or incomplete option '%s'", argv[optind - 1]);
    }
  }
  if (optind < argc) return qb_cli_usage_error("memory", "unexpected argument '%s'", argv[optind]);
  if (shape == NULL) return qb_cli_usage_error("memory", "--shape is required (e.g. --shape 2000x2000)");
  if (qb_memory_parse_shape(shape, dims, &ndim, &err) != QB_OK) {
    return qb_cli_usage_error("memory", "--shape: %s", err.msg);
  }
  const size_t k = qb_memory_table(dims, ndim, rows, sizeof rows / sizeof rows[0]);
  if (json) {
    qb__print_json(dims, ndim, rows, k);
    return 0;
  }
  printf("shape %s: %llu elements\n", shape, (unsigned long long) rows[0].elements);
  printf("%-20s %16s %14s %16s %9s %8s %8s\n", "format", "data bytes", "metadata", "total bytes", "B/elem",
         "vs f32", "vs f64");
  for (size_t i = 0; i < k; i++) {
    printf("%-20s %16llu %14llu %16llu %9.4f %8.4f %8.4f\n", rows[i].name,
           (unsigned long long) rows[i].data_bytes, (unsigned long long) rows[i].metadata_bytes,
           (unsigned long long) rows[i].total_bytes, rows[i].bytes_per_element, rows[i].ratio_to_f32,
           rows[i].ratio_to_f64);
  }
  return 0;
}
