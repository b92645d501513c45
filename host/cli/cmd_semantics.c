/* qbench semantics: what every cast path usable here does, measured (host/numerics/semantics.h). */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "platform/registry.h"
#include "numerics/semantics.h"

static void qb__help(void) {
  printf(
      "usage: qbench [--isa ISA] semantics [--json] [--family NAME]\n"
      "\n"
      "Runs every float cast variant this machine can run on crafted inputs and prints\n"
      "what it does, measured (not the semantics the registry declares):\n"
      "  rounding       nearest, toward-zero, toward+inf, toward-inf, away; exact (widening)\n"
      "  ties           even, away, toward-zero, odd (nearest rounding only)\n"
      "  sub-in         subnormal inputs kept or flushed (n/a: they round to zero anyway)\n"
      "  sub-out        subnormal results kept or flushed (n/a: no normal input has one)\n"
      "  nan-payload    kept (top payload bits survive), canonical, or lost\n"
      "  nan-sign       kept or lost\n"
      "  snan           signaling NaN quieted or kept signaling\n"
      "  overflow, inf  a finite input above the range, and +inf: inf, nan or saturate\n"
      "Variants this machine cannot run are one count on stderr (another architecture's,\n"
      "each missing feature's); --show-skipped lists each with its reason, and the JSON\n"
      "array always holds them (status skipped).\n"
      "\n"
      "  --json         a JSON array instead of the table\n"
      "  --show-skipped a table line for each variant this machine cannot run\n"
      "  --family NAME  one cast family only (e.g. f32_bf16_cvt)\n");
}

static void qb__run_cpu(void* user, size_t n, const void* x, void* y) {
  const qb_kernel_info* k = (const qb_kernel_info*) user;
  qb_kernel_unary(k)(n, x, y, NULL);
}

static json_t* qb__row_json(const qb_kernel_info* k, const qb_sem_observed* o, const char* reason) {
  json_t* row = json_object();
  json_object_set_new(row, "family", json_string(qb_family_get(k->family)->name));
  json_object_set_new(row, "backend", json_string("cpu"));
  json_object_set_new(row, "kernel", json_string(k->name));
  json_object_set_new(row, "isa", json_string(qb_isa_name(k->isa)));
  json_object_set_new(row, "status", json_string(o ? "measured" : "skipped"));
  if (o == NULL) {
    json_object_set_new(row, "reason", json_string(reason));
    return row;
  }
  json_object_set_new(row, "rounding", json_string(o->rounding));
  json_object_set_new(row, "ties", json_string(o->ties));
  json_object_set_new(row, "subnormal_in", json_string(o->subnormal_in));
  json_object_set_new(row, "subnormal_out", json_string(o->subnormal_out));
  json_object_set_new(row, "nan_payload", json_string(o->nan_payload));
  json_object_set_new(row, "nan_sign", json_string(o->nan_sign));
  json_object_set_new(row, "snan", json_string(o->snan));
  json_object_set_new(row, "overflow", json_string(o->overflow));
  json_object_set_new(row, "inf", json_string(o->inf));
  return row;
}

int qb_cmd_semantics(qb_ctx* ctx, int argc, char** argv) {
  static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
                                       {"family", required_argument, NULL, 'f'},
                                       {"show-skipped", no_argument, NULL, 's'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  const char* family = NULL;
  bool as_json = false, show_skipped = false;
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, "+hjf:", opts, NULL)) != -1) {
    switch (c) {
      case 'h':
        qb__help();
        return 0;
      case 'j':
        as_json = true;
        break;
      case 'f':
        family = optarg;
        break;
      case 's':
        show_skipped = true;
        break;
      default:
        return qb_cli_usage_error("semantics", "unknown or incomplete option '%s'", argv[optind - 1]);
    }
  }
  if (optind < argc) return qb_cli_usage_error("semantics", "unexpected argument '%s'", argv[optind]);
  if (family != NULL) {
    const qb_family f = qb_family_find(family);
    if (f == QB_FAMILY_COUNT) return qb_cli_usage_error("semantics", "--family '%s': unknown family", family);
    if (!qb_semantics_family_ok(f)) {
      return qb_cli_usage_error("semantics", "--family '%s': not a float cast family", family);
    }
  }

  json_t* rows = as_json ? json_array() : NULL;
  /* Not run here, counted: another architecture's variants, then each missing feature. */
  size_t foreign = 0, other = 0, n_needs = 0;
  char needs[16][32];
  size_t need_count[16];
  if (!as_json) {
    printf("%-17s %-24s %-11s %-6s %-7s %-7s %-11s %-8s %-9s %-8s %-8s\n", "family", "path", "rounding",
           "ties", "sub-in", "sub-out", "nan-payload", "nan-sign", "snan", "overflow", "inf");
  }
  for (size_t i = 0; i < qb_kernel_count(); i++) {
    const qb_kernel_info* k = qb_kernel_at(i);
    const qb_family_info* f = qb_family_get(k->family);
    if (!qb_semantics_family_ok(k->family)) continue;
    if (family != NULL && strcmp(family, f->name) != 0) continue;
    char path[96], buf[160];
    snprintf(path, sizeof path, "cpu/%s", k->variant);
    const char* reason;
    if (!qb_kernel_usable(k, &ctx->cpu, &reason, buf, sizeof buf)) {
      if (as_json) {
        json_array_append_new(rows, qb__row_json(k, NULL, reason));
      } else if (show_skipped) {
        printf("%-17s %-24s skipped: %s\n", f->name, path, reason);
      }
      char need[32];
      if (!qb_isa_native(k->isa)) {
        foreign++;
      } else if (qb_isa_missing_feature(&ctx->cpu, k->isa, need, sizeof need)) {
        size_t j = 0;
        while (j < n_needs && strcmp(needs[j], need) != 0) j++;
        if (j == n_needs && n_needs < 16) {
          snprintf(needs[n_needs], sizeof needs[0], "%s", need);
          need_count[n_needs++] = 0;
        }
        if (j < n_needs) {
          need_count[j]++;
        } else {
          other++;
        }
      } else {
        other++;
      }
      continue;
    }
    qb_sem_observed o;
    qb_error err = {0};
    if (qb_semantics_probe(k->family, path, qb__run_cpu, (void*) k, &o, &err) != QB_OK) {
      qb_error_print(&err);
      json_decref(rows);
      return qb_status_exit_code(err.status);
    }
    if (as_json) {
      json_array_append_new(rows, qb__row_json(k, &o, NULL));
    } else {
      printf("%-17s %-24s %-11s %-6s %-7s %-7s %-11s %-8s %-9s %-8s %-8s\n", o.family, o.path, o.rounding,
             o.ties, o.subnormal_in, o.subnormal_out, o.nan_payload, o.nan_sign, o.snan, o.overflow, o.inf);
    }
  }
  if (as_json) {
    json_dumpf(rows, stdout, JSON_INDENT(2));
    printf("\n");
    json_decref(rows);
  } else if (!show_skipped && foreign + other + n_needs > 0) {
    fprintf(stderr, "qbench semantics: not run here:");
    const char* sep = " ";
    if (foreign) {
      fprintf(stderr, "%s%zu variant%s of another architecture", sep, foreign, foreign == 1 ? "" : "s");
      sep = ", ";
    }
    for (size_t j = 0; j < n_needs; j++, sep = ", ")
      fprintf(stderr, "%s%zu need%s %s", sep, need_count[j], need_count[j] == 1 ? "s" : "", needs[j]);
    if (other) fprintf(stderr, "%s%zu above the ISA cap or not built", sep, other);
    fprintf(stderr, " (--show-skipped lists them; `qbench list` says why)\n");
  }
  return 0;
}
