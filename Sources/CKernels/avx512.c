// avx512.c — AVX-512 (F/BW/VL/DQ) and AVX-512 VNNI kernels, compiled per function with target
// attributes. Never AMX. Each kernel reproduces its scalar twin in scalar.c bit for bit.
#include "simd.h"

// ---------------------------------------------------------------------------------------------
// f32 helpers: 2 accumulators of 16 lanes = the twin's 32 lanes; z0 + z1 = [acc0+acc2 | acc1+acc3].

static inline AVX512 float reduce32(__m512 z0, __m512 z1) {
    const __m512 s = _mm512_add_ps(z0, z1);
    return hsum8(_mm256_add_ps(_mm512_castps512_ps256(s), _mm512_extractf32x8_ps(s, 1)));
}

AVX512 float augur_dot_f32_avx512(const float *a, const float *b, int64_t n) {
    __m512 z0 = _mm512_setzero_ps(), z1 = z0;
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        z0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), z0);
        z1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16), z1);
    }
    float s = reduce32(z0, z1);
    for (; i < n; i++) s = fmaf(a[i], b[i], s);
    return s;
}

static inline AVX512 __m512 load_f16x16(const uint16_t *p) {
    return _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)p));
}

AVX512 float augur_dot_f16_f32_avx512(const uint16_t *a, const float *b, int64_t n) {
    __m512 z0 = _mm512_setzero_ps(), z1 = z0;
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        z0 = _mm512_fmadd_ps(load_f16x16(a + i), _mm512_loadu_ps(b + i), z0);
        z1 = _mm512_fmadd_ps(load_f16x16(a + i + 16), _mm512_loadu_ps(b + i + 16), z1);
    }
    float s = reduce32(z0, z1);
    for (; i < n; i++) s = fmaf(fp16(a[i]), b[i], s);
    return s;
}

static AVX512 float dot_f16_f16_avx512(const uint16_t *a, const uint16_t *b, int64_t n) {
    __m512 z0 = _mm512_setzero_ps(), z1 = z0;
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        z0 = _mm512_fmadd_ps(load_f16x16(a + i), load_f16x16(b + i), z0);
        z1 = _mm512_fmadd_ps(load_f16x16(a + i + 16), load_f16x16(b + i + 16), z1);
    }
    float s = reduce32(z0, z1);
    for (; i < n; i++) s = fmaf(fp16(a[i]), fp16(b[i]), s);
    return s;
}

AVX512 void augur_axpy_f32_avx512(float a, const float *x, float *y, int64_t n) {
    const __m512 av = _mm512_set1_ps(a);
    int64_t i = 0;
    for (; i + 16 <= n; i += 16)
        _mm512_storeu_ps(y + i, _mm512_fmadd_ps(av, _mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i)));
    for (; i < n; i++) y[i] = fmaf(a, x[i], y[i]);
}

AVX512 void augur_axpy_f16_f32_avx512(float a, const uint16_t *x, float *y, int64_t n) {
    const __m512 av = _mm512_set1_ps(a);
    int64_t i = 0;
    for (; i + 16 <= n; i += 16)
        _mm512_storeu_ps(y + i, _mm512_fmadd_ps(av, load_f16x16(x + i), _mm512_loadu_ps(y + i)));
    for (; i < n; i++) y[i] = fmaf(a, fp16(x[i]), y[i]);
}

static AVX512 void mm_f32_avx512(const void *W, size_t row_bytes, int64_t r0, int64_t r1, int64_t k,
                                 const void *xq, size_t xq_stride, int ntok, float *out, int64_t ldo) {
    for (int64_t r = r0; r < r1; r++)
        for (int t = 0; t < ntok; t++)
            out[(int64_t)t * ldo + r] = augur_dot_f32_avx512(ROW(W, row_bytes, r), TOK(xq, xq_stride, t), k);
}

static AVX512 void mm_f16_avx512(const void *W, size_t row_bytes, int64_t r0, int64_t r1, int64_t k,
                                 const void *xq, size_t xq_stride, int ntok, float *out, int64_t ldo) {
    for (int64_t r = r0; r < r1; r++)
        for (int t = 0; t < ntok; t++)
            out[(int64_t)t * ldo + r] = dot_f16_f16_avx512(ROW(W, row_bytes, r), TOK(xq, xq_stride, t), k);
}

// Without VNNI the quantized kernels are the AVX2 ones (dispatch falls back level by level).
const matmul_set augur_mm_avx512 = { .f32 = mm_f32_avx512, .f16 = mm_f16_avx512 };

// ---------------------------------------------------------------------------------------------
// VNNI, 32-element blocks: vpdpbusd sums 4 adjacent u8×s8 products into each int32 lane, the
// same lane sums as the twin (and as AVX2's maddubs + madd).

static inline VNNI __m256i decode32_vnni(int type, const void *row, int64_t b, float *d, float *m) {
    switch (type) {
    case AUGUR_TYPE_Q4_0: {
        const block_q4_0 *w = (const block_q4_0 *)row + b;
        *d = fp16(w->d);
        return _mm256_sub_epi8(nibbles32(w->qs), _mm256_set1_epi8(8));
    }
    case AUGUR_TYPE_Q4_1: {
        const block_q4_1 *w = (const block_q4_1 *)row + b;
        *d = fp16(w->d); *m = fp16(w->m);
        return nibbles32(w->qs);
    }
    case AUGUR_TYPE_Q5_0: {
        const block_q5_0 *w = (const block_q5_0 *)row + b;
        uint32_t qh;
        memcpy(&qh, w->qh, 4);
        *d = fp16(w->d);
        // (nibble | bit << 4) - 16: subtract 16 where the bit is clear (mask straight from qh).
        return _mm256_mask_sub_epi8(nibbles32(w->qs), (__mmask32)~qh, nibbles32(w->qs), _mm256_set1_epi8(16));
    }
    default: {
        const block_q8_0 *w = (const block_q8_0 *)row + b;
        *d = fp16(w->d);
        return _mm256_loadu_si256((const __m256i *)w->qs);
    }
    }
}

// One row against NT (≤ 8, constant after inlining) tokens; accumulators in registers.
static inline VNNI __attribute__((always_inline))
void block32_tile_vnni(int type, const void *wrow, int64_t nb, const void *xq, size_t xq_stride, const int NT,
                       float *out, int64_t ldo) {
    const __m256i zero = _mm256_setzero_si256();
    __m256 acc[8];
    float summs[8];
    for (int t = 0; t < NT; t++) { acc[t] = _mm256_setzero_ps(); summs[t] = 0; }
    for (int64_t b = 0; b < nb; b++) {
        float dw, mw = 0;
        const __m256i w = decode32_vnni(type, wrow, b, &dw, &mw);
        const __m256i aw = type == AUGUR_TYPE_Q4_1 ? w : _mm256_abs_epi8(w);
        for (int t = 0; t < NT; t++) {
            const void *xt = TOK(xq, xq_stride, t);
            __m256i s;
            float dx;
            if (type == AUGUR_TYPE_Q4_1) {
                const block_q8_1 *x = (const block_q8_1 *)xt + b;
                dx = fp16(x->d);
                s = _mm256_dpbusd_epi32(zero, aw, _mm256_loadu_si256((const __m256i *)x->qs));
                summs[t] = summs[t] + mw * fp16(x->s);
            } else {
                const block_q8_0 *x = (const block_q8_0 *)xt + b;
                dx = fp16(x->d);
                s = _mm256_dpbusd_epi32(zero, aw, _mm256_sign_epi8(_mm256_loadu_si256((const __m256i *)x->qs), w));
            }
            acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(dw * dx), _mm256_cvtepi32_ps(s), acc[t]);
        }
    }
    for (int t = 0; t < NT; t++) {
        float res = hsum8(acc[t]);
        if (type == AUGUR_TYPE_Q4_1) res = res + summs[t];
        out[(int64_t)t * ldo] = res;
    }
}

static inline VNNI __attribute__((always_inline))
void mm_block32_vnni(int type, const void *W, size_t row_bytes, int64_t r0, int64_t r1, int64_t k,
                     const void *xq, size_t xq_stride, int ntok, float *out, int64_t ldo) {
    const int64_t nb = k / QK;
    for (int64_t r = r0; r < r1; r++) {
        const void *wrow = ROW(W, row_bytes, r);
        int t0 = 0;
        for (; t0 + 8 <= ntok; t0 += 8)
            block32_tile_vnni(type, wrow, nb, TOK(xq, xq_stride, t0), xq_stride, 8, out + (int64_t)t0 * ldo + r, ldo);
        const void *xt = TOK(xq, xq_stride, t0);
        float *o = out + (int64_t)t0 * ldo + r;
        switch (ntok - t0) {
        case 7: block32_tile_vnni(type, wrow, nb, xt, xq_stride, 7, o, ldo); break;
        case 6: block32_tile_vnni(type, wrow, nb, xt, xq_stride, 6, o, ldo); break;
        case 5: block32_tile_vnni(type, wrow, nb, xt, xq_stride, 5, o, ldo); break;
        case 4: block32_tile_vnni(type, wrow, nb, xt, xq_stride, 4, o, ldo); break;
        case 3: block32_tile_vnni(type, wrow, nb, xt, xq_stride, 3, o, ldo); break;
        case 2: block32_tile_vnni(type, wrow, nb, xt, xq_stride, 2, o, ldo); break;
        case 1: block32_tile_vnni(type, wrow, nb, xt, xq_stride, 1, o, ldo); break;
        default: break;
        }
    }
}

#define BLOCK32_VNNI(name, type) \
    static VNNI void name(const void *W, size_t rb, int64_t r0, int64_t r1, int64_t k, const void *xq, \
                          size_t xs, int ntok, float *out, int64_t ldo) { \
        mm_block32_vnni(type, W, rb, r0, r1, k, xq, xs, ntok, out, ldo); \
    }
BLOCK32_VNNI(mm_q4_0_vnni, AUGUR_TYPE_Q4_0)
BLOCK32_VNNI(mm_q4_1_vnni, AUGUR_TYPE_Q4_1)
BLOCK32_VNNI(mm_q5_0_vnni, AUGUR_TYPE_Q5_0)
BLOCK32_VNNI(mm_q8_0_vnni, AUGUR_TYPE_Q8_0)

// ---------------------------------------------------------------------------------------------
// VNNI, K-quants: 64 quants per zmm, vpmaddubsw then vpdpwssd (int16 pair × scale, accumulated
// in int32): exact super-block sums, then the twin's scalar float update.

static inline VNNI __m512i join256(__m256i lo, __m256i hi) {
    return _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
}

static inline VNNI __attribute__((always_inline))
void mm_q45_K_vnni(int type, const void *W, size_t row_bytes, int64_t r0, int64_t r1, int64_t k,
                   const void *xq, size_t xq_stride, int ntok, float *out, int64_t ldo) {
    const int64_t nb = k / QK_K;
    const size_t bb = type == AUGUR_TYPE_Q4_K ? sizeof(block_q4_K) : sizeof(block_q5_K);
    const __m256i low = _mm256_set1_epi8(0x0F);
    for (int64_t r = r0; r < r1; r++) {
        const uint8_t *wrow = ROW(W, row_bytes, r);
        for (int t0 = 0; t0 < ntok; t0 += TOK_TILE) {
            const int nt = ntok - t0 < TOK_TILE ? ntok - t0 : TOK_TILE;
            float sum[TOK_TILE] = {0};
            for (int64_t b = 0; b < nb; b++) {
                const uint8_t *scales, *qs, *qh = NULL;
                float d, dmin;
                if (type == AUGUR_TYPE_Q4_K) {
                    const block_q4_K *w = (const void *)(wrow + b * bb);
                    scales = w->scales; qs = w->qs; d = fp16(w->d); dmin = fp16(w->dmin);
                } else {
                    const block_q5_K *w = (const void *)(wrow + b * bb);
                    scales = w->scales; qs = w->qs; qh = w->qh; d = fp16(w->d); dmin = fp16(w->dmin);
                }
                // q[h]: elements 64h .. 64h+63 (low nibbles of qs[32h..], then high nibbles).
                __m512i q[4], scv[4];
                int16_t mins[16];
                uint8_t sc[8];
                for (int j = 0; j < 8; j++) {
                    uint8_t m;
                    scale_min_k4(j, scales, &sc[j], &m);
                    mins[2 * j] = mins[2 * j + 1] = m;
                }
                const __m256i minv = _mm256_loadu_si256((const __m256i *)mins);
                const __m512i hbz = qh ? _mm512_broadcast_i64x4(_mm256_loadu_si256((const __m256i *)qh)) : _mm512_setzero_si512();
                for (int h = 0; h < 4; h++) {
                    const __m256i v = _mm256_loadu_si256((const __m256i *)(qs + 32 * h));
                    q[h] = join256(_mm256_and_si256(v, low), _mm256_and_si256(_mm256_srli_epi16(v, 4), low));
                    if (qh) {
                        const __m512i sh = join256(_mm256_set1_epi16((short)(2 * h)), _mm256_set1_epi16((short)(2 * h + 1)));
                        const __m512i hb = _mm512_and_si512(_mm512_srlv_epi16(hbz, sh), _mm512_set1_epi8(1));
                        q[h] = _mm512_or_si512(q[h], _mm512_slli_epi16(hb, 4));
                    }
                    scv[h] = join256(_mm256_set1_epi16(sc[2 * h]), _mm256_set1_epi16(sc[2 * h + 1]));
                }
                for (int t = 0; t < nt; t++) {
                    const block_q8_K *x = (const block_q8_K *)TOK(xq, xq_stride, t0 + t) + b;
                    __m512i acc = _mm512_setzero_si512();
                    for (int h = 0; h < 4; h++) {
                        const __m512i p = _mm512_maddubs_epi16(q[h], _mm512_loadu_si512((const void *)(x->qs + 64 * h)));
                        acc = _mm512_dpwssd_epi32(acc, p, scv[h]);
                    }
                    const int32_t isum = _mm512_reduce_add_epi32(acc);
                    const int32_t isumm = hsum_i32(_mm256_madd_epi16(_mm256_loadu_si256((const __m256i *)x->bsums), minv));
                    sum[t] = sum[t] + ((d * x->d) * (float)isum - (dmin * x->d) * (float)isumm);
                }
            }
            for (int t = 0; t < nt; t++) out[(int64_t)(t0 + t) * ldo + r] = sum[t];
        }
    }
}

static VNNI void mm_q4_K_vnni(const void *W, size_t rb, int64_t r0, int64_t r1, int64_t k, const void *xq,
                              size_t xs, int ntok, float *out, int64_t ldo) {
    mm_q45_K_vnni(AUGUR_TYPE_Q4_K, W, rb, r0, r1, k, xq, xs, ntok, out, ldo);
}

static VNNI void mm_q5_K_vnni(const void *W, size_t rb, int64_t r0, int64_t r1, int64_t k, const void *xq,
                              size_t xs, int ntok, float *out, int64_t ldo) {
    mm_q45_K_vnni(AUGUR_TYPE_Q5_K, W, rb, r0, r1, k, xq, xs, ntok, out, ldo);
}

// Q6_K: u = q + 32 (0..63); Σ sc·q·x = Σ sc·u·x − 32·Σ_g sc[g]·bsums[g].
static VNNI void mm_q6_K_vnni(const void *W, size_t row_bytes, int64_t r0, int64_t r1, int64_t k,
                              const void *xq, size_t xq_stride, int ntok, float *out, int64_t ldo) {
    const int64_t nb = k / QK_K;
    const __m512i low = _mm512_set1_epi8(0x0F), three = _mm512_set1_epi8(3);
    const __m512i shA = join256(_mm256_set1_epi16(0), _mm256_set1_epi16(2));
    const __m512i shB = join256(_mm256_set1_epi16(4), _mm256_set1_epi16(6));
    for (int64_t r = r0; r < r1; r++) {
        const block_q6_K *wrow = ROW(W, row_bytes, r);
        for (int t0 = 0; t0 < ntok; t0 += TOK_TILE) {
            const int nt = ntok - t0 < TOK_TILE ? ntok - t0 : TOK_TILE;
            float sum[TOK_TILE] = {0};
            for (int64_t b = 0; b < nb; b++) {
                const block_q6_K *w = wrow + b;
                // u[m]: elements 64m .. 64m+63, i.e. scale groups 4m .. 4m+3.
                __m512i u[4], scv[4];
                for (int h = 0; h < 2; h++) {
                    const __m512i ql = _mm512_loadu_si512((const void *)(w->ql + 64 * h));
                    const __m512i qh = _mm512_broadcast_i64x4(_mm256_loadu_si256((const __m256i *)(w->qh + 32 * h)));
                    u[2 * h] = _mm512_or_si512(_mm512_and_si512(ql, low),
                                               _mm512_slli_epi16(_mm512_and_si512(_mm512_srlv_epi16(qh, shA), three), 4));
                    u[2 * h + 1] = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(ql, 4), low),
                                                   _mm512_slli_epi16(_mm512_and_si512(_mm512_srlv_epi16(qh, shB), three), 4));
                }
                const __m128i sc8 = _mm_loadu_si128((const __m128i *)w->scales);
                const __m256i scb = _mm256_broadcastsi128_si256(sc8);
                for (int m = 0; m < 4; m++) {
                    const __m256i idx = _mm256_add_epi8(
                        _mm256_setr_epi64x(0, 0x0101010101010101LL, 0x0202020202020202LL, 0x0303030303030303LL),
                        _mm256_set1_epi8((char)(4 * m)));
                    scv[m] = _mm512_cvtepi8_epi16(_mm256_shuffle_epi8(scb, idx));
                }
                const __m256i sc16 = _mm256_cvtepi8_epi16(sc8);
                const float d = fp16(w->d);
                for (int t = 0; t < nt; t++) {
                    const block_q8_K *x = (const block_q8_K *)TOK(xq, xq_stride, t0 + t) + b;
                    __m512i acc = _mm512_setzero_si512();
                    for (int m = 0; m < 4; m++) {
                        const __m512i p = _mm512_maddubs_epi16(u[m], _mm512_loadu_si512((const void *)(x->qs + 64 * m)));
                        acc = _mm512_dpwssd_epi32(acc, p, scv[m]);
                    }
                    const int32_t off = hsum_i32(_mm256_madd_epi16(_mm256_loadu_si256((const __m256i *)x->bsums), sc16));
                    const int32_t isum = _mm512_reduce_add_epi32(acc) - 32 * off;
                    sum[t] = sum[t] + (d * x->d) * (float)isum;
                }
            }
            for (int t = 0; t < nt; t++) out[(int64_t)(t0 + t) * ldo + r] = sum[t];
        }
    }
}

const matmul_set augur_mm_vnni = {
    .q4_0 = mm_q4_0_vnni, .q4_1 = mm_q4_1_vnni, .q5_0 = mm_q5_0_vnni, .q8_0 = mm_q8_0_vnni,
    .q4_K = mm_q4_K_vnni, .q5_K = mm_q5_K_vnni, .q6_K = mm_q6_K_vnni,
};
