/*
 * Element access for every dtype, from its table entries alone: float and int dtypes
 * from host/core/dtype.inc (packed sub-byte ones included), block dtypes from the layout
 * columns of kernels/blocks.inc (scale dtype, code dtype, zero point, code order). No
 * function here knows a dtype by name: a new format is a line in those lists.
 */
#ifndef QB_ELEMENT_H
#define QB_ELEMENT_H

#include <stddef.h>
#include <stdint.h>

#include "core/dtype.h"

/* Element i's value (a block element: its scale times its code, per blocks.inc). NaN
 * for a NaN code or scale. */
double qb_element_value(qb_dtype t, const void* buf, size_t i);

/* Elements i0 .. i0 + k - 1 as qb_element_value gives them, a block's scale and zero
 * point decoded once per block (the error figures decode every element of a model). */
void qb_element_values(qb_dtype t, const void* buf, size_t i0, size_t k, double* out);

/* Element i's bits, for exact comparison: a block element is its block's metadata (scale
 * and zero point) above its own code, so two elements are equal when both are. */
uint64_t qb_element_bits(qb_dtype t, const void* buf, size_t i);

/* Flushes, in place, every subnormal of a buffer of n elements to zero of the same sign:
 * a float dtype's elements; a block dtype's scales and float codes. Int dtypes: no-op. */
void qb_element_flush(qb_dtype t, void* buf, size_t n);

#endif
