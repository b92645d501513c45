/*
 * Quantization parameters: building, validating and calibrating them from data.
 * The formulas follow PyTorch's MinMaxObserver (kernels/quant/README.md
 * "Calibration"); every computation is in f32, as PyTorch's is on f32 tensors.
 */
#ifndef QB_CALIB_H
#define QB_CALIB_H

#include <stddef.h>
#include <stdint.h>

#include "qb/ukernel.h"
#include "core/status.h"

/* The smallest scale calibration gives (PyTorch's observer eps = FLT_EPSILON): it keeps
 * 1/scale finite for tiny ranges and makes a constant-zero tensor well defined. */
#define QB_CALIB_MIN_SCALE 0x1p-23f

/* Fills the per-tensor fields (scale, inv_scale = 1.0f/scale, zero_point, qmin, qmax,
 * round) and zeroes the per-channel ones. */
void qb_quant_params_init(qb_quant_params* p, float scale, int32_t zero_point, int32_t qmin, int32_t qmax,
                          qb_round_mode round);

/*
 * Validates user-given params for n elements: round a known mode; qmin <= qmax;
 * per tensor (channel_len == 0): scale finite and > 0, 1/scale finite, inv_scale ==
 * 1.0f/scale, qmin <= zero_point <= qmax; per channel (channel_len > 0): n a multiple
 * of channel_len, the three arrays present, and every channel's values as above.
 * QB_BAD_INPUT with a one-line message naming the field and value. The dtype range
 * (s8 or u8) of qmin/qmax is the caller's to check.
 */
qb_status qb_quant_params_validate(const qb_quant_params* p, size_t n, qb_error* err);

/*
 * Min/max affine: the range [min(min, 0), max(max, 0)], so zero is exactly
 * representable; scale = max((max - min) / (qmax - qmin), QB_CALIB_MIN_SCALE);
 * zp = clamp(qmin - nearbyint(min / scale), qmin, qmax). NaN inputs are ignored;
 * n == 0, all-NaN, an infinity, or qmin >= qmax give QB_BAD_INPUT.
 */
qb_status qb_calib_minmax(const float* x, size_t n, int32_t qmin, int32_t qmax, float* scale,
                          int32_t* zero_point, qb_error* err);

/*
 * Symmetric absmax (PyTorch's per_tensor_symmetric): zp = (qmin + qmax + 1) / 2 (0 for
 * s8 [-128, 127], 128 for u8 [0, 255]); scale = max(absmax / ((qmax - qmin) / 2.0f),
 * QB_CALIB_MIN_SCALE). Same input errors as qb_calib_minmax.
 */
qb_status qb_calib_absmax(const float* x, size_t n, int32_t qmin, int32_t qmax, float* scale,
                          int32_t* zero_point, qb_error* err);

/* Per channel, min/max affine: channel k = x[k*channel_len .. (k+1)*channel_len). The
 * messages name the channel. */
qb_status qb_calib_minmax_channels(const float* x, size_t channels, size_t channel_len, int32_t qmin,
                                   int32_t qmax, float* scales, int32_t* zero_points, qb_error* err);

#endif
