/* qbench error: the numerical-error part alone, every family's picked variant over every
 * distribution, against the f64 reference and the scalar reference. */
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cmd_error_data.h"
#include "numerics/casedata.h"

#define QB__DEFAULT_N 262144

static void qb__help(void) {
  printf(
      "usage: qbench [--isa ISA] error [--n N] [--seed S] [--round pytorch|tflite]\n"
      "                    [--format table|json] [--json] [--out FILE|- [--force]]\n"
      "       qbench error --data FILE.safetensors|FILE.npy [--tensor NAME | --all]\n"
      "                    [--formats F,F,...] [--axis A] [--format table|json] [--json]\n"
      "                    [--out FILE|- [--force]]\n"
      "\n"
      "Runs every family's picked variant on N elements of every distribution and prints\n"
      "the SQNR (dB) against an f64 reference computed from the same input, family by\n"
      "distribution, with the largest error in ulps of the output dtype, the outputs that\n"
      "overflowed the format and those differing from the scalar reference.\n"
      "Families with a length limit (integer dots) or a block length use the longest n\n"
      "within it. Exit code 1 when a variant differs from its scalar reference.\n"
      "\n"
      "  --n N        elements per case (default %d)\n"
      "  --seed S     the distributions' seed (default 1)\n"
      "  --round R    rounding of the quantize families: pytorch (default) or tflite\n"
      "  --format F   table (default) or json (every figure); --out FILE|-, --force and\n"
      "               --json as below\n"
      "\n"
      "With --data, the file's tensors are the workload instead (f16, bf16 and f64 tensors\n"
      "converted to f32, with a note): every tensor through every storage format (casts,\n"
      "affine per tensor and per channel, llama.cpp blocks, int4 groups), one row per tensor\n"
      "and format (SQNR, max abs and relative error, bits per element with metadata), then a\n"
      "summary per format: SQNR weighted by the tensors' energy, total bytes, ratio to f32.\n"
      "  --data FILE     a .safetensors (every tensor unless --tensor) or .npy file\n"
      "  --tensor NAME   one tensor of a .safetensors file (--all: every one, the default)\n"
      "  --formats LIST  formats by name (q8_0, qu4g128, f16, qs8_quantc, ... or a family)\n"
      "  --axis A        the channel axis of per-channel formats (default 0: rows of a 2-D\n"
      "                  weight); a 1-D tensor is one channel\n"
      "\n",
      QB__DEFAULT_N);
  qb_cli_out_help(stdout, QB_CLI_FMT_BIT(QB_CLI_JSON));
}

/* The n a family can take: at most its limit, a multiple of its block length. */
static size_t qb__family_n(const qb_family_info* f, uint64_t n) {
  if (n > f->max_n) n = f->max_n;
  n -= n % f->n_multiple;
  return n ? (size_t) n : (size_t) f->n_multiple;
}

static void qb__cell(FILE* f, double sqnr) {
  if (isinf(sqnr) && sqnr > 0) {
    fprintf(f, " %9s", "exact");
  } else {
    fprintf(f, " %9.2f", sqnr);
  }
}

int qb_cmd_error(qb_ctx* ctx, int argc, char** argv) {
  static const struct option opts[] = {{"n", required_argument, NULL, 'n'},
                                       {"seed", required_argument, NULL, 's'},
                                       {"round", required_argument, NULL, 'r'},
                                       QB_CLI_OUT_OPTIONS,
                                       {"help", no_argument, NULL, 'h'},
                                       {"data", required_argument, NULL, 'D'},
                                       {"tensor", required_argument, NULL, 'T'},
                                       {"all", no_argument, NULL, 'A'},
                                       {"formats", required_argument, NULL, 'F'},
                                       {"axis", required_argument, NULL, 'X'},
                                       {NULL, 0, NULL, 0}};
  qb_error_data_opts data = {NULL, NULL, NULL, 0, 0, NULL};
  int all = 0, data_only = 0;
  uint64_t n = QB__DEFAULT_N, seed = 1;
  qb_round_mode round = QB_ROUND_PYTORCH;
  int c, rc = 0;
  qb_cli_out out;
  qb_cli_out_init(&out, "error", QB_CLI_FMT_BIT(QB_CLI_JSON));
  while ((c = qb_cli_out_getopt(&out, argc, argv, "+h", opts)) != -1) {
    switch (c) {
      case 'h':
        qb__help();
        return 0;
      case 'n':
        if (!qb_parse_u64(optarg, 1, UINT64_C(1) << 32, &n)) {
          return qb_cli_usage_error("error", "--n '%s': expected an integer from 1 to 2^32", optarg);
        }
        break;
      case 's':
        if (!qb_parse_u64(optarg, 0, UINT64_MAX, &seed)) {
          return qb_cli_usage_error("error", "--seed '%s': expected a non-negative integer", optarg);
        }
        break;
      case 'r':
        if (strcmp(optarg, "pytorch") == 0) {
          round = QB_ROUND_PYTORCH;
        } else if (strcmp(optarg, "tflite") == 0) {
          round = QB_ROUND_TFLITE;
        } else {
          return qb_cli_usage_error("error", "--round '%s': expected pytorch or tflite", optarg);
        }
        break;
      case 'D':
        data.path = optarg;
        break;
      case 'T':
        data.tensor = optarg;
        data_only = 1;
        break;
      case 'A':
        all = 1;
        data_only = 1;
        break;
      case 'F':
        data.formats = optarg;
        data_only = 1;
        break;
      case 'X': {
        uint64_t a;
        if (!qb_parse_u64(optarg, 0, 7, &a)) {
          return qb_cli_usage_error("error", "--axis '%s': expected an integer from 0 to 7", optarg);
        }
        data.axis = (int) a;
        data_only = 1;
        break;
      }
      default: /* QB_CLI_OPT_USAGE: the error is printed */
        return 2;
    }
  }
  if (qb_cli_out_no_operands(&out, argc, argv) != 0) return 2;
  if (data.path == NULL && data_only) {
    return qb_cli_usage_error("error", "--tensor, --all, --formats and --axis need --data FILE");
  }
  if (all && data.tensor != NULL) return qb_cli_usage_error("error", "--all and --tensor exclude each other");
  if (qb_cli_out_begin(&out) != 0) return 2;
  const int json = out.format == QB_CLI_JSON;
  FILE* fo = out.f;
  if (data.path != NULL) {
    data.json = json;
    data.out = fo;
    return qb_cli_out_end(&out, qb_error_data(&data));
  }

  json_t* rows = json_array();
  if (!json) {
    fprintf(fo, "SQNR in dB against the f64 reference (n = %llu, seed %llu; 'exact': no error)\n",
            (unsigned long long) n, (unsigned long long) seed);
    fprintf(fo, "%-18s %-13s %-18s", "family", "dtypes", "variant");
    for (int d = 0; d < QB_DIST_COUNT; d++) fprintf(fo, " %9s", qb_dist_name((qb_dist) d));
    fprintf(fo, " %8s %9s %8s\n", "max ulp", "overflow", "mismatch");
  }
  for (int fi = 0; fi < QB_FAMILY_COUNT; fi++) {
    const qb_family_info* f = qb_family_get((qb_family) fi);
    const qb_kernel_info* k = qb_kernel_pick(f->id, &ctx->cpu);
    const size_t fn = qb__family_n(f, n);
    if (f->in_bits + f->in2_bits + f->out_bits == 0) continue; /* compute peaks: no data to measure */
    char dtypes[40];
    double max_ulp = 0.0;
    uint64_t overflows = 0, mismatches = 0;
    snprintf(dtypes, sizeof dtypes, "%s->%s", qb_dtype_get(f->in)->name, qb_dtype_get(f->out)->name);
    if (!json) fprintf(fo, "%-18s %-13s %-18s", f->name, dtypes, k ? k->variant : "-");
    for (int dist = 0; dist < QB_DIST_COUNT; dist++) {
      qb_case_data d;
      qb_error err = {0};
      qb_error_metrics m;
      qb_status s = k == NULL ? qb_fail(&err, QB_UNSUPPORTED, "no usable variant")
                              : qb_case_data_init(&d, f, fn, (qb_dist) dist, seed, round, &err);
      if (s == QB_OK) {
        qb_case_data_run(&d, k, d.y);
        s = qb_case_data_evaluate(&d, d.y, k->sem, &m, &err);
        qb_case_data_free(&d);
      }
      json_t* row = json_pack("{s:s, s:s, s:I, s:s, s:s}", "family", f->name, "kernel", k ? k->name : "", "n",
                              (json_int_t) fn, "distribution", qb_dist_name((qb_dist) dist), "status",
                              s == QB_OK ? "ok" : "error");
      if (s != QB_OK) {
        json_object_set_new(row, "reason", json_string(err.msg));
        if (!json) fprintf(fo, " %9s", "error");
        if (!json)
          fprintf(stderr, "qbench error: %s/%s: %s\n", f->name, qb_dist_name((qb_dist) dist), err.msg);
        rc = 1;
      } else {
        json_object_set_new(row, "error", qb_metrics_to_json(&m));
        if (!json) qb__cell(fo, m.sqnr_db);
        max_ulp = m.max_ulp > max_ulp ? m.max_ulp : max_ulp;
        overflows += m.overflows;
        mismatches += m.mismatches + m.nan_inf_mismatches;
      }
      json_array_append_new(rows, row);
    }
    if (!json)
      fprintf(fo, " %8.3g %9llu %8llu\n", max_ulp, (unsigned long long) overflows,
              (unsigned long long) mismatches);
    if (mismatches) rc = 1;
  }
  if (json) {
    json_t* root = json_pack("{s:I, s:I, s:s, s:o}", "n", (json_int_t) n, "seed", (json_int_t) seed, "round",
                             round == QB_ROUND_TFLITE ? "tflite" : "pytorch", "cases", rows);
    json_dumpf(root, fo, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
    fputc('\n', fo);
    json_decref(root);
  } else {
    json_decref(rows);
  }
  return qb_cli_out_end(&out, rc);
}
