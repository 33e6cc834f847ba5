// Internal declarations shared by the CKernels sources: ggml block layouts, fp16 conversion,
// and the per-ISA kernel entry points. Not part of the public API.
#ifndef AUGUR_KERNELS_INTERNAL_H
#define AUGUR_KERNELS_INTERNAL_H

#include "augur_kernels.h"
#include <string.h>
#include <math.h>

// Every float operation is written out; the compiler must not fuse a*b+c into an FMA on its own
// (it would do so only in the functions compiled with target("fma"), breaking bitwise equality
// with the scalar twins).
#pragma STDC FP_CONTRACT OFF

#define QK 32      // elements per block of the "legacy" quants
#define QK_K 256   // elements per super-block of the K-quants

// ---- ggml block layouts (little-endian, packed as in GGUF) ----
typedef uint16_t half;

typedef struct { half d; uint8_t qs[QK / 2]; } block_q4_0;                 // 18 bytes
typedef struct { half d; half m; uint8_t qs[QK / 2]; } block_q4_1;         // 20 bytes
typedef struct { half d; uint8_t qh[4]; uint8_t qs[QK / 2]; } block_q5_0;  // 22 bytes
typedef struct { half d; half m; uint8_t qh[4]; uint8_t qs[QK / 2]; } block_q5_1; // 24 bytes
typedef struct { half d; int8_t qs[QK]; } block_q8_0;                      // 34 bytes
typedef struct { half d; half s; int8_t qs[QK]; } block_q8_1;              // 36 bytes: s = d * Σ qs
typedef struct { half d; half dmin; uint8_t scales[12]; uint8_t qs[QK_K / 2]; } block_q4_K; // 144
typedef struct { half d; half dmin; uint8_t scales[12]; uint8_t qh[QK_K / 8]; uint8_t qs[QK_K / 2]; } block_q5_K; // 176
typedef struct { uint8_t ql[QK_K / 2]; uint8_t qh[QK_K / 4]; int8_t scales[QK_K / 16]; half d; } block_q6_K; // 210
typedef struct { float d; int8_t qs[QK_K]; int16_t bsums[QK_K / 16]; } block_q8_K; // 292

// Repacked super-block of 8 rows (augur_repack_x8): row i's block of the original type, interleaved.
//   Q4_K: qs[h][g][4i + e] = qs[32h + 4g + e] (h < 4, g < 8, e < 4); scales[c][i] = scales[c]; d, dmin[i].
//   Q6_K: q[h][g][m][4i + e] = ql[64h + 32m + 4g + e] for m < 2, qh[32h + 4g + e] for m = 2 (h < 2, g < 8): in
//         the order the kernels read them; scales[s][i] = scales[s]; d[i].
typedef struct { half d[8]; half dmin[8]; uint8_t scales[12][8]; uint8_t qs[4][8][32]; } block_q4_Kx8; // 1152
typedef struct { uint8_t q[2][8][3][32]; int8_t scales[16][8]; half d[8]; } block_q6_Kx8; // 1680
// Repacked block of 16 rows of a 32-element type: row i's block b, interleaved (quad j = elements 4j … 4j+3;
// byte j of Q4_0 / Q5_0 qs holds elements j and j + 16, so qs[m] holds quads m (low nibbles) and m + 4 (high)).
//   Q8_0: d[i]; qs[j][4i + e] = qs[4j + e] (j < 8).   Q4_0: d[i]; qs[m][4i + e] = qs[4m + e] (m < 4).
//   Q5_0: d[i]; qh[i] = the row's 32 high bits; qs as Q4_0.
typedef struct { half d[16]; int8_t qs[8][64]; } block_q8_0x16;                  // 544
typedef struct { half d[16]; uint8_t qs[4][64]; } block_q4_0x16;                 // 288
typedef struct { half d[16]; uint32_t qh[16]; uint8_t qs[4][64]; } block_q5_0x16; // 352
_Static_assert(sizeof(block_q8_0x16) == 16 * 34, "q8_0x16");
_Static_assert(sizeof(block_q4_0x16) == 16 * 18, "q4_0x16");
_Static_assert(sizeof(block_q5_0x16) == 16 * 22, "q5_0x16");

/// Row i (0…15) of a repacked block of `x16_type` (AUGUR_TYPE_Q4_0_X16 …) back in the original layout.
void augur_unrepack_b32(int x16_type, const void *x, int i, void *out);

_Static_assert(sizeof(block_q4_Kx8) == 8 * 144, "q4_Kx8");
_Static_assert(sizeof(block_q6_Kx8) == 8 * 210, "q6_Kx8");

/// Row i (0…7) of a repacked super-block back in its original layout.
void augur_unrepack_q4_K(const block_q4_Kx8 *x, int i, block_q4_K *out);
void augur_unrepack_q6_K(const block_q6_Kx8 *x, int i, block_q6_K *out);

_Static_assert(sizeof(block_q4_0) == 18, "q4_0");
_Static_assert(sizeof(block_q4_1) == 20, "q4_1");
_Static_assert(sizeof(block_q5_0) == 22, "q5_0");
_Static_assert(sizeof(block_q5_1) == 24, "q5_1");
_Static_assert(sizeof(block_q8_0) == 34, "q8_0");
_Static_assert(sizeof(block_q8_1) == 36, "q8_1");
_Static_assert(sizeof(block_q4_K) == 144, "q4_K");
_Static_assert(sizeof(block_q5_K) == 176, "q5_K");
_Static_assert(sizeof(block_q6_K) == 210, "q6_K");
_Static_assert(sizeof(block_q8_K) == 292, "q8_K");

// ---- fp16 <-> fp32, bit-exact with F16C (vcvtph2ps / vcvtps2ph with round-to-nearest-even) ----
static inline float h2f(half h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    uint32_t exp = (h >> 10) & 0x1f, mant = h & 0x3ff, bits;
    if (exp == 0) {
        float f = (float)mant * 0x1p-24f; // exact (subnormal or zero)
        memcpy(&bits, &f, 4);
        bits |= sign;
    } else if (exp == 31) {
        bits = sign | 0x7f800000u | (mant << 13) | (mant ? 0x400000u : 0); // NaNs come out quiet
    } else {
        bits = sign | ((exp + 112) << 23) | (mant << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

static inline half f2h(float f) {
    uint32_t x;
    memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000, ax = x & 0x7fffffffu;
    if (ax > 0x7f800000u) return (half)(sign | 0x7e00 | ((ax >> 13) & 0x3ff)); // NaN: quiet, payload kept
    if (ax >= 0x477ff000u) return (half)(sign | 0x7c00);               // >= 65520 rounds to inf
    if (ax < 0x38800000u) {                                            // result subnormal or zero
        // Adding 0.5 aligns the binary point so that the float adder rounds (to nearest even)
        // at exactly the half-subnormal quantum 2^-24.
        float a, m = 0.5f;
        memcpy(&a, &ax, 4);
        a += m;
        uint32_t b;
        memcpy(&b, &a, 4);
        return (half)(sign | (b - 0x3f000000u));
    }
    uint32_t odd = (ax >> 13) & 1;
    ax += 0xc8000fffu + odd; // rebias exponent (-112 << 23) and round half to even
    return (half)(sign | (ax >> 13));
}

// Fixed horizontal sum of 8 lanes, the order of the AVX sequence extract/add, movehl/add, movehdup/add.
static inline float hsum8_ref(const float a[8]) {
    return ((a[0] + a[4]) + (a[2] + a[6])) + ((a[1] + a[5]) + (a[3] + a[7]));
}

// Q4_K / Q5_K: 6-bit scale and min of sub-block j (0..7) from the 12 packed bytes.
static inline void scale_min_k4(int j, const uint8_t *q, uint8_t *sc, uint8_t *m) {
    if (j < 4) {
        *sc = q[j] & 63;
        *m = q[j + 4] & 63;
    } else {
        *sc = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
        *m = (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
    }
}

typedef void (*matmul_fn)(const void *W, size_t row_bytes, int64_t r0, int64_t r1, int64_t k,
                          const void *xq, size_t xq_stride, int ntok, float *out, int64_t ldo);

// One function per weight type and ISA; NULL where a level has no own version (the dispatcher
// then falls back to the next lower level).
typedef struct {
    matmul_fn f32, f16, q4_0, q4_1, q5_0, q8_0, q4_K, q5_K, q6_K, q4_K_x8, q6_K_x8, q4_0_x16, q5_0_x16, q8_0_x16;
} matmul_set;

extern const matmul_set augur_mm_scalar, augur_mm_avx2, augur_mm_avx512, augur_mm_vnni;

// Reference twins of the f32 helpers and quantizers (scalar.c).
float augur_dot_f32_ref(const float *a, const float *b, int64_t n);
void augur_axpy_f32_ref(float a, const float *x, float *y, int64_t n);
float augur_dot_f16_f32_ref(const uint16_t *a, const float *b, int64_t n);
void augur_axpy_f16_f32_ref(float a, const uint16_t *x, float *y, int64_t n);
void augur_f32_to_f16_row_ref(const float *x, uint16_t *y, int64_t n);
void augur_weighted_sum_f16_ref(const float *p, int64_t p_stride, int heads, const uint16_t *V, int64_t n,
                                int64_t d, float *out, int64_t out_stride);
void augur_softmax_f16_ref(float *s, int64_t n);
void augur_exp_nonpositive_row_ref(const float *x, float *y, int64_t n);
// Where position j's key row starts in a blocked key region (its elements AUGUR_KEY_BLOCK halves apart).
static inline const uint16_t *key_row(const uint16_t *K, int64_t j, int64_t d) {
    return K + (j / AUGUR_KEY_BLOCK) * AUGUR_KEY_BLOCK * d + j % AUGUR_KEY_BLOCK;
}
uint64_t augur_byte_sum_ref(const uint8_t *p, size_t n);
uint64_t augur_byte_sum_avx2(const uint8_t *p, size_t n);
uint64_t augur_byte_sum_avx512(const uint8_t *p, size_t n);
void augur_exp_nonpositive_row_avx2(const float *x, float *y, int64_t n);
void augur_exp_nonpositive_row_avx512(const float *x, float *y, int64_t n);
void augur_softmax_f16_avx2(float *s, int64_t n);
void augur_softmax_f16_avx512(float *s, int64_t n);
// The softmax's double sum after the vector lanes: the 8 lane sums' tree, then e[n8 … n) in order.
double augur_softmax_sum_finish(const double lanes[8], const float *e, int64_t n8, int64_t n);
void augur_scores_f16_ref(const uint16_t *K, int64_t n, int64_t d, const float *q, int heads, float scale,
                          float *scores);
void augur_quantize_activation_ref(int weight_type, const float *x, void *xq, int64_t n);

// SIMD versions (avx2.c, avx512.c).
float augur_dot_f32_avx2(const float *a, const float *b, int64_t n);
void augur_axpy_f32_avx2(float a, const float *x, float *y, int64_t n);
float augur_dot_f16_f32_avx2(const uint16_t *a, const float *b, int64_t n);
void augur_axpy_f16_f32_avx2(float a, const uint16_t *x, float *y, int64_t n);
void augur_f32_to_f16_row_avx2(const float *x, uint16_t *y, int64_t n);
void augur_weighted_sum_f16_avx2(const float *p, int64_t p_stride, int heads, const uint16_t *V, int64_t n,
                                 int64_t d, float *out, int64_t out_stride);
void augur_scores_f16_avx2(const uint16_t *K, int64_t n, int64_t d, const float *q, int heads, float scale,
                           float *scores);
void augur_scores_f16_avx512(const uint16_t *K, int64_t n, int64_t d, const float *q, int heads, float scale,
                             float *scores);
void augur_weighted_sum_f16_avx512(const float *p, int64_t p_stride, int heads, const uint16_t *V, int64_t n,
                                   int64_t d, float *out, int64_t out_stride);
void augur_quantize_activation_avx2(int weight_type, const float *x, void *xq, int64_t n);
void augur_quantize_activation_avx512(int weight_type, const float *x, void *xq, int64_t n);
float augur_dot_f32_avx512(const float *a, const float *b, int64_t n);
void augur_axpy_f32_avx512(float a, const float *x, float *y, int64_t n);
float augur_dot_f16_f32_avx512(const uint16_t *a, const float *b, int64_t n);
void augur_axpy_f16_f32_avx512(float a, const uint16_t *x, float *y, int64_t n);

#endif
