/*
 * The semantics probe: one call of the path on a handful of crafted inputs, then each
 * output classified. The formats are handled generically from the dtype table (exponent
 * bits, mantissa bits, bias), with values built and read by frexp/ldexp.
 */
#include "numerics/semantics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dtype.h"
#include "numerics/casedata.h"

typedef struct fmt {
  qb_dtype t;
  unsigned bits, ebits, mbits;
  int bias;
  bool fn;      /* e4m3fn: no inf, one NaN per sign (S.1111.111), no signaling NaN */
  bool ieee;    /* inf and NaN as IEEE 754 (FP6/FP4 and e8m0 are neither this nor fn) */
  bool signed_; /* e8m0 has no sign bit: powers of two only */
  qb_finfo fi;
} fmt;

static fmt fmt_of(qb_dtype t) {
  const qb_dtype_info* d = qb_dtype_get(t);
  fmt f;
  f.t = t;
  f.bits = d->bits;
  f.ebits = (unsigned) d->exp_bits;
  f.mbits = (unsigned) d->man_bits;
  f.bias = d->bias;
  f.fn = d->special == QB_SPECIAL_fn;
  f.ieee = d->special == QB_SPECIAL_ieee;
  f.signed_ = d->special != QB_SPECIAL_e8m0;
  qb_dtype_finfo(t, &f.fi);
  return f;
}

static uint64_t sign_bit(const fmt* f) {
  return f->signed_ ? 1ull << (f->bits - 1) : 0;
}
static uint64_t exp_ones(const fmt* f) {
  return ((1ull << f->ebits) - 1) << f->mbits;
}
static uint64_t man_mask(const fmt* f) {
  return (1ull << f->mbits) - 1;
}

/* Codes and values through the dtype table (host/core/dtype.h), which knows every
 * format's specials: FP6/FP4 have no inf or NaN, e8m0 no sign, no zero, 0xFF = NaN. */
static bool is_nan(const fmt* f, uint64_t v) {
  return qb_dtype_is_nan_bits(f->t, v);
}

/* The value of a code; NaN for NaN codes. */
static double decode(const fmt* f, uint64_t v) {
  return qb_dtype_decode_bits(f->t, v);
}

/* The code of a value the format holds exactly (finite or inf); false when it does not.
 * Formats of 16 bits or fewer are searched code by code (the probe needs a handful). */
static bool encode(const fmt* f, double v, uint64_t* out) {
  if (isnan(v)) return false;
  if (f->bits <= 16) {
    for (uint64_t c = 0; c < (1ull << f->bits); c++) {
      const double d = decode(f, c);
      if (d == v && !isnan(d) && signbit(d) == signbit(v)) {
        *out = c;
        return true;
      }
    }
    return false;
  }
  const uint64_t sign = signbit(v) ? sign_bit(f) : 0;
  if (isinf(v)) {
    if (!f->ieee) return false;
    *out = sign | exp_ones(f);
    return true;
  }
  const double a = fabs(v);
  if (a == 0.0) {
    *out = sign;
    return true;
  }
  int e;
  frexp(a, &e);
  const int E = e - 1, emin = 1 - f->bias;
  double mant;
  uint64_t biased = 0;
  if (E >= emin) {
    biased = (uint64_t) (E + f->bias);
    mant = ldexp(a, (int) f->mbits - E) - ldexp(1.0, (int) f->mbits);
  } else {
    mant = ldexp(a, (int) f->mbits - emin);
  }
  if (mant != floor(mant) || mant < 0 || mant >= ldexp(1.0, (int) f->mbits)) return false;
  if (biased > (exp_ones(f) >> f->mbits) - (f->fn ? 0 : 1)) return false;
  *out = sign | (biased << f->mbits) | (uint64_t) mant;
  return !is_nan(f, *out);
}

/* Element i of a buffer as the kernels store it (FP6/FP4 packed). */
static uint64_t get_elem(const fmt* f, const unsigned char* p, size_t i) {
  return qb_dtype_load_bits(f->t, p, i);
}

static void set_elem(const fmt* f, unsigned char* p, size_t i, uint64_t v) {
  qb_dtype_store_bits(f->t, p, i, v);
}

/*
 * A block dtype without a zero point, from its layout (kernels/blocks.inc): *grid the
 * spacing of its elements at 1 and *max the largest element, both at scale 1 (codes
 * times 2^code_exp: MXINT8's s8 x 2^-6). False for other dtypes and blocks with a zero
 * point (q4_0's eight, int4 groups' byte), whose scale 1 is not amax = max.
 */
static bool qb__block_elem(qb_dtype t, double* grid, double* max) {
  qb_block_geom g;
  if (!qb_dtype_block(t, &g) || g.zero != QB_BLOCK_ZERO_none) return false;
  const qb_dtype_info* c = qb_dtype_get(g.code);
  qb_finfo fi;
  if (c->cls == QB_CLASS_float && qb_dtype_finfo(g.code, &fi)) {
    *grid = ldexp(1.0, -c->man_bits + g.code_exp);
    *max = ldexp(fi.max, g.code_exp);
    return true;
  }
  if (c->cls != QB_CLASS_int) return false;
  *grid = ldexp(1.0, g.code_exp);
  *max = ldexp((double) c->imax, g.code_exp);
  return true;
}

static bool qb__block_family(const qb_family_info* fi) {
  double g, m;
  return fi->op == QB_OP_bquant && fi->in == QB_DTYPE_f32 && qb__block_elem(fi->out, &g, &m);
}

bool qb_semantics_family_ok(qb_family family) {
  const qb_family_info* fi = qb_family_get(family);
  if (fi == NULL) return false;
  if (qb__block_family(fi)) return true;
  if (fi->op != QB_OP_cvt && fi->op != QB_OP_cvtsat) return false;
  return qb_dtype_get(fi->in)->cls == QB_CLASS_float && qb_dtype_get(fi->out)->cls == QB_CLASS_float &&
         fi->in != fi->out;
}

/* The probes, one input each. */
enum {
  P_R1,      /* +(1 + u/4)  (u: the output's ulp at 1; widening: inputs it holds exactly) */
  P_R2,      /* +(1 + 3u/4) */
  P_R3,      /* -(1 + u/4) */
  P_R4,      /* -(1 + 3u/4) */
  P_T1,      /* +(1 + u/2): a tie between 1 (even) and 1 + u (odd) */
  P_T2,      /* +(1 + 3u/2): a tie between 1 + u (odd) and 1 + 2u (even) */
  P_T3,      /* -(1 + u/2) */
  P_T4,      /* -(1 + 3u/2) */
  P_SUB_IN,  /* the input's largest subnormal */
  P_SUB_OUT, /* a normal input whose value is an output subnormal */
  P_NAN_A,   /* -NaN, quiet, the payload bit below the quiet bit set */
  P_NAN_B,   /* +NaN, quiet, no other payload */
  P_SNAN,    /* +NaN, signaling */
  P_OVF,     /* a finite input above the output's range */
  P_INF,     /* +inf */
  P_COUNT
};

/* Rounding and ties from the outputs of the eight probes P_R1 .. P_T4, given as values:
 * lo = 1, hi = the next value up, hi2 = the one after. */
static void qb__classify_rounding(const double* v, double lo, double hi, double hi2, qb_sem_observed* out) {
  const double r1 = v[0], r2 = v[1], r3 = v[2], r4 = v[3];
  if (r1 == lo && r2 == hi && r3 == -lo && r4 == -hi) {
    out->rounding = "nearest";
  } else if (r1 == lo && r2 == lo && r3 == -lo && r4 == -lo) {
    out->rounding = "toward-zero";
  } else if (r1 == hi && r2 == hi && r3 == -lo && r4 == -lo) {
    out->rounding = "toward+inf";
  } else if (r1 == lo && r2 == lo && r3 == -hi && r4 == -hi) {
    out->rounding = "toward-inf";
  } else if (r1 == hi && r2 == hi && r3 == -hi && r4 == -hi) {
    out->rounding = "away";
  }
  if (strcmp(out->rounding, "nearest") == 0) {
    const double t1 = v[4], t2 = v[5], t3 = v[6], t4 = v[7];
    const bool sym = t3 == -t1 && t4 == -t2;
    if (sym && t1 == lo && t2 == hi2) {
      out->ties = "even";
    } else if (sym && t1 == hi && t2 == hi2) {
      out->ties = "away";
    } else if (sym && t1 == lo && t2 == hi) {
      out->ties = "toward-zero";
    } else if (sym && t1 == hi && t2 == hi) {
      out->ties = "odd";
    } else {
      out->ties = "other";
    }
  }
}

static const char* classify_big(const fmt* o, uint64_t y) {
  const double v = decode(o, y);
  if (isnan(v)) return "nan";
  if (isinf(v)) return v > 0 ? "inf" : "other";
  if (v == o->fi.max) return "saturate";
  return "other";
}

/*
 * A block quantizer, probed on five blocks of its length L (numbers in units of the
 * element's largest exponent emax, so one set of blocks serves every format):
 *   B0  amax = (2 - 2^-7) 2^emax, above every element's max: FLOOR keeps scale 1 and
 *       clips it to max, RCEIL takes scale 2 and gives 2^(emax+1), a scale of amax / max
 *       gives back about amax;
 *   B1  amax = max (scale 1 under every rule) and the eight rounding probes at 1;
 *   B2  all zero; B3 a NaN and a 1; B4 +inf and a 1.
 * Outputs are read back as values (qb_case_decode).
 */
static qb_status qb__probe_block(const qb_family_info* fam, qb_sem_run_fn run, void* user,
                                 qb_sem_observed* out, qb_error* err) {
  double u, max;
  qb_block_geom g;
  if (!qb__block_elem(fam->out, &u, &max) || !qb_dtype_block(fam->out, &g))
    return qb_fail(err, QB_BAD_INPUT, "semantics: '%s' is not a block format without a zero point",
                   fam->name);
  const size_t L = g.len, n = 5 * L;
  float* x = calloc(n, sizeof *x);
  void* y = calloc(qb_dtype_buffer_bytes(fam->out, n) + 64, 1);
  if (x == NULL || y == NULL) {
    free(x);
    free(y);
    return qb_fail(err, QB_NO_MEMORY, "semantics: out of memory");
  }
  int emax;
  (void) frexp(max, &emax);
  emax -= 1; /* max in [2^emax, 2^(emax+1)) */
  const double amax = ldexp(2.0 - ldexp(1.0, -7), emax);
  x[0] = (float) amax;
  x[L] = (float) max;
  /* The ties probes need an even value below them: 1 is a float's (mantissa 0) and
   * MXINT8's (code 64), but an integer code 1 is odd: those are probed at 2. */
  const double b = fmod(1.0 / u, 2.0) == 1.0 ? 2.0 : 1.0;
  const double probes[8] = {b + u / 4, b + 3 * u / 4, -(b + u / 4), -(b + 3 * u / 4),
                            b + u / 2, b + 3 * u / 2, -(b + u / 2), -(b + 3 * u / 2)};
  for (int i = 0; i < 8; i++) x[L + 1 + (size_t) i] = (float) probes[i];
  x[3 * L] = NAN;
  x[3 * L + 1] = 1.0f;
  x[4 * L] = INFINITY;
  x[4 * L + 1] = 1.0f;
  run(user, n, x, y);

  /* 1. The scale rule, and whether the top of the block clips. */
  const double y0 = qb_case_decode(fam->out, y, 0);
  if (y0 == max) {
    out->scale = "floor";
    out->overflow = "saturate";
  } else if (y0 == ldexp(1.0, emax + 1)) {
    out->scale = "rceil";
    out->overflow = "n/a";
  } else if (fabs(y0 - amax) <= 0.1 * amax) {
    out->scale = "amax/max";
    out->overflow = "n/a";
  } else {
    out->scale = "other";
    out->overflow = "other";
  }
  /* 2. Elements at scale 1. */
  double v[8];
  for (int i = 0; i < 8; i++) v[i] = qb_case_decode(fam->out, y, L + 1 + (size_t) i);
  out->rounding = "other";
  out->ties = "n/a";
  qb__classify_rounding(v, b, b + u, b + 2 * u, out);
  /* 3. Edge blocks. */
  bool zeros = true, nans = false;
  for (size_t i = 2 * L; i < 3 * L; i++) {
    const double z = qb_case_decode(fam->out, y, i);
    zeros = zeros && z == 0;
    nans = nans || isnan(z);
  }
  out->zero_block = zeros ? "zeros" : (nans ? "nan" : "other");
  const double n0 = qb_case_decode(fam->out, y, 3 * L), n1 = qb_case_decode(fam->out, y, 3 * L + 1);
  out->nan_block = isnan(n0) && isnan(n1) ? "block" : (isnan(n0) && n1 == 1 ? "element" : "other");
  const double i0 = qb_case_decode(fam->out, y, 4 * L), i1 = qb_case_decode(fam->out, y, 4 * L + 1);
  out->inf =
      isnan(i0) && isnan(i1) ? "nan" : (isinf(i0) && i0 > 0 ? "inf" : (isfinite(i0) ? "saturate" : "other"));
  /* Subnormals and NaN payloads are the element casts' (a row of their own). */
  out->subnormal_in = out->subnormal_out = out->nan_payload = out->nan_sign = out->snan = "n/a";
  free(x);
  free(y);
  return QB_OK;
}

qb_status qb_semantics_probe(qb_family family, const char* path, qb_sem_run_fn run, void* user,
                             qb_sem_observed* out, qb_error* err) {
  if (!qb_semantics_family_ok(family)) {
    const qb_family_info* f = qb_family_get(family);
    return qb_fail(err, QB_BAD_INPUT, "semantics: '%s' is not a float cast family", f ? f->name : "?");
  }
  const qb_family_info* fam = qb_family_get(family);
  memset(out, 0, sizeof *out);
  snprintf(out->family, sizeof out->family, "%s", fam->name);
  snprintf(out->path, sizeof out->path, "%s", path);
  if (qb__block_family(fam)) return qb__probe_block(fam, run, user, out, err);
  out->scale = out->zero_block = out->nan_block = "n/a";
  const fmt I = fmt_of(fam->in), O = fmt_of(fam->out);

  /* 1. The inputs. A probe that the pair of formats cannot express stays 0 and unused. */
  uint64_t in[P_COUNT] = {0};
  bool used[P_COUNT] = {false};
  const bool widening = O.mbits >= I.mbits && O.ebits >= I.ebits;
  const double u = ldexp(1.0, -(int) (widening ? I.mbits : O.mbits));
  const double probes_r[8] = {1 + u / 4, 1 + 3 * u / 4, -(1 + u / 4), -(1 + 3 * u / 4),
                              1 + u / 2, 1 + 3 * u / 2, -(1 + u / 2), -(1 + 3 * u / 2)};
  for (int i = 0; i < 8; i++) {
    /* Widening: +-(1 + k * 2^-mI), k = 1..3, where the formats hold them exactly. */
    const double v = widening ? copysign(1 + (i % 3 + 1) * u, probes_r[i]) : probes_r[i];
    used[P_R1 + i] = encode(&I, v, &in[P_R1 + i]);
  }
  /* Exponent 0, every mantissa bit: the largest subnormal (e8m0 has none). */
  in[P_SUB_IN] = man_mask(&I);
  used[P_SUB_IN] = I.mbits > 0;
  {
    const double v = (O.mbits >= 2 ? 3 : 1) * O.fi.min_subnormal;
    used[P_SUB_OUT] = v >= I.fi.min_normal && encode(&I, v, &in[P_SUB_OUT]);
  }
  /* NaN and inf probes only where the input format has them (FP6/FP4 have neither; an
   * IEEE-style payload needs two mantissa bits). */
  if (I.fn) {
    in[P_NAN_A] = sign_bit(&I) | exp_ones(&I) | man_mask(&I);
    in[P_NAN_B] = exp_ones(&I) | man_mask(&I);
    used[P_NAN_A] = used[P_NAN_B] = true;
  } else if (I.ieee && I.mbits >= 2) {
    const uint64_t quiet = 1ull << (I.mbits - 1);
    in[P_NAN_A] = sign_bit(&I) | exp_ones(&I) | quiet | (1ull << (I.mbits - 2));
    in[P_NAN_B] = exp_ones(&I) | quiet;
    in[P_SNAN] = exp_ones(&I) | (1ull << (I.mbits - 2));
    used[P_SNAN] = true;
    in[P_INF] = exp_ones(&I);
    used[P_INF] = true;
    used[P_NAN_A] = used[P_NAN_B] = true;
  }
  if (I.fi.max > O.fi.max) {
    const double v = 2 * O.fi.max <= I.fi.max ? 2 * O.fi.max : I.fi.max;
    used[P_OVF] = encode(&I, v, &in[P_OVF]);
  }

  /* 2. One run over all of them, padded with zeros to the family's multiple (packed
   * FP6 is written four codes at a time). */
  enum { MAX_N = 64 };
  unsigned char x[MAX_N * 8], y[MAX_N * 8];
  size_t n = P_COUNT;
  if (fam->n_multiple > 1 && fam->n_multiple <= MAX_N)
    n = (n + fam->n_multiple - 1) / fam->n_multiple * fam->n_multiple;
  memset(x, 0, sizeof x);
  memset(y, 0, sizeof y);
  for (int i = 0; i < P_COUNT; i++) set_elem(&I, x, (size_t) i, in[i]);
  run(user, n, x, y);
  uint64_t r[P_COUNT];
  double v[P_COUNT];
  for (int i = 0; i < P_COUNT; i++) {
    r[i] = get_elem(&O, y, (size_t) i);
    v[i] = decode(&O, r[i]);
  }

  /* 3. Rounding and ties. */
  out->rounding = "other";
  out->ties = "n/a";
  bool all_used = true, any_used = false;
  for (int i = P_R1; i <= P_T4; i++) {
    /* An output without a sign (e8m0) is probed on the positive inputs only. */
    const bool neg = i == P_R3 || i == P_R4 || i == P_T3 || i == P_T4;
    if (neg && !O.signed_) continue;
    all_used = all_used && used[i];
    any_used = any_used || used[i];
  }
  if (widening) {
    /* Every probe the input holds must come out as itself. */
    bool exact = true;
    for (int i = P_R1; i <= P_T4; i++) exact = exact && (!used[i] || v[i] == decode(&I, in[i]));
    out->rounding = !any_used ? "n/a" : (exact ? "exact" : "other");
  } else if (!all_used) {
    out->rounding = "n/a";
  } else {
    /* Without a sign the negative probes are read as the mirror of the positive ones. */
    if (!O.signed_) {
      v[P_R3] = -v[P_R1];
      v[P_R4] = -v[P_R2];
      v[P_T3] = -v[P_T1];
      v[P_T4] = -v[P_T2];
    }
    /* Without a mantissa (e8m0) the values above 1 are 2 and 4, and 1 + 3u/2 is no tie:
     * the second tie probe is read as the first one's. */
    const double lo = 1, hi = 1 + u, hi2 = O.mbits == 0 ? 4 : 1 + 2 * u;
    if (O.mbits == 0) {
      v[P_T2] = v[P_T1] == lo ? hi : hi2;
      v[P_T4] = -v[P_T2];
    }
    qb__classify_rounding(v + P_R1, lo, hi, hi2, out);
  }

  /* 4. Subnormals. An input whose exact result rounds to zero shows nothing. */
  {
    const double exact = used[P_SUB_IN] ? qb_dtype_round(O.t, decode(&I, in[P_SUB_IN]), false) : 0;
    if (exact == 0) {
      out->subnormal_in = "n/a";
    } else {
      out->subnormal_in = v[P_SUB_IN] == 0 ? "flushed" : (v[P_SUB_IN] > 0 ? "kept" : "other");
    }
  }
  if (!used[P_SUB_OUT]) {
    out->subnormal_out = "n/a";
  } else {
    const double want = decode(&I, in[P_SUB_OUT]);
    out->subnormal_out = v[P_SUB_OUT] == want ? "kept" : (v[P_SUB_OUT] == 0 ? "flushed" : "other");
  }

  /* 5. NaN: payload, sign, signaling NaN. */
  const bool a_nan = is_nan(&O, r[P_NAN_A]), b_nan = is_nan(&O, r[P_NAN_B]);
  if (!used[P_NAN_A]) {
    out->nan_payload = "n/a";
    out->nan_sign = "n/a";
  } else if (!a_nan || !b_nan) {
    out->nan_payload = "lost";
    out->nan_sign = "n/a";
  } else {
    const bool a_neg = (r[P_NAN_A] & sign_bit(&O)) != 0, b_neg = (r[P_NAN_B] & sign_bit(&O)) != 0;
    out->nan_sign = !O.signed_ ? "n/a" : (a_neg && !b_neg ? "kept" : "lost");
    if (I.fn || O.fn || !O.signed_) {
      out->nan_payload = "n/a"; /* one NaN (per sign) on one side: no payload to keep */
    } else if ((r[P_NAN_A] & ~sign_bit(&O)) == (r[P_NAN_B] & ~sign_bit(&O))) {
      out->nan_payload = "canonical";
    } else if (O.mbits >= 2) {
      const uint64_t bit = 1ull << (O.mbits - 2);
      out->nan_payload = (r[P_NAN_A] & bit) && !(r[P_NAN_B] & bit) ? "kept" : "other";
    } else {
      out->nan_payload = "other";
    }
  }
  if (!used[P_SNAN] || O.fn || !O.signed_) { /* e4m3fn and e8m0: one NaN, no signaling one */
    out->snan = "n/a";
  } else if (!is_nan(&O, r[P_SNAN])) {
    out->snan = "lost";
  } else {
    out->snan = O.mbits >= 1 && (r[P_SNAN] & (1ull << (O.mbits - 1))) ? "quieted" : "signaling";
  }

  /* 6. Overflow and inf. */
  out->overflow = used[P_OVF] ? classify_big(&O, r[P_OVF]) : "n/a";
  out->inf = used[P_INF] ? classify_big(&O, r[P_INF]) : "n/a";
  return QB_OK;
}
