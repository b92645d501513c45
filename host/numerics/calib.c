#include "numerics/calib.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void qb_quant_params_init(qb_quant_params* p, float scale, int32_t zero_point, int32_t qmin, int32_t qmax,
                          qb_round_mode round) {
  memset(p, 0, sizeof *p);
  p->scale = scale;
  p->inv_scale = 1.0f / scale;
  p->zero_point = zero_point;
  p->qmin = qmin;
  p->qmax = qmax;
  p->round = round;
}

/* One set of affine parameters; `what` names them in messages ("" or "channel 3 "). */
static qb_status qb__validate_one(float scale, float inv_scale, int32_t zp, int32_t qmin, int32_t qmax,
                                  const char* what, qb_error* err) {
  if (!(isfinite(scale) && scale > 0.0f)) {
    return qb_fail(err, QB_BAD_INPUT, "quant params: %sscale = %g: must be finite and > 0", what,
                   (double) scale);
  }
  if (!isfinite(1.0f / scale)) {
    return qb_fail(err, QB_BAD_INPUT, "quant params: %sscale = %g: too small, 1/scale overflows", what,
                   (double) scale);
  }
  if (inv_scale != 1.0f / scale) {
    return qb_fail(err, QB_BAD_INPUT, "quant params: %sinv_scale = %.9g: must be 1/scale = %.9g", what,
                   (double) inv_scale, (double) (1.0f / scale));
  }
  if (zp < qmin || zp > qmax) {
    return qb_fail(err, QB_BAD_INPUT, "quant params: %szero_point = %d: outside [qmin, qmax] = [%d, %d]",
                   what, (int) zp, (int) qmin, (int) qmax);
  }
  return QB_OK;
}

qb_status qb_quant_params_validate(const qb_quant_params* p, size_t n, qb_error* err) {
  char what[48];
  if (p->round != QB_ROUND_PYTORCH && p->round != QB_ROUND_TFLITE) {
    return qb_fail(err, QB_BAD_INPUT, "quant params: round = %d: not a rounding mode", (int) p->round);
  }
  if (p->qmin > p->qmax) {
    return qb_fail(err, QB_BAD_INPUT, "quant params: qmin = %d > qmax = %d", (int) p->qmin, (int) p->qmax);
  }
  if (p->channel_len == 0) {
    return qb__validate_one(p->scale, p->inv_scale, p->zero_point, p->qmin, p->qmax, "", err);
  }
  if (n % p->channel_len != 0) {
    return qb_fail(err, QB_BAD_INPUT, "quant params: channel_len = %zu does not divide n = %zu",
                   p->channel_len, n);
  }
  if (!p->scales || !p->inv_scales || !p->zero_points) {
    return qb_fail(err, QB_BAD_INPUT, "quant params: per-channel %s missing (NULL)",
                   !p->scales       ? "scales"
                   : !p->inv_scales ? "inv_scales"
                                    : "zero_points");
  }
  for (size_t c = 0; c < n / p->channel_len; c++) {
    snprintf(what, sizeof what, "channel %zu ", c);
    qb_status s =
        qb__validate_one(p->scales[c], p->inv_scales[c], p->zero_points[c], p->qmin, p->qmax, what, err);
    if (s != QB_OK) {
      return s;
    }
  }
  return QB_OK;
}

/* The range of x without NaN; `what` names the data in messages. */
static qb_status qb__finite_range(const float* x, size_t n, const char* what, float* lo, float* hi,
                                  qb_error* err) {
  size_t seen = 0;
  float mn = INFINITY, mx = -INFINITY;
  if (n == 0 || x == NULL) {
    return qb_fail(err, QB_BAD_INPUT, "calibration: %sempty data", what);
  }
  for (size_t i = 0; i < n; i++) {
    if (isnan(x[i])) {
      continue;
    }
    if (isinf(x[i])) {
      return qb_fail(err, QB_BAD_INPUT, "calibration: %selement %zu is %cinf: no finite range", what, i,
                     x[i] < 0 ? '-' : '+');
    }
    mn = x[i] < mn ? x[i] : mn;
    mx = x[i] > mx ? x[i] : mx;
    seen++;
  }
  if (seen == 0) {
    return qb_fail(err, QB_BAD_INPUT, "calibration: %sall %zu elements are NaN", what, n);
  }
  *lo = mn;
  *hi = mx;
  return QB_OK;
}

static qb_status qb__check_qrange(int32_t qmin, int32_t qmax, qb_error* err) {
  if (qmin >= qmax) {
    return qb_fail(err, QB_BAD_INPUT, "calibration: qmin = %d >= qmax = %d", (int) qmin, (int) qmax);
  }
  return QB_OK;
}

/* PyTorch's MinMaxObserver, affine: all in f32, torch.round is half to even. */
static qb_status qb__affine_from_range(float lo, float hi, int32_t qmin, int32_t qmax, const char* what,
                                       float* scale, int32_t* zero_point, qb_error* err) {
  const float mn = lo < 0.0f ? lo : 0.0f;
  const float mx = hi > 0.0f ? hi : 0.0f;
  float s = (mx - mn) / (float) (qmax - qmin);
  if (isinf(s)) {
    return qb_fail(err, QB_BAD_INPUT, "calibration: %srange [%g, %g] overflows f32", what, (double) mn,
                   (double) mx);
  }
  s = s > QB_CALIB_MIN_SCALE ? s : QB_CALIB_MIN_SCALE;
  /* mn / s lies in [-(qmax - qmin), 0] up to rounding, so the conversion is in range. */
  int64_t zp = (int64_t) qmin - (int64_t) nearbyintf(mn / s);
  zp = zp < qmin ? qmin : zp > qmax ? qmax : zp;
  *scale = s;
  *zero_point = (int32_t) zp;
  return QB_OK;
}

qb_status qb_calib_minmax(const float* x, size_t n, int32_t qmin, int32_t qmax, float* scale,
                          int32_t* zero_point, qb_error* err) {
  float lo, hi;
  qb_status s = qb__check_qrange(qmin, qmax, err);
  if (s == QB_OK) s = qb__finite_range(x, n, "", &lo, &hi, err);
  if (s != QB_OK) {
    return s;
  }
  return qb__affine_from_range(lo, hi, qmin, qmax, "", scale, zero_point, err);
}

qb_status qb_calib_absmax(const float* x, size_t n, int32_t qmin, int32_t qmax, float* scale,
                          int32_t* zero_point, qb_error* err) {
  float lo, hi;
  qb_status s = qb__check_qrange(qmin, qmax, err);
  if (s == QB_OK) s = qb__finite_range(x, n, "", &lo, &hi, err);
  if (s != QB_OK) {
    return s;
  }
  const float amax = fmaxf(fmaxf(-lo, hi), 0.0f);
  float sc = amax / ((float) (qmax - qmin) / 2.0f);
  *scale = sc > QB_CALIB_MIN_SCALE ? sc : QB_CALIB_MIN_SCALE;
  /* Integer division truncates toward zero: -128 + 127 + 1 = 0 -> 0, 0 + 255 + 1 -> 128. */
  *zero_point = (int32_t) (((int64_t) qmin + qmax + 1) / 2);
  return QB_OK;
}

qb_status qb_calib_minmax_channels(const float* x, size_t channels, size_t channel_len, int32_t qmin,
                                   int32_t qmax, float* scales, int32_t* zero_points, qb_error* err) {
  char what[48];
  qb_status s = qb__check_qrange(qmin, qmax, err);
  if (s != QB_OK) {
    return s;
  }
  if (channels == 0 || channel_len == 0) {
    return qb_fail(err, QB_BAD_INPUT, "calibration: %zu channels of %zu elements: empty data", channels,
                   channel_len);
  }
  for (size_t c = 0; c < channels; c++) {
    float lo, hi;
    snprintf(what, sizeof what, "channel %zu: ", c);
    s = qb__finite_range(x + c * channel_len, channel_len, what, &lo, &hi, err);
    if (s != QB_OK) {
      return s;
    }
    s = qb__affine_from_range(lo, hi, qmin, qmax, what, &scales[c], &zero_points[c], err);
    if (s != QB_OK) {
      return s;
    }
  }
  return QB_OK;
}
