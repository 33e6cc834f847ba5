// avx2.c — AVX2 + FMA + F16C kernels (compiled per function with target attributes, so the
// binary still runs on machines without them; dispatch.c only calls them after cpuid says so).
#include "internal.h"

const matmul_set augur_mm_avx2 = {0};

// Placeholders until the SIMD versions land: the reference twins.
float augur_dot_f32_avx2(const float *a, const float *b, int64_t n) { return augur_dot_f32_ref(a, b, n); }
void augur_axpy_f32_avx2(float a, const float *x, float *y, int64_t n) { augur_axpy_f32_ref(a, x, y, n); }
float augur_dot_f16_f32_avx2(const uint16_t *a, const float *b, int64_t n) { return augur_dot_f16_f32_ref(a, b, n); }
void augur_axpy_f16_f32_avx2(float a, const uint16_t *x, float *y, int64_t n) { augur_axpy_f16_f32_ref(a, x, y, n); }
void augur_f32_to_f16_row_avx2(const float *x, uint16_t *y, int64_t n) { augur_f32_to_f16_row_ref(x, y, n); }
void augur_quantize_activation_avx2(int t, const float *x, void *xq, int64_t n) { augur_quantize_activation_ref(t, x, xq, n); }
