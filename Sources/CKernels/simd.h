// simd.h — small x86 helpers shared by avx2.c and avx512.c. Each helper carries the target
// attribute of the narrowest level that uses it; callers with a wider target may inline them.
#ifndef AUGUR_KERNELS_SIMD_H
#define AUGUR_KERNELS_SIMD_H

#include "internal.h"
#include <immintrin.h>

#define AVX2 __attribute__((target("avx2,fma,f16c")))
#define AVX512 __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512dq")))
#define VNNI __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512dq,avx512vnni")))

#define ROW(W, rb, r) ((const void *)((const char *)(W) + (size_t)(r) * (rb)))
#define TOK(X, st, t) ((const void *)((const char *)(X) + (size_t)(t) * (st)))

// hsum8_ref's order: (lo + hi), then movehl, then movehdup.
static inline AVX2 float hsum8(__m256 v) {
    __m128 r = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    r = _mm_add_ps(r, _mm_movehl_ps(r, r));
    r = _mm_add_ss(r, _mm_movehdup_ps(r));
    return _mm_cvtss_f32(r);
}

// Exact integer horizontal sum.
static inline AVX2 int32_t hsum_i32(__m256i v) {
    __m128i r = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    r = _mm_add_epi32(r, _mm_unpackhi_epi64(r, r));
    r = _mm_add_epi32(r, _mm_shuffle_epi32(r, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm_cvtsi128_si32(r);
}

// Lane t of the result: the exact sum of v[t]'s 8 lanes for t < NT, 0 above (NT a constant after inlining).
static inline AVX2 __attribute__((always_inline)) __m256i hsum8x8_epi32(const __m256i v[8], const int NT) {
    __m256i a[8];
    for (int t = 0; t < 8; t++) a[t] = t < NT ? v[t] : _mm256_setzero_si256();
    const __m256i h01 = _mm256_hadd_epi32(a[0], a[1]), h23 = _mm256_hadd_epi32(a[2], a[3]);
    const __m256i h45 = _mm256_hadd_epi32(a[4], a[5]), h67 = _mm256_hadd_epi32(a[6], a[7]);
    // q0 = [Σ lanes 0-3 of v0, v1, v2, v3 | Σ lanes 4-7 of v0, v1, v2, v3]; q1 the same for v4…v7.
    const __m256i q0 = _mm256_hadd_epi32(h01, h23), q1 = _mm256_hadd_epi32(h45, h67);
    return _mm256_add_epi32(_mm256_permute2x128_si256(q0, q1, 0x20), _mm256_permute2x128_si256(q0, q1, 0x31));
}

// F16C conversion of one half. Not _cvtsh_ss: clang lowers it to vpinsrw into whatever register
// is free, which can be a loop's accumulator and chains every iteration through that merge.
// The empty asm pins the full vmovd (which zeroes the register) so the conversion has no input
// dependency besides h.
static inline AVX2 float fp16(half h) {
    __m128i v = _mm_cvtsi32_si128(h);
    __asm__("" : "+x"(v));
    return _mm_cvtss_f32(_mm_cvtph_ps(v));
}

// 16 packed bytes → 32 bytes: low nibbles (elements 0..15), then high nibbles (16..31).
static inline AVX2 __m256i nibbles32(const uint8_t *p) {
    const __m128i v = _mm_loadu_si128((const __m128i *)p);
    const __m256i both = _mm256_inserti128_si256(_mm256_castsi128_si256(v), _mm_srli_epi16(v, 4), 1);
    return _mm256_and_si256(both, _mm256_set1_epi8(0x0F));
}

// Bit e of the 32-bit little-endian word at p → byte e = 0xFF or 0x00.
static inline AVX2 __m256i bits32(const uint8_t *p) {
    uint32_t u;
    memcpy(&u, p, 4);
    const __m256i spread = _mm256_shuffle_epi8(_mm256_set1_epi32((int)u),
        _mm256_setr_epi64x(0, 0x0101010101010101LL, 0x0202020202020202LL, 0x0303030303030303LL));
    const __m256i mask = _mm256_set1_epi64x((long long)0x8040201008040201ULL);
    return _mm256_cmpeq_epi8(_mm256_and_si256(spread, mask), mask);
}

// ---- activation scales, gathered once per call for a group of tokens ----
// Stride-G float tables dxs[b * G + t] (and sxs for Q8_1's sums) let the kernels scale NT tokens
// with one vector multiply per block. XS_CAP floats live on the stack (18 KB).
#define XS_CAP 4608

// Tokens per group so that nb * G (+ 8 lanes of slack for unaligned 8-wide loads) fits.
static inline int x_group(int64_t nb, int ntok) {
    int64_t g = (XS_CAP - 8) / (nb > 0 ? nb : 1);
    if (g > 16) g = 16;
    if (g > ntok) g = ntok;
    return g < 1 ? 1 : (int)g;
}

static inline AVX2 void gather_x_scales(int vdt, const void *xq, size_t xq_stride, int ng, int64_t nb, int G,
                                        float *dxs, float *sxs) {
    for (int64_t i = 0; i < nb * G + 8; i++) dxs[i] = 0;
    if (sxs) for (int64_t i = 0; i < nb * G + 8; i++) sxs[i] = 0;
    for (int t = 0; t < ng; t++) {
        const void *xt = TOK(xq, xq_stride, t);
        for (int64_t b = 0; b < nb; b++) {
            if (vdt == AUGUR_TYPE_Q8_K) {
                dxs[b * G + t] = ((const block_q8_K *)xt)[b].d;
            } else if (vdt == AUGUR_TYPE_Q8_1) {
                dxs[b * G + t] = fp16(((const block_q8_1 *)xt)[b].d);
                sxs[b * G + t] = fp16(((const block_q8_1 *)xt)[b].s);
            } else {
                dxs[b * G + t] = fp16(((const block_q8_0 *)xt)[b].d);
            }
        }
    }
}

// Lane t of the result = Σ of the 8 lanes of v[t] (exact int32), for 8 vectors.
static inline AVX2 __m256i reduce8_i32(const __m256i v[8]) {
    const __m256i h01 = _mm256_hadd_epi32(v[0], v[1]), h23 = _mm256_hadd_epi32(v[2], v[3]);
    const __m256i h45 = _mm256_hadd_epi32(v[4], v[5]), h67 = _mm256_hadd_epi32(v[6], v[7]);
    const __m256i a = _mm256_hadd_epi32(h01, h23), b = _mm256_hadd_epi32(h45, h67);
    return _mm256_add_epi32(_mm256_permute2x128_si256(a, b, 0x20), _mm256_permute2x128_si256(a, b, 0x31));
}

// Runs TILE(nt, x_tile, xds_tile, out_tile) over every row and token group: tiles of 8 tokens,
// then one tile of the remaining 1..7 (nt is a constant in each expansion, so the tile bodies are
// fully unrolled). Expects nb, ntok, xq, xq_stride, r0, r1, W, row_bytes, out, ldo and the
// activation type VDT in scope; declares wrow, dxs, sxs, G for TILE.
#define FOR_TOKEN_TILES(VDT, TILE) \
    float dxs[XS_CAP], sxs[XS_CAP]; \
    const int G = x_group(nb, ntok); \
    for (int g0 = 0; g0 < ntok; g0 += G) { \
        const int ng = ntok - g0 < G ? ntok - g0 : G; \
        const void *xg = TOK(xq, xq_stride, g0); \
        gather_x_scales(VDT, xg, xq_stride, ng, nb, G, dxs, (VDT) == AUGUR_TYPE_Q8_1 ? sxs : NULL); \
        for (int64_t r = r0; r < r1; r++) { \
            const void *wrow = ROW(W, row_bytes, r); \
            int t0 = 0; \
            for (; t0 + 8 <= ng; t0 += 8) \
                TILE(8, TOK(xg, xq_stride, t0), t0, out + (int64_t)(g0 + t0) * ldo + r); \
            const void *xt = TOK(xg, xq_stride, t0); \
            float *o = out + (int64_t)(g0 + t0) * ldo + r; \
            switch (ng - t0) { \
            case 7: TILE(7, xt, t0, o); break; \
            case 6: TILE(6, xt, t0, o); break; \
            case 5: TILE(5, xt, t0, o); break; \
            case 4: TILE(4, xt, t0, o); break; \
            case 3: TILE(3, xt, t0, o); break; \
            case 2: TILE(2, xt, t0, o); break; \
            case 1: TILE(1, xt, t0, o); break; \
            default: break; \
            } \
        } \
    }

// Stores lanes 0..NT-1 of v to out[t * ldo].
static inline AVX2 void store_lanes(__m256 v, int NT, float *out, int64_t ldo) {
    float l[8];
    _mm256_storeu_ps(l, v);
    for (int t = 0; t < NT; t++) out[(int64_t)t * ldo] = l[t];
}

// Q4_K / Q5_K scales and mins (scale_min_k4 for all 8 sub-blocks with 32-bit word operations):
// sc[j] as bytes, minv = the mins as int16, each twice (pairs with the 16 bsums).
static inline AVX2 void unpack_scales_k4(const uint8_t *scales, uint8_t sc[8], __m256i *minv) {
    uint32_t w[3];
    memcpy(w, scales, 12);
    const uint32_t s_lo = w[0] & 0x3f3f3f3fu, s_hi = (w[2] & 0x0f0f0f0fu) | ((w[0] >> 2) & 0x30303030u);
    const uint32_t m_lo = w[1] & 0x3f3f3f3fu, m_hi = ((w[2] >> 4) & 0x0f0f0f0fu) | ((w[1] >> 2) & 0x30303030u);
    memcpy(sc, &s_lo, 4);
    memcpy(sc + 4, &s_hi, 4);
    const __m128i m16 = _mm_cvtepu8_epi16(_mm_setr_epi32((int)m_lo, (int)m_hi, 0, 0));
    *minv = _mm256_setr_m128i(_mm_unpacklo_epi16(m16, m16), _mm_unpackhi_epi16(m16, m16));
}

// Q6_K: u = q + 32 (0..63) of the super-block's 32-element sub-blocks 4h … 4h + 3 (h = 0, 1), in element
// order (sub-block j = elements 32j … 32j + 31).
static inline AVX2 void unpack_q6_K_half(const block_q6_K *blk, int h, __m256i u[4]) {
    const __m256i low = _mm256_set1_epi8(0x0F), three = _mm256_set1_epi8(3);
    const __m256i ql0 = _mm256_loadu_si256((const __m256i *)(blk->ql + 64 * h));
    const __m256i ql1 = _mm256_loadu_si256((const __m256i *)(blk->ql + 64 * h + 32));
    const __m256i qh = _mm256_loadu_si256((const __m256i *)(blk->qh + 32 * h));
    u[0] = _mm256_or_si256(_mm256_and_si256(ql0, low), _mm256_slli_epi16(_mm256_and_si256(qh, three), 4));
    u[1] = _mm256_or_si256(_mm256_and_si256(ql1, low), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2), three), 4));
    u[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), low),
                           _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 4), three), 4));
    u[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), low),
                           _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 6), three), 4));
}

// ---- one token (decode) for the K-quants ----
// Per super-block the kernels build one vector of int32 lanes that add up to the exact integer sums
// (Q4_K: low half → isum, high half → isumm; Q6_K: all 8 lanes → isum − 32·Σ sc·bsums); eight
// super-blocks at a time are reduced into lane i, the twin's float update runs lane-wise (fp16 scales
// converted 8 at once) and the lanes are added to the row's sum in super-block order, as the twin does.
// Nothing but the order of exact integer additions changes, so results stay bitwise equal to the twin.

#define ONE_TOKEN_MAX_NB 128 // super-blocks per row (k ≤ 32768); longer rows take the tile path

// The token's scales (xd, padded with 8 zeros) and, for Q4_K/Q5_K, the 8 sub-block sums of its bsums.
static inline AVX2 void one_token_prepare(const block_q8_K *x, int64_t nb, float *xd, __m128i *bs2) {
    for (int64_t b = 0; b < nb; b++) {
        xd[b] = x[b].d;
        if (bs2) {
            const __m256i pr = _mm256_madd_epi16(_mm256_loadu_si256((const __m256i *)x[b].bsums), _mm256_set1_epi16(1));
            bs2[b] = _mm_packs_epi32(_mm256_castsi256_si128(pr), _mm256_extracti128_si256(pr, 1)); // ≤ 2·2032: exact
        }
    }
    for (int64_t b = nb; b < nb + 8; b++) xd[b] = 0;
}

// Q4_K / Q5_K: the 8 scales and the 8 mins of a super-block as int16.
static inline AVX2 void unpack_scales16_k4(const uint8_t *scales, __m128i *sc, __m128i *mn) {
    uint32_t w[3];
    memcpy(w, scales, 12);
    const uint32_t s_lo = w[0] & 0x3f3f3f3fu, s_hi = (w[2] & 0x0f0f0f0fu) | ((w[0] >> 2) & 0x30303030u);
    const uint32_t m_lo = w[1] & 0x3f3f3f3fu, m_hi = ((w[2] >> 4) & 0x0f0f0f0fu) | ((w[1] >> 2) & 0x30303030u);
    *sc = _mm_cvtepu8_epi16(_mm_setr_epi32((int)s_lo, (int)s_hi, 0, 0));
    *mn = _mm_cvtepu8_epi16(_mm_setr_epi32((int)m_lo, (int)m_hi, 0, 0));
}

// Q4_K / Q5_K group of n ≤ 8 super-blocks: v[i] = [4 lanes summing to isum_i | 4 lanes summing to isumm_i].
// sum = sum + ((d·xd)·isum − (dmin·xd)·isumm), super-block by super-block.
static inline AVX2 float finish_group_k4(const __m256i v[8], const uint16_t dh[8], const uint16_t mh[8],
                                         const float *xd, int n, float sum) {
    const __m256i q03 = _mm256_hadd_epi32(_mm256_hadd_epi32(v[0], v[1]), _mm256_hadd_epi32(v[2], v[3]));
    const __m256i q47 = _mm256_hadd_epi32(_mm256_hadd_epi32(v[4], v[5]), _mm256_hadd_epi32(v[6], v[7]));
    const __m256i isum = _mm256_permute2x128_si256(q03, q47, 0x20), isumm = _mm256_permute2x128_si256(q03, q47, 0x31);
    const __m256 d = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)dh));
    const __m256 dm = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)mh));
    const __m256 x = _mm256_loadu_ps(xd);
    const __m256 t = _mm256_sub_ps(_mm256_mul_ps(_mm256_mul_ps(d, x), _mm256_cvtepi32_ps(isum)),
                                   _mm256_mul_ps(_mm256_mul_ps(dm, x), _mm256_cvtepi32_ps(isumm)));
    float tv[8];
    _mm256_storeu_ps(tv, t);
    for (int i = 0; i < n; i++) sum = sum + tv[i];
    return sum;
}

// Q6_K group: the lanes of v[i] add up to isum_i; sum = sum + (d·xd)·isum.
static inline AVX2 float finish_group_q6(const __m256i v[8], const uint16_t dh[8], const float *xd, int n, float sum) {
    const __m256i isum = reduce8_i32(v);
    const __m256 d = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)dh));
    const __m256 t = _mm256_mul_ps(_mm256_mul_ps(d, _mm256_loadu_ps(xd)), _mm256_cvtepi32_ps(isum));
    float tv[8];
    _mm256_storeu_ps(tv, t);
    for (int i = 0; i < n; i++) sum = sum + tv[i];
    return sum;
}

// Defines `name`, the few-token kernel of a K-quant (decode, verification, short prefills): for each
// row and group of 8 super-blocks, DECODE(blk, &dec) unpacks a super-block once (type DEC), then for
// each token DOT(&dec, xb, bs2b) returns its lane vector (bs2b: the token's sub-block sums of bsums,
// Q4_K/Q5_K only; DMIN(blk): the block's fp16 dmin). Tokens go in passes of up to 8 with the row in L1.
// Batches of more than MAXT (≤ FEW_TOKENS_MAX; may depend on `nb`, the row's super-blocks) tokens — where the
// tile or 8-row kernel measured faster — or rows of more than ONE_TOKEN_MAX_NB super-blocks go to `fallback`.
#define FEW_TOKENS_MAX 8
#define FEW_TOKENS_K_KERNEL(name, ATTR, BLOCK, HAS_MIN, DMIN, DEC, DECODE, DOT, MAXT, fallback) \
    static inline ATTR __attribute__((always_inline)) \
    void name##_pass(const BLOCK *w, int64_t nb, const block_q8_K *x, size_t xq_stride, const int NT, \
                     const float *xd, const __m128i *bs2, float *out, int64_t ldo) { \
        float sum[FEW_TOKENS_MAX] = {0}; \
        for (int64_t b0 = 0; b0 < nb; b0 += 8) { \
            const int n = nb - b0 < 8 ? (int)(nb - b0) : 8; \
            __m256i v[FEW_TOKENS_MAX][8]; \
            uint16_t dh[8] = {0}, mh[8] = {0}; \
            for (int i = 0; i < 8; i++) { \
                if (i >= n) { for (int t = 0; t < NT; t++) v[t][i] = _mm256_setzero_si256(); continue; } \
                DEC dec; \
                DECODE(w + b0 + i, &dec); \
                dh[i] = w[b0 + i].d; \
                if (HAS_MIN) mh[i] = DMIN(w + b0 + i); \
                for (int t = 0; t < NT; t++) { \
                    const block_q8_K *xt = (const block_q8_K *)((const char *)x + (size_t)t * xq_stride); \
                    v[t][i] = DOT(&dec, xt + b0 + i, bs2[HAS_MIN ? t * ONE_TOKEN_MAX_NB + b0 + i : 0]); \
                } \
            } \
            for (int t = 0; t < NT; t++) { \
                const float *xdt = xd + t * (ONE_TOKEN_MAX_NB + 8) + b0; \
                sum[t] = HAS_MIN ? finish_group_k4(v[t], dh, mh, xdt, n, sum[t]) : finish_group_q6(v[t], dh, xdt, n, sum[t]); \
            } \
        } \
        for (int t = 0; t < NT; t++) out[(int64_t)t * ldo] = sum[t]; \
    } \
    static ATTR void name(const void *W, size_t row_bytes, int64_t r0, int64_t r1, int64_t k, const void *xq, \
                          size_t xq_stride, int ntok, float *out, int64_t ldo) { \
        const int64_t nb = k / QK_K; \
        if (ntok > (MAXT) || nb > ONE_TOKEN_MAX_NB) { \
            fallback(W, row_bytes, r0, r1, k, xq, xq_stride, ntok, out, ldo); \
            return; \
        } \
        float xd[FEW_TOKENS_MAX * (ONE_TOKEN_MAX_NB + 8)]; \
        __m128i bs2[HAS_MIN ? FEW_TOKENS_MAX * ONE_TOKEN_MAX_NB : 1] = {0}; \
        for (int t = 0; t < ntok; t++) \
            one_token_prepare((const block_q8_K *)((const char *)xq + (size_t)t * xq_stride), nb, \
                              xd + t * (ONE_TOKEN_MAX_NB + 8), HAS_MIN ? bs2 + t * ONE_TOKEN_MAX_NB : NULL); \
        for (int64_t r = r0; r < r1; r++) { \
            const BLOCK *w = ROW(W, row_bytes, r); \
            float *o = out + r; \
            switch (ntok) { \
            case 1: name##_pass(w, nb, xq, xq_stride, 1, xd, bs2, o, ldo); break; \
            case 2: name##_pass(w, nb, xq, xq_stride, 2, xd, bs2, o, ldo); break; \
            case 3: name##_pass(w, nb, xq, xq_stride, 3, xd, bs2, o, ldo); break; \
            case 4: name##_pass(w, nb, xq, xq_stride, 4, xd, bs2, o, ldo); break; \
            case 5: name##_pass(w, nb, xq, xq_stride, 5, xd, bs2, o, ldo); break; \
            case 6: name##_pass(w, nb, xq, xq_stride, 6, xd, bs2, o, ldo); break; \
            case 7: name##_pass(w, nb, xq, xq_stride, 7, xd, bs2, o, ldo); break; \
            default: name##_pass(w, nb, xq, xq_stride, 8, xd, bs2, o, ldo); break; \
            } \
        } \
    }

#endif
