/* qbench dtypes: the dtype table (like torch.finfo / iinfo), or one value as stored. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/dtype.h"

static void qb__help(void) {
  printf(
      "usage: qbench dtypes [--value X]\n"
      "\n"
      "Prints every dtype: bits, bytes, min, max, eps, smallest normal, smallest\n"
      "subnormal and resolution (decimal digits kept), as torch.finfo/iinfo do.\n"
      "\n"
      "  --value X   print X as each float dtype stores it, with 60 decimals; X is a\n"
      "              number or a fraction A/B (e.g. 1/3, 0.1, -2.5e3)\n");
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

static void qb__print_table(void) {
  printf("%-8s %-6s %4s %5s %14s %14s %14s %14s %14s %10s\n", "dtype", "class", "bits", "bytes", "min", "max",
         "eps", "min_normal", "min_subnormal", "resolution");
  for (int t = 1; t < QB_DTYPE_COUNT; t++) {
    const qb_dtype_info* d = qb_dtype_get((qb_dtype) t);
    qb_finfo fi;
    const char* cls = d->cls == QB_CLASS_float ? "float" : d->cls == QB_CLASS_int ? "int" : "block";
    char bytes[16];
    if (d->bits % 8 == 0) {
      snprintf(bytes, sizeof bytes, "%u", d->bits / 8);
    } else {
      snprintf(bytes, sizeof bytes, "%g", d->bits / 8.0);
    }
    if (qb_dtype_finfo((qb_dtype) t, &fi)) {
      printf("%-8s %-6s %4u %5s %14g %14g %14g %14g %14g %10g\n", d->name, cls, d->bits, bytes, fi.lowest,
             fi.max, fi.eps, fi.min_normal, fi.min_subnormal, fi.resolution);
    } else {
      printf("%-8s %-6s %4u %5s %14lld %14lld %14s %14s %14s %10s\n", d->name, cls, d->bits, bytes,
             (long long) d->imin, (long long) d->imax, "-", "-", "-", "-");
    }
  }
}

int qb_cmd_dtypes(qb_ctx* ctx, int argc, char** argv) {
  static const struct option opts[] = {
      {"value", required_argument, NULL, 'v'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
  const char* value = NULL;
  (void) ctx;
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, "+hv:", opts, NULL)) != -1) {
    switch (c) {
      case 'h':
        qb__help();
        return 0;
      case 'v':
        value = optarg;
        break;
      default:
        return qb_cli_usage_error("dtypes", "unknown or incomplete option '%s'", argv[optind - 1]);
    }
  }
  if (optind < argc) {
    return qb_cli_usage_error("dtypes", "unexpected argument '%s'", argv[optind]);
  }
  if (value == NULL) {
    qb__print_table();
    return 0;
  }
  double v;
  if (!qb__parse_value(value, &v)) {
    return qb_cli_usage_error("dtypes", "--value '%s': not a finite number or fraction A/B", value);
  }
  printf("%-8s %s\n", "dtype", "stored value");
  for (int t = 1; t < QB_DTYPE_COUNT; t++) {
    if (qb_dtype_get((qb_dtype) t)->cls != QB_CLASS_float) continue;
    printf("%-8s %.60f\n", qb_dtype_get((qb_dtype) t)->name, qb_dtype_round((qb_dtype) t, v, false));
  }
  return 0;
}
