/* qbench info: the machine as qbench sees it. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>

#include "backends/backend.h"
#include "cli/cli.h"
#include "platform/registry.h"

static void qb__help(void) {
  printf(
      "usage: qbench [--isa ISA] info [--format table|json] [--json] [--out FILE|- [--force]]\n"
      "\n"
      "Shows the CPU model, packages/cores/PUs, cache sizes and NUMA nodes (hwloc), the\n"
      "CPU features detected at run time, each ISA path and whether it can run, and\n"
      "the OpenCL platforms and devices found. As JSON: one object (sizes in bytes).\n"
      "\n");
  qb_cli_out_help(stdout, QB_CLI_FMT_BIT(QB_CLI_JSON));
}

static void qb__size(char* buf, size_t len, uint64_t b) {
  if (b == 0)
    snprintf(buf, len, "unknown");
  else if (b % (1u << 20) == 0)
    snprintf(buf, len, "%llu MiB", (unsigned long long) (b >> 20));
  else
    snprintf(buf, len, "%llu KiB", (unsigned long long) (b >> 10));
}

/* The machine as one JSON object: what the text shows, sizes in bytes. */
static int qb__info_json(const qb_ctx* ctx, FILE* out) {
  const qb_topo* t = &ctx->topo;
  json_t* feats = json_array();
  for (int f = 0; f < QB_FEAT_COUNT; f++) {
    if (qb_feature_is_native((qb_feature) f) && (ctx->cpu.features & (1ull << f)))
      json_array_append_new(feats, json_string(qb_feature_name((qb_feature) f)));
  }
  json_t* paths = json_array();
  for (int i = 0; i < QB_ISA_COUNT; i++) {
    if (!qb_isa_native((qb_isa) i)) continue;
    char buf[160];
    const char* reason;
    bool ok = qb_isa_usable(&ctx->cpu, (qb_isa) i, &reason, buf, sizeof buf);
    json_array_append_new(paths, json_pack("{s:s,s:b,s:s}", "isa", qb_isa_name((qb_isa) i), "available", ok,
                                           "reason", ok ? "" : reason));
  }
  json_t* backends = json_array();
  json_t* devices[QB_BACKEND_COUNT];
  for (int id = 0; id < QB_BACKEND_COUNT; id++) {
    const qb_backend_info* info = qb_backend_get((qb_backend_id) id);
    qb_backend* b = NULL;
    qb_error err = {0};
    devices[id] = json_array();
    const bool ok = info->create(ctx, NULL, &b, &err) == QB_OK;
    for (int d = 0; ok && d < b->ops->device_count(b); d++)
      json_array_append_new(devices[id], json_string(b->ops->device_name(b, d)));
    if (ok) b->ops->destroy(b);
    json_array_append_new(
        backends, json_pack("{s:s,s:s,s:s,s:b,s:s,s:O}", "name", info->name, "kind",
                            info->kind == QB_BACKEND_KIND_host ? "host" : "device", "summary", info->summary,
                            "available", ok, "reason", ok ? "" : err.msg, "devices", devices[id]));
  }
  json_t* o =
      json_pack("{s:s,s:{s:i,s:i,s:i,s:i,s:i,s:s},s:{s:I,s:I,s:I},s:o,s:s,s:{s:b,s:s},s:o}", "cpu_model",
                t->cpu_model, "topology", "packages", t->packages, "cores", t->cores, "cores_usable",
                t->cores_usable, "pus", t->pus, "numa_nodes", t->numa_nodes, "source",
                t->from_hwloc ? "hwloc" : "sysconf", "caches", "l1d", (json_int_t) t->l1d, "l2",
                (json_int_t) t->l2, "l3", (json_int_t) t->l3, "features", feats, "isa_cap", ctx->cpu.cap_name,
                "emulated", "emulated", ctx->cpu.emulated, "why", ctx->cpu.emulated_why, "cpu_paths", paths);
  json_object_set_new(o, "cpu_class",
                      json_pack("{s:s,s:s,s:s}", "name", qb_cpu_class_name(ctx->cpu.cls), "why",
                                ctx->cpu.class_why, "doc", qb_cpu_class_doc(ctx->cpu.cls)));
  /* Each device backend's devices by name ("opencl_devices"), then every backend. */
  for (int id = 0; id < QB_BACKEND_COUNT; id++) {
    const qb_backend_info* info = qb_backend_get((qb_backend_id) id);
    if (info->kind == QB_BACKEND_KIND_device) {
      char key[64];
      snprintf(key, sizeof key, "%s_devices", info->name);
      json_object_set(o, key, devices[id]);
    }
    json_decref(devices[id]);
  }
  json_object_set_new(o, "backends", backends);
  json_dumpf(o, out, JSON_INDENT(2));
  fputc('\n', out);
  json_decref(o);
  return 0;
}

int qb_cmd_info(qb_ctx* ctx, int argc, char** argv) {
  static const struct option opts[] = {
      QB_CLI_OUT_OPTIONS, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
  int c;
  qb_cli_out out;
  qb_cli_out_init(&out, "info", QB_CLI_FMT_BIT(QB_CLI_JSON));
  while ((c = qb_cli_out_getopt(&out, argc, argv, "+h", opts)) != -1) {
    if (c != 'h') return 2; /* QB_CLI_OPT_USAGE: the error is printed */
    qb__help();
    return 0;
  }
  if (qb_cli_out_no_operands(&out, argc, argv) != 0) return 2;
  if (qb_cli_out_begin(&out) != 0) return 2;
  if (out.format == QB_CLI_JSON) return qb_cli_out_end(&out, qb__info_json(ctx, out.f));
  FILE* fo = out.f;

  const qb_topo* t = &ctx->topo;
  char l1[32], l2[32], l3[32];
  qb__size(l1, sizeof l1, t->l1d);
  qb__size(l2, sizeof l2, t->l2);
  qb__size(l3, sizeof l3, t->l3);
  fprintf(fo, "cpu:        %s\n", t->cpu_model);
  fprintf(fo, "topology:   %d package(s), %d core(s), %d PU(s), %d NUMA node(s) (%s)\n", t->packages,
          t->cores, t->pus, t->numa_nodes, t->from_hwloc ? "hwloc" : "sysconf; hwloc not available");
  if (t->cores_usable != t->cores) {
    fprintf(fo, "usable:     %d core(s): the process's CPU affinity (threads = all, pinning)\n",
            t->cores_usable);
  }
  fprintf(fo, "caches:     L1d %s, L2 %s, L3 %s (per core / as seen by one core)\n", l1, l2, l3);
  fprintf(fo, "features:  ");
  for (int f = 0; f < QB_FEAT_COUNT; f++) {
    if (qb_feature_is_native((qb_feature) f) && (ctx->cpu.features & (1ull << f))) {
      fprintf(fo, " %s", qb_feature_name((qb_feature) f));
    }
  }
  fprintf(fo, "\n");
  fprintf(fo, "isa cap:    %s\n", ctx->cpu.cap_name[0] ? ctx->cpu.cap_name : "none");
  fprintf(fo, "cpu class:  %s (%s): %s\n", qb_cpu_class_name(ctx->cpu.cls), ctx->cpu.class_why,
          qb_cpu_class_doc(ctx->cpu.cls));
  if (ctx->cpu.emulated) {
    fprintf(fo, "emulated:   yes (%s): timings mean nothing about any machine\n", ctx->cpu.emulated_why);
  } else {
    fprintf(fo, "emulated:   no%s%s%s\n", ctx->cpu.emulated_why[0] ? " (" : "", ctx->cpu.emulated_why,
            ctx->cpu.emulated_why[0] ? ")" : "");
  }
  fprintf(fo, "cpu paths:\n");
  for (int i = 0; i < QB_ISA_COUNT; i++) {
    if (!qb_isa_native((qb_isa) i)) continue;
    char buf[160];
    const char* reason;
    bool ok = qb_isa_usable(&ctx->cpu, (qb_isa) i, &reason, buf, sizeof buf);
    fprintf(fo, "  %-11s %s\n", qb_isa_name((qb_isa) i), ok ? "available" : reason);
  }
  /* The device backends (backends/backends.inc): their devices, or why none. The host
   * ones are the machine described above. */
  for (int id = 0; id < QB_BACKEND_COUNT; id++) {
    const qb_backend_info* info = qb_backend_get((qb_backend_id) id);
    if (info->kind == QB_BACKEND_KIND_host) continue;
    char label[64];
    snprintf(label, sizeof label, "%s:", info->name);
    qb_backend* b = NULL;
    qb_error err = {0};
    if (info->create(ctx, NULL, &b, &err) != QB_OK) {
      fprintf(fo, "%-11s %s\n", label, err.msg);
      continue;
    }
    const int n = b->ops->device_count(b);
    fprintf(fo, "%-11s %d device(s)\n", label, n);
    for (int d = 0; d < n; d++) {
      if (b->ops->print_device != NULL) {
        b->ops->print_device(b, d, fo);
      } else {
        fprintf(fo, "  [%d] %s\n", d, b->ops->device_name(b, d));
      }
    }
    b->ops->destroy(b);
  }
  return qb_cli_out_end(&out, 0);
}
