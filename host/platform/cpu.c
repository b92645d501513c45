#include "platform/cpu.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qb/build_config.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define QB_NATIVE_ARCH "x86"
#elif defined(__aarch64__)
#include <sys/auxv.h>
#define QB_NATIVE_ARCH "arm"
#else
#define QB_NATIVE_ARCH "other"
#endif

static const struct {
  const char* name;
  const char* arch;
} qb__features[QB_FEAT_COUNT] = {
#define QB_FEATURE(tok, arch) {#tok, #arch},
#include "platform/features.inc"
#undef QB_FEATURE
};

static const struct {
  const char* name;
  const char* arch;
  int level;
  const char* flags;
  const char* features;
  bool built;
} qb__isas[QB_ISA_COUNT] = {
#define QB_ISA(tok, arch, level, flags, feats) {#tok, #arch, level, flags, feats, QB_ISA_BUILT_##tok},
#include "isa.inc"
#undef QB_ISA
};

static const struct {
  const char* name;
  const char* doc;
} qb__classes[QB_CPU_CLASS_COUNT] = {
#define QB__CPU_CLASS_ROW(tok, doc) {#tok, doc},
    QB_CPU_CLASSES(QB__CPU_CLASS_ROW)
#undef QB__CPU_CLASS_ROW
};

const char* qb_cpu_class_name(qb_cpu_class c) {
  return (unsigned) c < QB_CPU_CLASS_COUNT ? qb__classes[c].name : "?";
}

const char* qb_cpu_class_doc(qb_cpu_class c) {
  return (unsigned) c < QB_CPU_CLASS_COUNT ? qb__classes[c].doc : "?";
}

qb_cpu_class qb_cpu_class_find(const char* name) {
  for (int c = 0; c < QB_CPU_CLASS_COUNT; c++) {
    if (strcmp(qb__classes[c].name, name) == 0) return (qb_cpu_class) c;
  }
  return QB_CPU_CLASS_COUNT;
}

const char* qb_feature_name(qb_feature f) {
  return (unsigned) f < QB_FEAT_COUNT ? qb__features[f].name : "?";
}

bool qb_feature_is_native(qb_feature f) {
  return (unsigned) f < QB_FEAT_COUNT && strcmp(qb__features[f].arch, QB_NATIVE_ARCH) == 0;
}

static int qb__feature_find(const char* name, size_t len) {
  for (int f = 0; f < QB_FEAT_COUNT; f++) {
    if (strlen(qb__features[f].name) == len && strncmp(qb__features[f].name, name, len) == 0) {
      return f;
    }
  }
  return -1;
}

#if defined(__x86_64__) || defined(__i386__)
static void qb__detect_x86(qb_cpu* cpu) {
  unsigned a, b, c, d;
  uint64_t f = 0;
  if (!__get_cpuid(1, &a, &b, &c, &d)) {
    return;
  }
  const unsigned c1 = c, d1 = d;
  if (d1 & (1u << 26)) f |= 1ull << QB_FEAT_sse2;
  /* 1. The OS must save the YMM (and for AVX-512 the opmask and ZMM) state: XCR0. */
  uint64_t xcr0 = 0;
  if ((c1 & (1u << 27)) /* OSXSAVE */) {
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    xcr0 = ((uint64_t) hi << 32) | lo;
  }
  const bool ymm = (xcr0 & 0x6) == 0x6;
  const bool zmm = ymm && (xcr0 & 0xE0) == 0xE0;
  if (!ymm) {
    cpu->features = f;
    return;
  }
  if (c1 & (1u << 28)) f |= 1ull << QB_FEAT_avx;
  if (c1 & (1u << 29)) f |= 1ull << QB_FEAT_f16c;
  if (c1 & (1u << 12)) f |= 1ull << QB_FEAT_fma;
  /* 2. Leaf 7 subleaf 0 and 1 hold AVX2, AVX-512 and the VNNI/BF16/FP16 extensions. */
  if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
    if (b & (1u << 5)) f |= 1ull << QB_FEAT_avx2;
    if (zmm) {
      if (b & (1u << 16)) f |= 1ull << QB_FEAT_avx512f;
      if (b & (1u << 17)) f |= 1ull << QB_FEAT_avx512dq;
      if (b & (1u << 28)) f |= 1ull << QB_FEAT_avx512cd;
      if (b & (1u << 30)) f |= 1ull << QB_FEAT_avx512bw;
      if (b & (1u << 31)) f |= 1ull << QB_FEAT_avx512vl;
      if (c & (1u << 1)) f |= 1ull << QB_FEAT_avx512vbmi;
      if (c & (1u << 11)) f |= 1ull << QB_FEAT_avx512vnni;
      if (d & (1u << 23)) f |= 1ull << QB_FEAT_avx512fp16;
    }
    const unsigned max_sub = a;
    if (max_sub >= 1 && __get_cpuid_count(7, 1, &a, &b, &c, &d)) {
      if (a & (1u << 4)) f |= 1ull << QB_FEAT_avxvnni;
      if (zmm && (a & (1u << 5))) f |= 1ull << QB_FEAT_avx512bf16;
    }
  }
  cpu->features = f;
}
#endif

#if defined(__x86_64__) || defined(__i386__)
/*
 * The class from CPUID leaf 0's vendor and leaf 1's family and model (the display
 * values: base plus extended family when the base is 0xF, extended model on top for
 * families 0x6 and 0xF), and whether AVX-512F was found usable (the OS saves the ZMM
 * state). Needs the features detected first.
 */
static void qb__detect_class_x86(qb_cpu* cpu) {
  unsigned a, b, c, d;
  char vendor[13];
  if (!__get_cpuid(0, &a, &b, &c, &d)) {
    snprintf(cpu->class_why, sizeof cpu->class_why, "CPUID not available");
    return;
  }
  memcpy(vendor, &b, 4);
  memcpy(vendor + 4, &d, 4);
  memcpy(vendor + 8, &c, 4);
  vendor[12] = '\0';
  if (!__get_cpuid(1, &a, &b, &c, &d)) {
    snprintf(cpu->class_why, sizeof cpu->class_why, "%s, CPUID leaf 1 not available", vendor);
    return;
  }
  const unsigned base_family = (a >> 8) & 0xF, base_model = (a >> 4) & 0xF;
  const unsigned family = base_family == 0xF ? base_family + ((a >> 20) & 0xFF) : base_family;
  const unsigned model =
      base_family == 0x6 || base_family == 0xF ? base_model | (((a >> 16) & 0xF) << 4) : base_model;
  const bool avx512 = (cpu->features & (1ull << QB_FEAT_avx512f)) != 0;
  if (strcmp(vendor, "AuthenticAMD") == 0 && family == 0x19 && avx512) {
    cpu->cls = QB_CPU_CLASS_zen4;
  } else if (strcmp(vendor, "GenuineIntel") == 0 && avx512) {
    cpu->cls = QB_CPU_CLASS_intel_avx512;
  }
  snprintf(cpu->class_why, sizeof cpu->class_why, "%s family 0x%x model 0x%x, %s", vendor, family, model,
           avx512 ? "AVX-512F" : "no AVX-512F");
}
#endif

/* QBENCH_CPU_CLASS, when set to a class's name, replaces the detected class. */
static void qb__class_from_env(qb_cpu* cpu) {
  const char* env = getenv("QBENCH_CPU_CLASS");
  if (env == NULL || env[0] == '\0') return;
  char detected[160];
  snprintf(detected, sizeof detected, "%s", cpu->class_why);
  const qb_cpu_class c = qb_cpu_class_find(env);
  if (c == QB_CPU_CLASS_COUNT) {
    snprintf(cpu->class_why, sizeof cpu->class_why, "%.80s; QBENCH_CPU_CLASS=%.32s ignored: unknown class",
             detected, env);
    return;
  }
  snprintf(cpu->class_why, sizeof cpu->class_why, "QBENCH_CPU_CLASS=%s; detected %s (%.80s)", env,
           qb_cpu_class_name(cpu->cls), detected);
  cpu->cls = c;
}

#if defined(__aarch64__)
static void qb__detect_arm(qb_cpu* cpu) {
  const unsigned long h1 = getauxval(AT_HWCAP);
  const unsigned long h2 = getauxval(AT_HWCAP2);
  uint64_t f = 0;
  /* Bit numbers from the kernel's arch/arm64/include/uapi/asm/hwcap.h. */
  if (h1 & (1ul << 1)) f |= 1ull << QB_FEAT_asimd;
  if (h1 & (1ul << 10)) f |= 1ull << QB_FEAT_asimdhp;
  if (h1 & (1ul << 20)) f |= 1ull << QB_FEAT_asimddp;
  if (h1 & (1ul << 22)) f |= 1ull << QB_FEAT_sve;
  if (h2 & (1ul << 1)) f |= 1ull << QB_FEAT_sve2;
  if (h2 & (1ul << 13)) f |= 1ull << QB_FEAT_i8mm;
  if (h2 & (1ul << 14)) f |= 1ull << QB_FEAT_bf16;
  if (h2 & (1ul << 12)) f |= 1ull << QB_FEAT_svebf16;
  cpu->features = f;
}
#endif

/* The target of a /proc symlink, "" when it cannot be read. */
static void qb__readlink(const char* path, char* buf, size_t len) {
  const ssize_t n = readlink(path, buf, len - 1);
  buf[n > 0 ? (size_t) n : 0] = '\0';
}

/*
 * Whether /proc/cpuinfo describes a CPU of another architecture than this binary's:
 * qemu-user (7.2) passes the host kernel's file through, so an Arm binary reads
 * "vendor_id" and x86 "flags", an x86 binary "CPU implementer".
 */
static bool qb__cpuinfo_foreign(char* what, size_t len) {
#if defined(__aarch64__) || defined(__x86_64__) || defined(__i386__)
#if defined(__aarch64__)
  static const char* const foreign[] = {"vendor_id", "flags\t"};
#else
  static const char* const foreign[] = {"CPU implementer", "Features\t"};
#endif
  FILE* f = fopen("/proc/cpuinfo", "r");
  char line[256];
  bool found = false;
  while (f != NULL && !found && fgets(line, sizeof line, f)) {
    for (size_t i = 0; i < sizeof foreign / sizeof foreign[0] && !found; i++) {
      if (strncmp(line, foreign[i], strlen(foreign[i])) == 0) {
        snprintf(what, len, "%s", foreign[i]);
        what[strcspn(what, "\t")] = '\0';
        found = true;
      }
    }
  }
  if (f) fclose(f);
  return found;
#else
  (void) what, (void) len;
  return false;
#endif
}

static void qb__detect_emulation(qb_cpu* cpu) {
  const char* env = getenv("QBENCH_EMULATED");
  char exe[256], thread_exe[256], what[32];
  /* 1. The test scripts and the user decide when they say so. */
  if (env != NULL && env[0] != '\0') {
    cpu->emulated = strcmp(env, "0") != 0;
    snprintf(cpu->emulated_why, sizeof cpu->emulated_why, "QBENCH_EMULATED=%.64s", env);
    return;
  }
  /* 2. qemu-user rewrites /proc/self/exe to the guest program but not the per-thread
   *    link, which still names the emulator. */
  qb__readlink("/proc/self/exe", exe, sizeof exe);
  qb__readlink("/proc/thread-self/exe", thread_exe, sizeof thread_exe);
  const char* base = strrchr(thread_exe, '/');
  base = base ? base + 1 : thread_exe;
  if (thread_exe[0] && strcmp(exe, thread_exe) != 0 && strstr(base, "qemu") != NULL) {
    cpu->emulated = true;
    snprintf(cpu->emulated_why, sizeof cpu->emulated_why, "the process runs in %.100s", thread_exe);
    return;
  }
  /* 3. An emulator that hides itself better still shows the host's /proc/cpuinfo. */
  if (qb__cpuinfo_foreign(what, sizeof what)) {
    cpu->emulated = true;
    snprintf(cpu->emulated_why, sizeof cpu->emulated_why,
             "/proc/cpuinfo has '%s': it describes another architecture's CPU", what);
  }
}

void qb_cpu_detect(qb_cpu* cpu) {
  memset(cpu, 0, sizeof *cpu);
  cpu->cap_level = INT_MAX;
  cpu->cls = QB_CPU_CLASS_other;
#if defined(__x86_64__) || defined(__i386__)
  qb__detect_x86(cpu);
  qb__detect_class_x86(cpu);
#elif defined(__aarch64__)
  qb__detect_arm(cpu);
  snprintf(cpu->class_why, sizeof cpu->class_why, "no Arm class measured");
#endif
  qb__detect_emulation(cpu);
  qb__class_from_env(cpu);
}

qb_status qb_cpu_set_cap(qb_cpu* cpu, const char* isa_name, qb_error* err) {
  const qb_isa isa = qb_isa_find(isa_name);
  if (isa == QB_ISA_COUNT) {
    char names[512] = "";
    for (int i = 0; i < QB_ISA_COUNT; i++) {
      if (qb_isa_native((qb_isa) i)) {
        strncat(names, i ? " " : "", sizeof names - strlen(names) - 1);
        strncat(names, qb__isas[i].name, sizeof names - strlen(names) - 1);
      }
    }
    return qb_fail(err, QB_USAGE, "ISA cap '%s': unknown ISA (expected one of: %s)", isa_name, names);
  }
  if (!qb_isa_native(isa)) {
    return qb_fail(err, QB_USAGE, "ISA cap '%s': an %s ISA, this binary runs on %s", isa_name,
                   qb__isas[isa].arch, QB_NATIVE_ARCH);
  }
  cpu->cap_level = qb__isas[isa].level;
  snprintf(cpu->cap_name, sizeof cpu->cap_name, "%s", isa_name);
  return QB_OK;
}

qb_status qb_cpu_cap_from_env(qb_cpu* cpu, qb_error* err) {
  const char* cap = getenv("QBENCH_MAX_ISA");
  if (cap == NULL || cap[0] == '\0') {
    return QB_OK;
  }
  qb_status s = qb_cpu_set_cap(cpu, cap, err);
  if (s != QB_OK && err != NULL) {
    /* Prefix the message with where the cap came from. */
    static const char prefix[] = "QBENCH_MAX_ISA: ";
    const size_t plen = sizeof prefix - 1;
    memmove(err->msg + plen, err->msg, sizeof err->msg - plen - 1);
    memcpy(err->msg, prefix, plen);
    err->msg[sizeof err->msg - 1] = '\0';
  }
  return s;
}

const char* qb_isa_name(qb_isa isa) {
  return (unsigned) isa < QB_ISA_COUNT ? qb__isas[isa].name : "?";
}

qb_isa qb_isa_find(const char* name) {
  for (int i = 0; i < QB_ISA_COUNT; i++) {
    if (strcmp(qb__isas[i].name, name) == 0) {
      return (qb_isa) i;
    }
  }
  return QB_ISA_COUNT;
}

int qb_isa_level(qb_isa isa) {
  return qb__isas[isa].level;
}
const char* qb_isa_arch(qb_isa isa) {
  return qb__isas[isa].arch;
}
const char* qb_isa_flags(qb_isa isa) {
  return qb__isas[isa].flags;
}

bool qb_isa_native(qb_isa isa) {
  return strcmp(qb__isas[isa].arch, "any") == 0 || strcmp(qb__isas[isa].arch, QB_NATIVE_ARCH) == 0;
}

bool qb_isa_built(qb_isa isa) {
  return qb__isas[isa].built;
}

bool qb_isa_usable(const qb_cpu* cpu, qb_isa isa, const char** reason, char* buf, int buflen) {
  /* Callers that only want the answer pass no buffer: the reason is still written
   * somewhere, because `why` pointing at it is what says "not usable". */
  char local[160];
  if (buf == NULL || buflen <= 0) {
    buf = local;
    buflen = (int) sizeof local;
  }
  const char* why = NULL;
  if (!qb_isa_native(isa)) {
    why = strcmp(QB_NATIVE_ARCH, "x86") == 0 ? "an Arm ISA; this is an x86 binary"
                                             : "an x86 ISA; this is not an x86 binary";
  } else if (!qb__isas[isa].built) {
    snprintf(buf, buflen, "not built: the compiler rejected %s", qb__isas[isa].flags);
    why = buf;
  } else {
    /* Every feature the ISA needs must be present. */
    const char* p = qb__isas[isa].features;
    while (*p && why == NULL) {
      while (*p == ' ') p++;
      size_t len = strcspn(p, " ");
      if (len == 0) break;
      int f = qb__feature_find(p, len);
      if (f < 0 || !(cpu->features & (1ull << f))) {
        snprintf(buf, buflen, "this CPU lacks %.*s", (int) len, p);
        why = buf;
      }
      p += len;
    }
    if (why == NULL && qb__isas[isa].level > cpu->cap_level) {
      snprintf(buf, buflen, "above the ISA cap %s", cpu->cap_name);
      why = buf;
    }
  }
  if (reason != NULL) {
    *reason = why == local ? "not usable on this CPU" : why;
  }
  return why == NULL;
}

bool qb_isa_missing_feature(const qb_cpu* cpu, qb_isa isa, char* buf, size_t len) {
  if (!qb_isa_native(isa) || !qb__isas[isa].built) return false;
  for (const char* p = qb__isas[isa].features; *p;) {
    while (*p == ' ') p++;
    size_t n = strcspn(p, " ");
    if (n == 0) break;
    int f = qb__feature_find(p, n);
    if (f < 0 || !(cpu->features & (1ull << f))) {
      snprintf(buf, len, "%.*s", (int) n, p);
      return true;
    }
    p += n;
  }
  return false;
}

static void qb__trim(char* s) {
  char* p = s;
  while (*p == ' ' || *p == '\t') p++;
  memmove(s, p, strlen(p) + 1);
  size_t n = strlen(s);
  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == '\t')) s[--n] = '\0';
  /* Collapse runs of spaces (brand strings pad with them). */
  char* w = s;
  for (char* r = s; *r; r++) {
    if (*r == ' ' && w > s && w[-1] == ' ') continue;
    *w++ = *r;
  }
  *w = '\0';
}

void qb_cpu_model(char* buf, int buflen) {
  buf[0] = '\0';
#if defined(__x86_64__) || defined(__i386__)
  unsigned regs[12];
  if (__get_cpuid(0x80000000, &regs[0], &regs[1], &regs[2], &regs[3]) && regs[0] >= 0x80000004) {
    for (unsigned i = 0; i < 3; i++) {
      __get_cpuid(0x80000002 + i, &regs[4 * i], &regs[4 * i + 1], &regs[4 * i + 2], &regs[4 * i + 3]);
    }
    char brand[49];
    memcpy(brand, regs, 48);
    brand[48] = '\0';
    snprintf(buf, buflen, "%s", brand);
  }
#endif
  if (buf[0] == '\0') {
    FILE* f = fopen("/proc/cpuinfo", "r");
    char line[256];
    while (f != NULL && fgets(line, sizeof line, f)) {
      if (strncmp(line, "model name", 10) == 0 || strncmp(line, "Model", 5) == 0) {
        char* colon = strchr(line, ':');
        if (colon) {
          snprintf(buf, buflen, "%s", colon + 1);
          break;
        }
      }
    }
    if (f) fclose(f);
  }
  if (buf[0] == '\0') snprintf(buf, buflen, "unknown CPU");
  qb__trim(buf);
}
