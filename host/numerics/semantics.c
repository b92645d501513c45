/*
 * The semantics probe: one call of the path on a handful of crafted inputs, then each
 * output classified. The formats are handled generically from the dtype table (exponent
 * bits, mantissa bits, bias), with values built and read by frexp/ldexp.
 */
#include "numerics/semantics.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/dtype.h"

typedef struct fmt {
  qb_dtype t;
  unsigned bits, ebits, mbits;
  int bias;
  bool fn;   /* e4m3fn: no inf, one NaN per sign (S.1111.111), no signaling NaN */
  bool ieee; /* inf and NaN as IEEE 754 (FP6/FP4 and e8m0 are neither this nor fn) */
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
  qb_dtype_finfo(t, &f.fi);
  return f;
}

static uint64_t sign_bit(const fmt* f) {
  return 1ull << (f->bits - 1);
}
static uint64_t exp_ones(const fmt* f) {
  return ((1ull << f->ebits) - 1) << f->mbits;
}
static uint64_t man_mask(const fmt* f) {
  return (1ull << f->mbits) - 1;
}

static bool is_nan(const fmt* f, uint64_t v) {
  const uint64_t mag = v & ~sign_bit(f);
  if (f->fn) return mag == (exp_ones(f) | man_mask(f));
  return (mag & exp_ones(f)) == exp_ones(f) && (mag & man_mask(f)) != 0;
}

/* The value of a code; NaN for NaN codes. */
static double decode(const fmt* f, uint64_t v) {
  if (is_nan(f, v)) return NAN;
  const uint64_t e = (v & exp_ones(f)) >> f->mbits, m = v & man_mask(f);
  double a;
  if (!f->fn && e == (1ull << f->ebits) - 1) {
    a = INFINITY;
  } else if (e == 0) {
    a = ldexp((double) m, 1 - f->bias - (int) f->mbits);
  } else {
    a = ldexp((double) ((1ull << f->mbits) | m), (int) e - f->bias - (int) f->mbits);
  }
  return (v & sign_bit(f)) ? -a : a;
}

/* The code of a value the format holds exactly (finite or inf); false when it does not. */
static bool encode(const fmt* f, double v, uint64_t* out) {
  const uint64_t sign = signbit(v) ? sign_bit(f) : 0;
  if (isnan(v)) return false;
  if (isinf(v)) {
    if (f->fn) return false;
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

static uint64_t get_elem(const fmt* f, const unsigned char* p, size_t i) {
  uint64_t v = 0;
  memcpy(&v, p + i * (f->bits / 8), f->bits / 8); /* little-endian hosts */
  return v;
}

static void set_elem(const fmt* f, unsigned char* p, size_t i, uint64_t v) {
  memcpy(p + i * (f->bits / 8), &v, f->bits / 8);
}

bool qb_semantics_family_ok(qb_family family) {
  const qb_family_info* fi = qb_family_get(family);
  if (fi == NULL || (fi->op != QB_OP_cvt && fi->op != QB_OP_cvtsat)) return false;
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

static const char* classify_big(const fmt* o, uint64_t y) {
  const double v = decode(o, y);
  if (isnan(v)) return "nan";
  if (isinf(v)) return v > 0 ? "inf" : "other";
  if (v == o->fi.max) return "saturate";
  return "other";
}

qb_status qb_semantics_probe(qb_family family, const char* path, qb_sem_run_fn run, void* user,
                             qb_sem_observed* out, qb_error* err) {
  if (!qb_semantics_family_ok(family)) {
    const qb_family_info* f = qb_family_get(family);
    return qb_fail(err, QB_BAD_INPUT, "semantics: '%s' is not a float cast family", f ? f->name : "?");
  }
  const qb_family_info* fam = qb_family_get(family);
  const fmt I = fmt_of(fam->in), O = fmt_of(fam->out);
  memset(out, 0, sizeof *out);
  snprintf(out->family, sizeof out->family, "%s", fam->name);
  snprintf(out->path, sizeof out->path, "%s", path);

  /* 1. The inputs. A probe that the pair of formats cannot express stays 0 and unused. */
  uint64_t in[P_COUNT] = {0};
  bool used[P_COUNT] = {false};
  const bool widening = O.mbits >= I.mbits && O.ebits >= I.ebits;
  const double u = ldexp(1.0, -(int) (widening ? I.mbits : O.mbits));
  const double probes_r[8] = {1 + u / 4, 1 + 3 * u / 4, -(1 + u / 4), -(1 + 3 * u / 4),
                              1 + u / 2, 1 + 3 * u / 2, -(1 + u / 2), -(1 + 3 * u / 2)};
  for (int i = 0; i < 8; i++) {
    /* Widening: +-(1 + k * 2^-mI), k = 1..3, which both formats hold exactly. */
    const double v = widening ? copysign(1 + (i % 3 + 1) * u, probes_r[i]) : probes_r[i];
    used[P_R1 + i] = encode(&I, v, &in[P_R1 + i]);
  }
  in[P_SUB_IN] = man_mask(&I); /* exponent 0, every mantissa bit: the largest subnormal */
  used[P_SUB_IN] = true;
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

  /* 2. One run over all of them. */
  unsigned char x[P_COUNT * 8], y[P_COUNT * 8];
  memset(y, 0, sizeof y);
  for (int i = 0; i < P_COUNT; i++) set_elem(&I, x, (size_t) i, in[i]);
  run(user, P_COUNT, x, y);
  uint64_t r[P_COUNT];
  double v[P_COUNT];
  for (int i = 0; i < P_COUNT; i++) {
    r[i] = get_elem(&O, y, (size_t) i);
    v[i] = decode(&O, r[i]);
  }

  /* 3. Rounding and ties. */
  out->rounding = "other";
  out->ties = "n/a";
  bool all_used = true;
  for (int i = P_R1; i <= P_T4; i++) all_used = all_used && used[i];
  if (!all_used) {
    out->rounding = "n/a";
  } else if (widening) {
    bool exact = true;
    for (int i = P_R1; i <= P_T4; i++) exact = exact && v[i] == decode(&I, in[i]);
    out->rounding = exact ? "exact" : "other";
  } else {
    const double lo = 1, hi = 1 + u, hi2 = 1 + 2 * u;
    const double r1 = v[P_R1], r2 = v[P_R2], r3 = v[P_R3], r4 = v[P_R4];
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
      const double t1 = v[P_T1], t2 = v[P_T2], t3 = v[P_T3], t4 = v[P_T4];
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

  /* 4. Subnormals. An input whose exact result rounds to zero shows nothing. */
  {
    const double exact = qb_dtype_round(O.t, decode(&I, in[P_SUB_IN]), false);
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
    out->nan_sign = a_neg && !b_neg ? "kept" : "lost";
    if (I.fn || O.fn) {
      out->nan_payload = "n/a"; /* one NaN per sign on one side: no payload to keep */
    } else if ((r[P_NAN_A] & ~sign_bit(&O)) == (r[P_NAN_B] & ~sign_bit(&O))) {
      out->nan_payload = "canonical";
    } else if (O.mbits >= 2) {
      const uint64_t bit = 1ull << (O.mbits - 2);
      out->nan_payload = (r[P_NAN_A] & bit) && !(r[P_NAN_B] & bit) ? "kept" : "other";
    } else {
      out->nan_payload = "other";
    }
  }
  if (!used[P_SNAN] || O.fn) {
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
