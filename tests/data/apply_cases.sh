# qbench apply checks, sourced by cli_numerics.sh (uses its qb, data, tmp, check, expect_exit).
expect_exit 0 "$qb" apply f32_f16_cvt --in "$data/f32_2x3_v1.npy" --out "$tmp/y.npy"
check "apply wrote y.npy" test -s "$tmp/y.npy"
check "y.npy is f16 2x3" grep -aq "'descr': '<f2', 'fortran_order': False, 'shape': (2, 3)" "$tmp/y.npy"
cp "$tmp/y.npy" "$tmp/y.before"
expect_exit 2 "$qb" apply f32_f16_cvt --in "$data/f32_2x3_v1.npy" --out "$tmp/y.npy"
check "refusal names --force" grep -q -- "--force" "$tmp/err"
check "existing output untouched" cmp -s "$tmp/y.npy" "$tmp/y.before"
expect_exit 0 "$qb" apply f32_f16_cvt --in "$data/f32_2x3_v1.npy" --out "$tmp/y.npy" --force
# Bad input: one line, exit 2, no file created.
expect_exit 2 "$qb" apply f32_f16_cvt --in "$data/i8_3_v3.npy" --out "$tmp/bad.npy"
check "wrong dtype named" grep -q "takes f32 input, not s8" "$tmp/err"
check "no output on bad input" test ! -e "$tmp/bad.npy"
# f16 (bf16, f64) input to a kernel of f32 input: converted, a note on stderr.
expect_exit 0 "$qb" apply f32_qs8_quant --in "$data/f16_4_v2.npy"
check "f16 input converted, said once" grep -q "f16 converted to f32 (exact)" "$tmp/err"
# Per-channel along a real axis: the 2x3 [[0 1 2] [3 4 5.5]] by columns (--axis 1), three
# channels with their own min/max (0 included): codes [[-128 -64 -35] [127 127 127]] in the
# input's layout, and the parameters written.
expect_exit 0 "$qb" apply f32_qs8_quantc --in "$data/f32_2x3_v1.npy" --axis 1 --out "$tmp/c.npy" \
  --params-out "$tmp/c.json" --force
check "per-column codes in the input's layout" test "$(tail -c 6 "$tmp/c.npy" | od -An -tx1 | tr -d ' ')" = "80c0dd7f7f7f"
check "params: three channels along axis 1" grep -q '"channels": 3' "$tmp/c.json"
check "params: axis 1" grep -q '"axis": 1' "$tmp/c.json"
check "params: per-channel" grep -q '"scheme": "per-channel"' "$tmp/c.json"
# The same as .safetensors: the codes under the tensor's name, NAME_scale and
# NAME_zero_point beside them (compressed-tensors' names), one per column.
expect_exit 0 "$qb" apply f32_qs8_quantc --in "$data/f32_2x3_v1.npy" --axis 1 --out "$tmp/c.safetensors"
hlen=$(od -An -tu8 -N8 "$tmp/c.safetensors" | tr -d ' ')
head -c $((8 + hlen)) "$tmp/c.safetensors" >"$tmp/c.head"
check "safetensors codes I8 2x3" grep -aq '"f32_2x3_v1":{"dtype":"I8","shape":\[2,3\]' "$tmp/c.head"
check "safetensors scales F32 [3]" grep -aq '"f32_2x3_v1_scale":{"dtype":"F32","shape":\[3\]' "$tmp/c.head"
check "safetensors zero points I32 [3]" grep -aq '"f32_2x3_v1_zero_point":{"dtype":"I32","shape":\[3\]' "$tmp/c.head"
check "safetensors codes in the input's layout" test "$(tail -c +$((9 + hlen)) "$tmp/c.safetensors" | head -c 6 | od -An -tx1 | tr -d ' ')" = "80c0dd7f7f7f"
expect_exit 0 "$qb" apply f32_bf16_cvt --in "$tmp/c.safetensors" --tensor f32_2x3_v1_scale
check "the written file reads back: three scales" grep -Eq '^f32_2x3_v1_scale +f32 +3 ' "$tmp/out"
expect_exit 0 "$qb" apply f32_qs8_quantc --in "$data/f32_2x3_v1.npy" --params-out "$tmp/r.json"
check "by rows by default: two channels" grep -q '"channels": 2' "$tmp/r.json"
expect_exit 2 "$qb" apply f32_qs8_quantc --in "$data/f32_2x3_v1.npy" --params-out "$tmp/r.json"
check "existing --params-out refused" grep -q -- "--force" "$tmp/err"
expect_exit 2 "$qb" apply f32_qs8_quantc --in "$data/f32_2x3_v1.npy" --axis 2 --params-out "$tmp/x.json"
check "no such axis named" grep -q "no axis 2" "$tmp/err"
check "no params file on bad input" test ! -e "$tmp/x.json"
printf 'not a npy file at all' >"$tmp/junk.npy"
expect_exit 2 "$qb" apply f32_f16_cvt --in "$tmp/junk.npy" --out "$tmp/bad.npy"
check "bad magic named" grep -q "junk.npy: bad magic" "$tmp/err"
check "no output on bad file" test ! -e "$tmp/bad.npy"
expect_exit 2 "$qb" apply no_such_kernel --in "$data/f32_2x3_v1.npy"
expect_exit 2 "$qb" apply f32_dot --in "$data/f32_2x3_v1.npy"
expect_exit 2 "$qb" apply f32_qs8_quant --in "$data/f32_2x3_v1.npy" --zero-point 3
expect_exit 2 "$qb" apply f32_qs8_quant --in "$data/f32_2x3_v1.npy" --scale 0.1 --zero-point 200
check "zero point range named" grep -q "outside the s8 range" "$tmp/err"
check "no tmp files left" test -z "$(ls "$tmp" | grep '\.tmp\.')"
# Quantize with user params: 5.5 / 0.05 = 110, + zp 3 = 113.
expect_exit 0 "$qb" apply f32_qs8_quant --in "$data/f32_2x3_v1.npy" --scale 0.05 --zero-point 3 --out "$tmp/q.npy"
check "q.npy last byte is 113" test "$(tail -c 1 "$tmp/q.npy" | od -An -tu1 | tr -d ' ')" = 113
# Dequantize integers with given params; dots with two inputs.
expect_exit 0 "$qb" apply qs8_f32_dequant --in "$data/i8_3_v3.npy" --scale 0.5
check "dequant exact" grep -Eq '^.*i8_3_v3.npy +s8 +3 +0 ' "$tmp/out"
expect_exit 2 "$qb" apply qs8_f32_dequant --in "$data/i8_3_v3.npy"
check "dequant asks for params" grep -q "scale and zero point" "$tmp/err"
expect_exit 0 "$qb" apply f16_dot --in "$data/f16_4_v2.npy" --in2 "$data/f16_4_v2.npy" --out "$tmp/d.npy"
check "dot output is a scalar" grep -aq "'shape': ()" "$tmp/d.npy"
# safetensors: every tensor as a row (unusable ones say why), or one by name.
expect_exit 0 "$qb" apply f32_bf16_cvt --in "$data/model.safetensors"
check "w row" grep -Eq '^w +f32 +256 ' "$tmp/out"
check "BOOL row skipped" grep -Eq '^mask +BOOL .*skipped' "$tmp/out"
expect_exit 0 "$qb" apply bf16_f32_cvt --in "$data/model.safetensors" --tensor b --out "$tmp/b.npy"
check "b exact" grep -Eq '^b +bf16 +64 +0 ' "$tmp/out"
expect_exit 2 "$qb" apply bf16_f32_cvt --in "$data/model.safetensors" --out "$tmp/all.npy"
check "no output for several tensors" test ! -e "$tmp/all.npy"
expect_exit 2 "$qb" apply bf16_f32_cvt --in "$data/model.safetensors" --tensor zz
check "missing tensor named" grep -q "no tensor 'zz'" "$tmp/err"
