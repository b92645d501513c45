/*
 * Run-time CPU features and the ISA tokens of kernels/isa.inc. The feature word is
 * filled once (cpuid/xgetbv on x86, getauxval on Arm) into a qb_cpu owned by the
 * caller; the ISA cap (QBENCH_MAX_ISA or --isa) lives there too.
 */
#ifndef QB_CPU_H
#define QB_CPU_H

#include <stdbool.h>
#include <stdint.h>

#include "core/status.h"

typedef enum qb_feature {
#define QB_FEATURE(tok, arch) QB_FEAT_##tok,
#include "platform/features.inc"
#undef QB_FEATURE
  QB_FEAT_COUNT
} qb_feature;

typedef enum qb_isa {
#define QB_ISA(tok, ...) QB_ISA_##tok,
#include "isa.inc"
#undef QB_ISA
  QB_ISA_COUNT
} qb_isa;

/*
 * CPU classes: the kinds of CPU on which a variant order was measured
 * (kernels/prefer.inc: on a CPU of that class, dispatch picks the row's variant ahead
 * of the registry order). Only classes something was measured on; every other CPU is
 * `other` and gets the registry order alone.
 */
#define QB_CPU_CLASSES(X)                                                                   \
  X(other, "any CPU not below: the registry order alone")                                   \
  X(zen4, "AMD family 0x19 with AVX-512 (Zen 4: 512-bit operations as two 256-bit halves)") \
  X(intel_avx512,                                                                           \
    "Intel with AVX-512 (measured on Xeons with and without AVX512-BF16: full-width 512-bit units)")

typedef enum qb_cpu_class {
#define QB__CPU_CLASS_ENUM(tok, doc) QB_CPU_CLASS_##tok,
  QB_CPU_CLASSES(QB__CPU_CLASS_ENUM)
#undef QB__CPU_CLASS_ENUM
      QB_CPU_CLASS_COUNT
} qb_cpu_class;

typedef struct qb_cpu {
  uint64_t features; /* bit (1 << qb_feature) */
  int cap_level;     /* ISAs above this level are disabled; INT32_MAX: no cap */
  char cap_name[32]; /* the cap as given, "" when none */
  /* Running under an emulator (qemu-user): the features are the emulated CPU's and
   * timings mean nothing about any machine. emulated_why says how it was found. */
  bool emulated;
  char emulated_why[160];
  /* The CPU class (x86: from CPUID's vendor and family and the AVX-512 features found
   * above; Arm: always `other`), or QBENCH_CPU_CLASS's; class_why says from what
   * ("GenuineIntel family 0x6 model 0xcf, AVX-512F"). The ISA cap does not change it:
   * a preferred variant above the cap is not usable, and dispatch falls back to the
   * registry order. Under emulation it is the emulated CPU's class. */
  qb_cpu_class cls;
  char class_why[160];
} qb_cpu;

/* Detects the features, emulation and the CPU class; no cap. Never fails: a feature not found is
 * absent. Emulation: QBENCH_EMULATED=1 or 0 decides (the test scripts set it); otherwise
 * qemu-user is recognized by /proc/thread-self/exe naming the emulator (qemu fakes
 * /proc/self/exe only), or by /proc/cpuinfo describing another architecture. Class:
 * QBENCH_CPU_CLASS=<name> decides when it names a class (an unknown name is ignored, and
 * class_why says so). */
void qb_cpu_detect(qb_cpu* cpu);
/* Class names ("intel_avx512") and their one-line descriptions. */
const char* qb_cpu_class_name(qb_cpu_class c);
const char* qb_cpu_class_doc(qb_cpu_class c);
qb_cpu_class qb_cpu_class_find(const char* name); /* QB_CPU_CLASS_COUNT when unknown */
/* Caps at the named ISA (e.g. "avx2"; "scalar" keeps only the references). */
qb_status qb_cpu_set_cap(qb_cpu* cpu, const char* isa_name, qb_error* err);
/* Applies QBENCH_MAX_ISA when set. */
qb_status qb_cpu_cap_from_env(qb_cpu* cpu, qb_error* err);

const char* qb_feature_name(qb_feature f);
bool qb_feature_is_native(qb_feature f); /* belongs to the arch this binary runs on */

const char* qb_isa_name(qb_isa isa);
qb_isa qb_isa_find(const char* name); /* QB_ISA_COUNT when unknown */
int qb_isa_level(qb_isa isa);
const char* qb_isa_arch(qb_isa isa);
const char* qb_isa_flags(qb_isa isa);
bool qb_isa_native(qb_isa isa); /* any or the arch of this binary */
bool qb_isa_built(qb_isa isa);  /* its kernels were compiled into this binary */
/*
 * Whether kernels of this ISA may run here. When not, *reason (static or in `buf`)
 * says why: another architecture, not built, the CPU lacks a feature, or the cap.
 */
bool qb_isa_usable(const qb_cpu* cpu, qb_isa isa, const char** reason, char* buf, int buflen);
/* The first run-time feature a native, built ISA needs that this CPU lacks, into buf
 * ("avx512f"); false when it lacks none (or the ISA is foreign or not built). */
bool qb_isa_missing_feature(const qb_cpu* cpu, qb_isa isa, char* buf, size_t len);

/* The CPU's model name (trimmed), from cpuid's brand string or /proc/cpuinfo. */
void qb_cpu_model(char* buf, int buflen);

#endif
