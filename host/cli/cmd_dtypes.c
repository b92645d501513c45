/* qbench dtypes: the dtype table (like torch.finfo / iinfo), or one value as stored. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/dtype.h"
#include "platform/registry.h"

#define QB__FORMATS (QB_CLI_FMT_BIT(QB_CLI_JSON) | QB_CLI_FMT_BIT(QB_CLI_CSV) | QB_CLI_FMT_BIT(QB_CLI_MD))

static void qb__help(void) {
  printf(
      "usage: qbench dtypes [--value X] [--format table|json|csv|md] [--json] [--out FILE|- [--force]]\n"
      "\n"
      "Prints every dtype: bits, bytes, min, max, eps, smallest normal, smallest\n"
      "subnormal and resolution (decimal digits kept), as torch.finfo/iinfo do.\n"
      "\n"
      "  --value X   print X as each float dtype stores it, with 60 decimals; X is a\n"
      "              number or a fraction A/B (e.g. 1/3, 0.1, -2.5e3)\n");
  qb_cli_out_help(stdout, QB__FORMATS);
}

/* Parses "A" or "A/B" into a double; the division is done in double. */
static bool qb__parse_value(const char* s, double* out) {
  char buf[128];
  if (strlen(s) >= sizeof buf) return false;
  snprintf(buf, sizeof buf, "%s", s);
  char* slash = strchr(buf, '/');
  double a, b = 1.0;
  if (slash != NULL) {
    *slash = '\0';
    if (!qb_parse_double(slash + 1, &b) || b == 0.0) return false;
  }
  if (!qb_parse_double(buf, &a)) return false;
  *out = a / b;
  return isfinite(*out);
}

static int qb__print_table(qb_cli_format fmt, FILE* f) {
  static const char* const cols[] = {"dtype", "class", "bits",       "bytes",         "min",
                                     "max",   "eps",   "min_normal", "min_subnormal", "resolution"};
  static const bool right[] = {false, false, true, true, true, true, true, true, true, true};
  qb_cli_table* tab = qb_cli_table_new(10, cols, right);
  if (tab == NULL) return 2;
  for (int t = 1; t < QB_DTYPE_COUNT; t++) {
    const qb_dtype_info* d = qb_dtype_get((qb_dtype) t);
    qb_finfo fi;
    const char* cls = d->cls == QB_CLASS_float ? "float" : d->cls == QB_CLASS_int ? "int" : "block";
    char v[8][32];
    qb_block_geom g;
    /* A block dtype's exact bits per element, scale included, from its geometry (4.25 for
     * MXFP4), where the dtype list keeps a whole number. */
    const double exact = qb_dtype_block((qb_dtype) t, &g) ? 8.0 * g.bytes / g.len : (double) d->bits;
    snprintf(v[0], sizeof v[0], "%g", exact);
    snprintf(v[1], sizeof v[1], "%g", exact / 8.0);
    if (qb_dtype_finfo((qb_dtype) t, &fi)) {
      const double f[6] = {fi.lowest, fi.max, fi.eps, fi.min_normal, fi.min_subnormal, fi.resolution};
      for (int k = 0; k < 6; k++) snprintf(v[2 + k], sizeof v[0], "%g", f[k]);
    } else {
      snprintf(v[2], sizeof v[0], "%lld", (long long) d->imin);
      snprintf(v[3], sizeof v[0], "%lld", (long long) d->imax);
      for (int k = 4; k < 8; k++) snprintf(v[k], sizeof v[0], "-");
    }
    const char* row[] = {d->name, cls, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]};
    qb_cli_table_add(tab, row);
  }
  qb_cli_table_print(tab, fmt, f);
  qb_cli_table_free(tab);
  return 0;
}

int qb_cmd_dtypes(qb_ctx* ctx, int argc, char** argv) {
  static const struct option opts[] = {{"value", required_argument, NULL, 'v'},
                                       QB_CLI_OUT_OPTIONS,
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  const char* value = NULL;
  qb_cli_out out;
  qb_cli_out_init(&out, "dtypes", QB__FORMATS);
  (void) ctx;
  int c;
  while ((c = qb_cli_out_getopt(&out, argc, argv, "+hv:", opts)) != -1) {
    switch (c) {
      case 'h':
        qb__help();
        return 0;
      case 'v':
        value = optarg;
        break;
      default: /* QB_CLI_OPT_USAGE: the error is printed */
        return 2;
    }
  }
  if (qb_cli_out_no_operands(&out, argc, argv) != 0) return 2;
  double v = 0;
  if (value != NULL && !qb__parse_value(value, &v)) {
    return qb_cli_usage_error("dtypes", "--value '%s': not a finite number or fraction A/B", value);
  }
  if (qb_cli_out_begin(&out) != 0) return 2;
  if (value == NULL) return qb_cli_out_end(&out, qb__print_table(out.format, out.f));
  static const char* const cols[] = {"dtype", "stored_value"};
  qb_cli_table* tab = qb_cli_table_new(2, cols, NULL);
  if (tab == NULL) return qb_cli_out_end(&out, 2);
  for (int t = 1; t < QB_DTYPE_COUNT; t++) {
    if (qb_dtype_get((qb_dtype) t)->cls != QB_CLASS_float) continue;
    char stored[96];
    snprintf(stored, sizeof stored, "%.60f", qb_dtype_round((qb_dtype) t, v, false));
    const char* row[] = {qb_dtype_get((qb_dtype) t)->name, stored};
    qb_cli_table_add(tab, row);
  }
  qb_cli_table_print(tab, out.format, out.f);
  qb_cli_table_free(tab);
  return qb_cli_out_end(&out, 0);
}
