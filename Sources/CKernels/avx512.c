// avx512.c — AVX-512 (F/BW/VL/DQ) and AVX-512 VNNI kernels, compiled per function with target
// attributes. Never AMX. Each kernel reproduces its scalar twin in scalar.c bit for bit.
#if defined(__x86_64__) || defined(__i386__)
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

// Attention's scores over blocked keys (AUGUR_KEY_BLOCK): the 16 positions of a block are the 16 lanes, so one
// conversion of K[block][i][0…15] serves every head, and dot_f16_f32's order — 32 partial sums (element i into
// partial i mod 32, fma from 0), combined (m, m + 16), (m, m + 8), (m, m + 4), (m, m + 2), (0, 1), then the
// d mod 32 tail by fma — is done lane-wise: 31 adds per 16 dots, no horizontal reduction, no copy of the keys.
// The tree is evaluated depth first (S_k below), so at most 6 partial sums per head are live; heads go 4 at a time.
// Its loads jump around the block, so the hardware prefetchers do not run ahead: the next block is prefetched into
// L2 (ATTN_K_PREFETCH blocks ahead). Against the previous kernel ([n][d] keys, 16 dots reduced with shared
// shuffles), one 6-head task over 4,096 positions: 177 → 131 µs with its keys and values in cache, 25.5 → 17.7 at
// 512 (`scripts/bench-attention`); from DRAM (AUGUR_ATTENTION_COLD=1) 215–356 vs 223–298 µs at 4,096, 25–47 vs
// 20–32 at 512 (six alternated runs; without the prefetch, ATTN_K_PREFETCH=0, 271–314).
#define SCORES_HB 4
#ifndef ATTN_K_PREFETCH
#define ATTN_K_PREFETCH 1
#endif
#ifndef ATTN_K_HINT
#define ATTN_K_HINT _MM_HINT_T1
#endif
// Leaf m: partial sum m over the d32 elements i ≡ m (mod 32).
static inline AVX512 __attribute__((always_inline))
void scores_leaf(const uint16_t *kb, int64_t d, int64_t d32, const float *q, const int HB, int m, __m512 *o) {
    for (int h = 0; h < HB; h++) o[h] = _mm512_setzero_ps();
    for (int64_t i = m; i < d32; i += 32) {
        const __m512 kv = load_f16x16(kb + i * AUGUR_KEY_BLOCK);
        for (int h = 0; h < HB; h++) o[h] = _mm512_fmadd_ps(kv, _mm512_set1_ps(q[h * d + i]), o[h]);
    }
}
// S_k(r): the tree's sum of the partials m ≡ r (mod 2^k) = S_{k+1}(r) + S_{k+1}(r + 2^k); S_5(m) = leaf m.
#define SCORES_LEVEL(k, next) \
    static inline AVX512 __attribute__((always_inline)) \
    void scores_s##k(const uint16_t *kb, int64_t d, int64_t d32, const float *q, const int HB, int r, __m512 *o) { \
        __m512 x[SCORES_HB], y[SCORES_HB]; \
        next(kb, d, d32, q, HB, r, x); \
        next(kb, d, d32, q, HB, r + (1 << k), y); \
        for (int h = 0; h < HB; h++) o[h] = _mm512_add_ps(x[h], y[h]); \
    }
SCORES_LEVEL(4, scores_leaf)
SCORES_LEVEL(3, scores_s4)
SCORES_LEVEL(2, scores_s3)
SCORES_LEVEL(1, scores_s2)
SCORES_LEVEL(0, scores_s1)

static inline AVX512 __attribute__((always_inline))
void scores_block(const uint16_t *kb, int64_t d, const float *q, const int HB, float scale, float *out, int64_t n,
                  __mmask16 lanes) {
    const int64_t d32 = d & ~(int64_t)31;
    __m512 acc[SCORES_HB];
    scores_s0(kb, d, d32, q, HB, 0, acc);
    for (int64_t i = d32; i < d; i++) {
        const __m512 kv = load_f16x16(kb + i * AUGUR_KEY_BLOCK);
        for (int h = 0; h < HB; h++) acc[h] = _mm512_fmadd_ps(kv, _mm512_set1_ps(q[h * d + i]), acc[h]);
    }
    const __m512 sc = _mm512_set1_ps(scale);
    for (int h = 0; h < HB; h++) _mm512_mask_storeu_ps(out + h * n, lanes, _mm512_mul_ps(acc[h], sc));
}

AVX512 void augur_scores_f16_avx512(const uint16_t *K, int64_t n, int64_t d, const float *q, int heads, float scale,
                                    float *scores) {
    for (int64_t j = 0; j < n; j += AUGUR_KEY_BLOCK) {
        const uint16_t *kb = key_row(K, j, d);
        const __mmask16 lanes = n - j >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - j)) - 1);
        if (ATTN_K_PREFETCH)
            for (int64_t o = 0; o < AUGUR_KEY_BLOCK * d; o += 32)
                _mm_prefetch((const char *)(kb + ATTN_K_PREFETCH * AUGUR_KEY_BLOCK * d + o), ATTN_K_HINT);
        for (int h0 = 0; h0 < heads; h0 += SCORES_HB) {
            const float *qh = q + h0 * d;
            float *out = scores + h0 * n + j;
            switch (heads - h0 < SCORES_HB ? heads - h0 : SCORES_HB) {
            case 1: scores_block(kb, d, qh, 1, scale, out, n, lanes); break;
            case 2: scores_block(kb, d, qh, 2, scale, out, n, lanes); break;
            case 3: scores_block(kb, d, qh, 3, scale, out, n, lanes); break;
            default: scores_block(kb, d, qh, 4, scale, out, n, lanes); break;
            }
        }
    }
}


// augur_exp_nonpositive in 16 lanes (the same products and fmas, so the same bits).
static inline AVX512 __m512 exp_nonpositive16(__m512 x) {
    const __mmask16 live = _mm512_cmp_ps_mask(x, _mm512_set1_ps(-87.0f), _CMP_GE_OQ);
    const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                          _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fmadd_ps(n, _mm512_set1_ps(-0.693359375f), x);
    r = _mm512_fmadd_ps(n, _mm512_set1_ps(2.12194440e-4f), r);
    __m512 p = _mm512_set1_ps(1.9875691500e-4f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
    const __m512 y = _mm512_add_ps(_mm512_fmadd_ps(p, _mm512_mul_ps(r, r), r), _mm512_set1_ps(1.0f));
    const __m512i bits = _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127)), 23);
    return _mm512_maskz_mul_ps(live, y, _mm512_castsi512_ps(bits));
}

AVX512 void augur_exp_nonpositive_row_avx512(const float *x, float *y, int64_t n) {
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, exp_nonpositive16(_mm512_loadu_ps(x + i)));
    for (; i < n; i++) y[i] = augur_exp_nonpositive(x[i]);
}

AVX512 void augur_softmax_f16_avx512(float *s, int64_t n) {
    const int64_t n16 = n - n % 16, n8 = n - n % 8;
    __m512 mv = _mm512_set1_ps(-INFINITY);
    for (int64_t j = 0; j < n16; j += 16) mv = _mm512_max_ps(_mm512_loadu_ps(s + j), mv); // NaN: keeps mv, as the twin
    float maximum = _mm512_reduce_max_ps(mv);
    for (int64_t j = n16; j < n; j++) maximum = s[j] > maximum ? s[j] : maximum;
    const __m512 m = _mm512_set1_ps(maximum);
    __m512d acc = _mm512_setzero_pd();
    for (int64_t j = 0; j < n16; j += 16) {
        const __m512 e = exp_nonpositive16(_mm512_sub_ps(_mm512_loadu_ps(s + j), m));
        _mm512_storeu_ps(s + j, e);
        acc = _mm512_add_pd(acc, _mm512_cvtps_pd(_mm512_castps512_ps256(e)));
        acc = _mm512_add_pd(acc, _mm512_cvtps_pd(_mm512_extractf32x8_ps(e, 1)));
    }
    double lanes[8];
    _mm512_storeu_pd(lanes, acc);
    for (int64_t j = n16; j < n; j++) {
        s[j] = augur_exp_nonpositive(s[j] - maximum);
        if (j < n8) lanes[j % 8] += (double)s[j];
    }
    const __m512 inverse = _mm512_set1_ps((float)(1 / augur_softmax_sum_finish(lanes, s, n8, n)));
    int64_t j = 0;
    for (; j < n16; j += 16)
        _mm512_storeu_ps(s + j, _mm512_cvtph_ps(_mm512_cvtps_ph(_mm512_mul_ps(_mm512_loadu_ps(s + j), inverse),
                                                                 _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)));
    const float inv = _mm512_cvtss_f32(inverse);
    for (; j < n; j++) s[j] = h2f(f2h(s[j] * inv));
}

// Attention's value sum: HB (≤ 6) heads × NV (≤ 4) vectors of 16 outputs stay in registers over all positions
// (24 accumulators, 4 value vectors, a broadcast: 29 of the 32 registers).
// A decode step reads each value row once from DRAM (a 4k context's cache is ~4 MB a layer); the hardware
// prefetchers alone left the value pass waiting on it. Prefetching 16 rows ahead into L2 took a 6-head task over
// 4,096 cold positions to a median 0.90× of its time (12 alternated runs against ATTN_V_PREFETCH=0, which turns
// it off: `AUGUR_ATTENTION_COLD=1 AUGUR_ATTENTION_CFLAGS=-DATTN_V_PREFETCH=0 scripts/bench-attention`). (The
// previous scores kernel, which read its keys in order, measured 1.08–1.15× slower with them prefetched; the
// blocked one above reads out of order and prefetches the next block.)
#ifndef ATTN_V_PREFETCH
#define ATTN_V_PREFETCH 16 // value rows ahead; 0: none
#endif
static inline AVX512 __attribute__((always_inline))
void weighted_sum_block_avx512(const float *p, int64_t p_stride, const int HB, const uint16_t *V, int64_t n,
                               int64_t d, int64_t i0, const int NV, float *out, int64_t out_stride) {
    __m512 acc[6][4];
    for (int h = 0; h < HB; h++)
        for (int c = 0; c < NV; c++) acc[h][c] = _mm512_loadu_ps(out + h * out_stride + i0 + 16 * c);
    for (int64_t j = 0; j < n; j++) {
        __m512 v[4];
        // This pass's part of the value row ATTN_V_PREFETCH ahead (a cache line per 32 halves), into L2; prefetches
        // never fault, so the last rows need no bound.
        if (ATTN_V_PREFETCH)
            for (int c = 0; c < NV; c += 2) _mm_prefetch((const char *)(V + (j + ATTN_V_PREFETCH) * d + i0 + 16 * c), _MM_HINT_T1);
        for (int c = 0; c < NV; c++) v[c] = load_f16x16(V + j * d + i0 + 16 * c);
        for (int h = 0; h < HB; h++) {
            const __m512 pj = _mm512_set1_ps(p[h * p_stride + j]);
            for (int c = 0; c < NV; c++) acc[h][c] = _mm512_fmadd_ps(pj, v[c], acc[h][c]);
        }
    }
    for (int h = 0; h < HB; h++)
        for (int c = 0; c < NV; c++) _mm512_storeu_ps(out + h * out_stride + i0 + 16 * c, acc[h][c]);
}

#define WEIGHTED_SUM_HEADS(hb, nv) switch (hb) { \
    case 6: weighted_sum_block_avx512(ph, p_stride, 6, V, n, d, i0, nv, oh, out_stride); break; \
    case 5: weighted_sum_block_avx512(ph, p_stride, 5, V, n, d, i0, nv, oh, out_stride); break; \
    case 4: weighted_sum_block_avx512(ph, p_stride, 4, V, n, d, i0, nv, oh, out_stride); break; \
    case 3: weighted_sum_block_avx512(ph, p_stride, 3, V, n, d, i0, nv, oh, out_stride); break; \
    case 2: weighted_sum_block_avx512(ph, p_stride, 2, V, n, d, i0, nv, oh, out_stride); break; \
    default: weighted_sum_block_avx512(ph, p_stride, 1, V, n, d, i0, nv, oh, out_stride); break; }

AVX512 void augur_weighted_sum_f16_avx512(const float *p, int64_t p_stride, int heads, const uint16_t *V,
                                          int64_t n, int64_t d, float *out, int64_t out_stride) {
    for (int h0 = 0; h0 < heads; h0 += 6) {
        const float *ph = p + h0 * p_stride;
        float *oh = out + h0 * out_stride;
        const int hb = heads - h0 < 6 ? heads - h0 : 6;
        int64_t i0 = 0;
        for (; i0 + 64 <= d; i0 += 64) WEIGHTED_SUM_HEADS(hb, 4)
        for (; i0 + 16 <= d; i0 += 16) WEIGHTED_SUM_HEADS(hb, 1)
        for (int h = 0; h < hb; h++)  // the last d mod 16 outputs, as the twin
            for (int64_t i = i0; i < d; i++) {
                float acc = oh[h * out_stride + i];
                for (int64_t j = 0; j < n; j++) acc = fmaf(ph[h * p_stride + j], fp16(V[j * d + i]), acc);
                oh[h * out_stride + i] = acc;
            }
    }
}
#undef WEIGHTED_SUM_HEADS

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

// ---------------------------------------------------------------------------------------------
// Activation quantization to Q8_K (ggml quantize_row_q8_K_ref): the first element of largest
// magnitude maps to -127; iscale * x rounded to nearest even (vcvtps2dq under the default rounding
// mode = the twin's nearest_int), capped at 127; 16-element sums. Other types: the AVX2 version.

static AVX512 void quantize_q8_K_avx512(const float *x, block_q8_K *y, int64_t n) {
    const int64_t nb = n / QK_K;
    const __m512 sign = _mm512_set1_ps(-0.0f);
    for (int64_t i = 0; i < nb; i++, x += QK_K) {
        __m512 amaxv = _mm512_setzero_ps();
        for (int j = 0; j < QK_K; j += 16) amaxv = _mm512_max_ps(amaxv, _mm512_andnot_ps(sign, _mm512_loadu_ps(x + j)));
        const float amax = _mm512_reduce_max_ps(amaxv);
        if (amax == 0) {
            memset(&y[i], 0, sizeof(block_q8_K));
            continue;
        }
        // The first element with |x| == amax (the twin keeps the first on ties).
        float max = 0;
        const __m512 am = _mm512_set1_ps(amax);
        for (int j = 0; j < QK_K; j += 16) {
            const __mmask16 hit = _mm512_cmp_ps_mask(_mm512_andnot_ps(sign, _mm512_loadu_ps(x + j)), am, _CMP_EQ_OQ);
            if (hit) { max = x[j + __builtin_ctz(hit)]; break; }
        }
        const float iscale = -127.f / max;
        const __m512 is = _mm512_set1_ps(iscale);
        const __m512i cap = _mm512_set1_epi32(127);
        for (int j = 0; j < QK_K; j += 16) {
            const __m512i v = _mm512_min_epi32(_mm512_cvtps_epi32(_mm512_mul_ps(is, _mm512_loadu_ps(x + j))), cap);
            _mm_storeu_si128((__m128i *)(y[i].qs + j), _mm512_cvtepi32_epi8(v));
            y[i].bsums[j / 16] = (int16_t)_mm512_reduce_add_epi32(v);
        }
        y[i].d = 1 / iscale;
    }
}

// Q8_0 (quantize_q8_0_or_1 of the twin without the sum): amax as the twin's sequential max (a NaN never wins:
// the new element is the first operand of vmaxps), d = amax / 127, q = x · (127 / amax) rounded half to even by
// vcvtps2dq (a NaN converts to INT_MIN, clamped to -128 as the twin's cast and clamp do).
static AVX512 void quantize_q8_0_avx512(const float *x, block_q8_0 *y, int64_t n) {
    const __m512 sign = _mm512_set1_ps(-0.0f);
    for (int64_t i = 0; i < n / QK; i++, x += QK) {
        const __m512 a = _mm512_loadu_ps(x), b = _mm512_loadu_ps(x + 16);
        const __m512 m = _mm512_max_ps(_mm512_andnot_ps(sign, b), _mm512_max_ps(_mm512_andnot_ps(sign, a), _mm512_setzero_ps()));
        const float amax = _mm512_reduce_max_ps(m);
        const float d = amax / 127.f;
        const float id = amax != 0.0f ? 127.f / amax : 0.0f;
        y[i].d = (half)_mm_extract_epi16(_mm_cvtps_ph(_mm_set_ss(d), _MM_FROUND_TO_NEAREST_INT), 0);
        const __m512i lo = _mm512_set1_epi32(-128), hi = _mm512_set1_epi32(127);
        const __m512 s = _mm512_set1_ps(id);
        const __m512i qa = _mm512_min_epi32(_mm512_max_epi32(_mm512_cvtps_epi32(_mm512_mul_ps(a, s)), lo), hi);
        const __m512i qb = _mm512_min_epi32(_mm512_max_epi32(_mm512_cvtps_epi32(_mm512_mul_ps(b, s)), lo), hi);
        _mm_storeu_si128((__m128i *)y[i].qs, _mm512_cvtepi32_epi8(qa));
        _mm_storeu_si128((__m128i *)(y[i].qs + 16), _mm512_cvtepi32_epi8(qb));
    }
}

AVX512 void augur_quantize_activation_avx512(int t, const float *x, void *xq, int64_t n) {
    const int vdt = augur_vec_dot_type(t);
    if (vdt == AUGUR_TYPE_Q8_K) quantize_q8_K_avx512(x, (block_q8_K *)xq, n);
    else if (vdt == AUGUR_TYPE_Q8_0) quantize_q8_0_avx512(x, (block_q8_0 *)xq, n);
    else augur_quantize_activation_avx2(t, x, xq, n);
}

// Without VNNI the quantized kernels are the AVX2 ones (dispatch falls back level by level).
const matmul_set augur_mm_avx512 = { .f32 = mm_f32_avx512, .f16 = mm_f16_avx512 };

// ---------------------------------------------------------------------------------------------
// VNNI, 32-element blocks: vpdpbusd sums 4 adjacent u8×s8 products into each int32 lane (as AVX2's
// maddubs + madd); the lanes add up to the twin's exact block sum.

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
// dxs / sxs: the tokens' block scales (stride G), already offset to the tile's first token.
static inline VNNI __attribute__((always_inline))
void block32_tile_vnni(int type, const void *wrow, int64_t nb, const void *xq, size_t xq_stride, const int NT,
                       const float *dxs, const float *sxs, int G, float *out, int64_t ldo) {
    const __m256i zero = _mm256_setzero_si256();
    __m256 acc = _mm256_setzero_ps(), summs = _mm256_setzero_ps(), lanes[8];
    for (int t = 0; t < NT; t++) lanes[t] = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; b++) {
        float dw, mw = 0;
        const __m256i w = decode32_vnni(type, wrow, b, &dw, &mw);
        const __m256i aw = type == AUGUR_TYPE_Q4_1 ? w : _mm256_abs_epi8(w);
        const __m256 dv = _mm256_mul_ps(_mm256_set1_ps(dw), _mm256_loadu_ps(dxs + b * G)); // lane t: dw * dx_t
        if (type == AUGUR_TYPE_Q4_1)
            summs = _mm256_add_ps(summs, _mm256_mul_ps(_mm256_set1_ps(mw), _mm256_loadu_ps(sxs + b * G)));
        __m256i s[8];
        for (int t = 0; t < NT; t++) {
            const size_t xoff = (size_t)t * xq_stride;
            if (type == AUGUR_TYPE_Q4_1) {
                const block_q8_1 *x = (const block_q8_1 *)((const char *)xq + xoff) + b;
                s[t] = _mm256_dpbusd_epi32(zero, aw, _mm256_loadu_si256((const __m256i *)x->qs));
            } else {
                const block_q8_0 *x = (const block_q8_0 *)((const char *)xq + xoff) + b;
                s[t] = _mm256_dpbusd_epi32(zero, aw, _mm256_sign_epi8(_mm256_loadu_si256((const __m256i *)x->qs), w));
            }
            if (type == AUGUR_TYPE_Q4_1)
                lanes[t] = _mm256_fmadd_ps(_mm256_permutevar8x32_ps(dv, _mm256_set1_epi32(t)), _mm256_cvtepi32_ps(s[t]), lanes[t]);
        }
        if (type != AUGUR_TYPE_Q4_1) acc = _mm256_fmadd_ps(dv, _mm256_cvtepi32_ps(hsum8x8_epi32(s, NT)), acc);
    }
    float res[8], sm[8];
    _mm256_storeu_ps(res, acc);
    _mm256_storeu_ps(sm, summs);
    for (int t = 0; t < NT; t++) out[(int64_t)t * ldo] = type == AUGUR_TYPE_Q4_1 ? hsum8(lanes[t]) + sm[t] : res[t];
}

static inline VNNI __attribute__((always_inline))
void mm_block32_vnni(int type, const void *W, size_t row_bytes, int64_t r0, int64_t r1, int64_t k,
                     const void *xq, size_t xq_stride, int ntok, float *out, int64_t ldo) {
    const int64_t nb = k / QK;
#define TILE(nt, xt, t0, o) block32_tile_vnni(type, wrow, nb, xt, xq_stride, nt, dxs + (t0), sxs + (t0), G, o, ldo)
    FOR_TOKEN_TILES(type == AUGUR_TYPE_Q4_1 ? AUGUR_TYPE_Q8_1 : AUGUR_TYPE_Q8_0, TILE)
#undef TILE
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
// VNNI, K-quants: 64 quants per zmm. vpdpbusd gives int32 sums of 4 products (|sum| ≤ 4·63·127 <
// 2^15, so vpackssdw to int16 is exact), vpdpwssd multiplies each pair by its sub-block scale and
// accumulates in int32: exact super-block sums with 3 multiply-µops per 128 quants instead of 4.
// Then the twin's float update, for 8 tokens at once.
//
// packs(z0, z1) interleaves per 128-bit chunk c: [z0 lanes 4c..4c+3, z1 lanes 4c..4c+3]. Lane l of
// z covers quants 4l..4l+3 of its 64. The tables give, per int16 lane, the scale index:
// Q4_K/Q5_K (sub-blocks of 32; z[2p] = sub-blocks 4p, 4p+1; z[2p+1] = 4p+2, 4p+3) and
// Q6_K (groups of 16; z[2p] = groups 8p..8p+3; z[2p+1] = 8p+4..8p+7).
#define C4(a) a, a, a, a
static const int16_t pack_scale_idx_k4[2][32] = {
    { C4(0), C4(2), C4(0), C4(2), C4(1), C4(3), C4(1), C4(3) },
    { C4(4), C4(6), C4(4), C4(6), C4(5), C4(7), C4(5), C4(7) },
};
static const int16_t pack_scale_idx_q6[2][32] = {
    { C4(0), C4(4), C4(1), C4(5), C4(2), C4(6), C4(3), C4(7) },
    { C4(8), C4(12), C4(9), C4(13), C4(10), C4(14), C4(11), C4(15) },
};
#undef C4

static inline VNNI __m512i join256(__m256i lo, __m256i hi) {
    return _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
}

static inline VNNI __m256i fold512(__m512i v) {
    return _mm256_add_epi32(_mm512_castsi512_si256(v), _mm512_extracti64x4_epi64(v, 1));
}

// One row of Q4_K / Q5_K against NT ≤ 8 tokens. Per super-block: exact int32 sums for each token,
// gathered into lane t of one vector (reduce8_i32), then the twin's float update for all tokens at
// once, lane-wise: sum += (d·dx)·isum − (dmin·dx)·isumm.
static inline VNNI __attribute__((always_inline))
void q45_K_tile_vnni(int type, const void *wrow, int64_t nb, const void *xq, size_t xq_stride, const int NT,
                     const float *xds, int G, float *out, int64_t ldo) {
    const size_t bb = type == AUGUR_TYPE_Q4_K ? sizeof(block_q4_K) : sizeof(block_q5_K);
    const __m256i low = _mm256_set1_epi8(0x0F);
    __m256 sumv = _mm256_setzero_ps();
    float sum1 = 0;
    for (int64_t b = 0; b < nb; b++) {
        const uint8_t *scales, *qs, *qh = NULL;
        float d, dmin;
        if (type == AUGUR_TYPE_Q4_K) {
            const block_q4_K *w = (const void *)((const uint8_t *)wrow + b * bb);
            scales = w->scales; qs = w->qs; d = fp16(w->d); dmin = fp16(w->dmin);
        } else {
            const block_q5_K *w = (const void *)((const uint8_t *)wrow + b * bb);
            scales = w->scales; qs = w->qs; qh = w->qh; d = fp16(w->d); dmin = fp16(w->dmin);
        }
        // q[h]: elements 64h .. 64h+63 (low nibbles of qs[32h..], then high nibbles).
        __m512i q[4], scv[2];
        __m256i minv;
        uint8_t sc[8];
        unpack_scales_k4(scales, sc, &minv);
        const __m512i hbz = qh ? _mm512_broadcast_i64x4(_mm256_loadu_si256((const __m256i *)qh)) : _mm512_setzero_si512();
        for (int h = 0; h < 4; h++) {
            const __m256i v = _mm256_loadu_si256((const __m256i *)(qs + 32 * h));
            q[h] = join256(_mm256_and_si256(v, low), _mm256_and_si256(_mm256_srli_epi16(v, 4), low));
            if (qh) {
                const __m512i sh = join256(_mm256_set1_epi16((short)(2 * h)), _mm256_set1_epi16((short)(2 * h + 1)));
                const __m512i hb = _mm512_and_si512(_mm512_srlv_epi16(hbz, sh), _mm512_set1_epi8(1));
                q[h] = _mm512_or_si512(q[h], _mm512_slli_epi16(hb, 4));
            }
        }
        // Scales in the lane order of packs(z[2p], z[2p+1]) (tables above).
        const __m512i scw = _mm512_castsi128_si512(_mm_cvtepu8_epi16(_mm_loadl_epi64((const __m128i *)sc)));
        scv[0] = _mm512_permutexvar_epi16(_mm512_loadu_si512((const void *)pack_scale_idx_k4[0]), scw);
        scv[1] = _mm512_permutexvar_epi16(_mm512_loadu_si512((const void *)pack_scale_idx_k4[1]), scw);
        __m256i ai[8], mi[8];
        for (int t = 0; t < 8; t++) {
            if (t >= NT) { ai[t] = mi[t] = _mm256_setzero_si256(); continue; }
            const block_q8_K *x = (const block_q8_K *)TOK(xq, xq_stride, t) + b;
            __m512i acc = _mm512_setzero_si512();
            for (int p = 0; p < 2; p++) {
                const __m512i z0 = _mm512_dpbusd_epi32(_mm512_setzero_si512(), q[2 * p], _mm512_loadu_si512((const void *)(x->qs + 128 * p)));
                const __m512i z1 = _mm512_dpbusd_epi32(_mm512_setzero_si512(), q[2 * p + 1], _mm512_loadu_si512((const void *)(x->qs + 128 * p + 64)));
                acc = _mm512_dpwssd_epi32(acc, _mm512_packs_epi32(z0, z1), scv[p]);
            }
            ai[t] = fold512(acc);
            mi[t] = _mm256_madd_epi16(_mm256_loadu_si256((const __m256i *)x->bsums), minv);
        }
        if (NT == 1) { // one token (decode): plain horizontal sums, same float operations as lane 0
            const float xd = xds[b * G];
            sum1 = sum1 + ((d * xd) * (float)hsum_i32(ai[0]) - (dmin * xd) * (float)hsum_i32(mi[0]));
            continue;
        }
        const __m256 isum = _mm256_cvtepi32_ps(reduce8_i32(ai)), isumm = _mm256_cvtepi32_ps(reduce8_i32(mi));
        const __m256 xd = _mm256_loadu_ps(xds + b * G);
        const __m256 dd = _mm256_mul_ps(_mm256_set1_ps(d), xd), dm = _mm256_mul_ps(_mm256_set1_ps(dmin), xd);
        sumv = _mm256_add_ps(sumv, _mm256_sub_ps(_mm256_mul_ps(dd, isum), _mm256_mul_ps(dm, isumm)));
    }
    if (NT == 1) out[0] = sum1;
    else store_lanes(sumv, NT, out, ldo);
}

static VNNI void mm_q4_K_tiles_vnni(const void *W, size_t row_bytes, int64_t r0, int64_t r1, int64_t k, const void *xq,
                                    size_t xq_stride, int ntok, float *out, int64_t ldo) {
    const int64_t nb = k / QK_K;
#define TILE(nt, xt, t0, o) q45_K_tile_vnni(AUGUR_TYPE_Q4_K, wrow, nb, xt, xq_stride, nt, dxs + (t0), G, o, ldo)
    FOR_TOKEN_TILES(AUGUR_TYPE_Q8_K, TILE)
#undef TILE
}

static VNNI void mm_q5_K_vnni(const void *W, size_t row_bytes, int64_t r0, int64_t r1, int64_t k, const void *xq,
                              size_t xq_stride, int ntok, float *out, int64_t ldo) {
    const int64_t nb = k / QK_K;
#define TILE(nt, xt, t0, o) q45_K_tile_vnni(AUGUR_TYPE_Q5_K, wrow, nb, xt, xq_stride, nt, dxs + (t0), G, o, ldo)
    FOR_TOKEN_TILES(AUGUR_TYPE_Q8_K, TILE)
#undef TILE
}

// Q6_K: u = q + 32 (0..63); Σ sc·q·x = Σ sc·u·x − 32·Σ_g sc[g]·bsums[g]; sum += (d·dx)·isum.
static inline VNNI __attribute__((always_inline))
void q6_K_tile_vnni(const void *wrow, int64_t nb, const void *xq, size_t xq_stride, const int NT,
                    const float *xds, int G, float *out, int64_t ldo) {
    const __m512i low = _mm512_set1_epi8(0x0F), three = _mm512_set1_epi8(3);
    const __m512i shA = join256(_mm256_set1_epi16(0), _mm256_set1_epi16(2));
    const __m512i shB = join256(_mm256_set1_epi16(4), _mm256_set1_epi16(6));
    __m256 sumv = _mm256_setzero_ps();
    float sum1 = 0;
    for (int64_t b = 0; b < nb; b++) {
        const block_q6_K *w = (const block_q6_K *)wrow + b;
        // u[m]: elements 64m .. 64m+63, i.e. scale groups 4m .. 4m+3.
        __m512i u[4], scv[2];
        for (int h = 0; h < 2; h++) {
            const __m512i ql = _mm512_loadu_si512((const void *)(w->ql + 64 * h));
            const __m512i qh = _mm512_broadcast_i64x4(_mm256_loadu_si256((const __m256i *)(w->qh + 32 * h)));
            u[2 * h] = _mm512_or_si512(_mm512_and_si512(ql, low),
                                       _mm512_slli_epi16(_mm512_and_si512(_mm512_srlv_epi16(qh, shA), three), 4));
            u[2 * h + 1] = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(ql, 4), low),
                                           _mm512_slli_epi16(_mm512_and_si512(_mm512_srlv_epi16(qh, shB), three), 4));
        }
        const __m128i sc8 = _mm_loadu_si128((const __m128i *)w->scales);
        const __m256i sc16 = _mm256_cvtepi8_epi16(sc8);
        scv[0] = _mm512_permutexvar_epi16(_mm512_loadu_si512((const void *)pack_scale_idx_q6[0]), _mm512_castsi256_si512(sc16));
        scv[1] = _mm512_permutexvar_epi16(_mm512_loadu_si512((const void *)pack_scale_idx_q6[1]), _mm512_castsi256_si512(sc16));
        __m256i ai[8], oi[8];
        for (int t = 0; t < 8; t++) {
            if (t >= NT) { ai[t] = oi[t] = _mm256_setzero_si256(); continue; }
            const block_q8_K *x = (const block_q8_K *)TOK(xq, xq_stride, t) + b;
            __m512i acc = _mm512_setzero_si512();
            for (int p = 0; p < 2; p++) {
                const __m512i z0 = _mm512_dpbusd_epi32(_mm512_setzero_si512(), u[2 * p], _mm512_loadu_si512((const void *)(x->qs + 128 * p)));
                const __m512i z1 = _mm512_dpbusd_epi32(_mm512_setzero_si512(), u[2 * p + 1], _mm512_loadu_si512((const void *)(x->qs + 128 * p + 64)));
                acc = _mm512_dpwssd_epi32(acc, _mm512_packs_epi32(z0, z1), scv[p]);
            }
            ai[t] = fold512(acc);
            oi[t] = _mm256_madd_epi16(_mm256_loadu_si256((const __m256i *)x->bsums), sc16);
        }
        if (NT == 1) { // one token (decode): plain horizontal sums, same float operations as lane 0
            const int32_t isum = hsum_i32(ai[0]) - 32 * hsum_i32(oi[0]);
            sum1 = sum1 + (fp16(w->d) * xds[b * G]) * (float)isum;
            continue;
        }
        const __m256i isum = _mm256_sub_epi32(reduce8_i32(ai), _mm256_slli_epi32(reduce8_i32(oi), 5));
        const __m256 dd = _mm256_mul_ps(_mm256_set1_ps(fp16(w->d)), _mm256_loadu_ps(xds + b * G));
        sumv = _mm256_add_ps(sumv, _mm256_mul_ps(dd, _mm256_cvtepi32_ps(isum)));
    }
    if (NT == 1) out[0] = sum1;
    else store_lanes(sumv, NT, out, ldo);
}

static VNNI void mm_q6_K_tiles_vnni(const void *W, size_t row_bytes, int64_t r0, int64_t r1, int64_t k,
                              const void *xq, size_t xq_stride, int ntok, float *out, int64_t ldo) {
    const int64_t nb = k / QK_K;
#define TILE(nt, xt, t0, o) q6_K_tile_vnni(wrow, nb, xt, xq_stride, nt, dxs + (t0), G, o, ldo)
    FOR_TOKEN_TILES(AUGUR_TYPE_Q8_K, TILE)
#undef TILE
}

// ---------------------------------------------------------------------------------------------
// VNNI, 8 rows at a time (3+ tokens): see rows8_k.h.
#define ROWS8_ATTR VNNI
#define R8(name) name##_vnni
#define ROWS8_DOT4(acc, w, x) _mm256_dpbusd_epi32(acc, w, x)
#define ROWS8_DOT2(acc, a, b) _mm256_dpwssd_epi32(acc, a, b)
#define ROWS8_Q4_K_FALLBACK mm_q4_K_tiles_vnni
#define ROWS8_Q6_K_FALLBACK mm_q6_K_tiles_vnni
#include "rows8_k.h"

// ---------------------------------------------------------------------------------------------
// VNNI, few tokens (decode, verification): see FEW_TOKENS_K_KERNEL in simd.h. 256-bit (faster than 512-bit for a
// single token on Zen 4). vpdpbusd gives 4-product int32 sums, vpackssdw packs two sub-blocks' sums
// to int16 (exact: |sum| ≤ 4·63·127 < 2^15) and vpdpwssd applies the two sub-blocks' scales.

#define W2(j) (char)(2 * (j)), (char)(2 * (j) + 1)
#define PAIR(a, b) W2(a), W2(a), W2(a), W2(a), W2(b), W2(b), W2(b), W2(b)
// Q4_K: packs(z[2p], z[2p+1]) per 128-bit lane = [sub-block 2p ×4 | 2p+1 ×4] → int16 scale words.
static const int8_t pair_bcast_k4[4][32] = {
    { PAIR(0, 1), PAIR(0, 1) }, { PAIR(2, 3), PAIR(2, 3) }, { PAIR(4, 5), PAIR(4, 5) }, { PAIR(6, 7), PAIR(6, 7) },
};
#undef PAIR
#undef W2
// Q6_K: packs(z[2p], z[2p+1]) (sub-blocks 2p, 2p+1 = groups 4p..4p+3): low lane groups 4p, 4p+2; high 4p+1, 4p+3.
#define G4(g) g, g, g, g
static const int16_t pair_idx_q6[4][16] = {
    { G4(0), G4(2), G4(1), G4(3) }, { G4(4), G4(6), G4(5), G4(7) },
    { G4(8), G4(10), G4(9), G4(11) }, { G4(12), G4(14), G4(13), G4(15) },
};
#undef G4

// Q4_K super-block unpacked: quants of sub-block j, the scale words of each packed pair, the 8 mins.
typedef struct { __m256i q[8], s[4]; __m128i mn; } q4_K_vnni_dec;

static inline VNNI void decode_q4_K_few_vnni(const block_q4_K *blk, q4_K_vnni_dec *d) {
    __m128i sc;
    unpack_scales16_k4(blk->scales, &sc, &d->mn);
    const __m256i S = _mm256_broadcastsi128_si256(sc), low = _mm256_set1_epi8(0x0F);
    for (int h = 0; h < 4; h++) {
        const __m256i qv = _mm256_loadu_si256((const __m256i *)(blk->qs + 32 * h));
        d->q[2 * h] = _mm256_and_si256(qv, low);
        d->q[2 * h + 1] = _mm256_and_si256(_mm256_srli_epi16(qv, 4), low);
        d->s[h] = _mm256_shuffle_epi8(S, _mm256_loadu_si256((const __m256i *)pair_bcast_k4[h]));
    }
}

// One token → [4 lanes summing to Σ sc·q·x | 4 lanes summing to Σ mins·bsums].
static inline VNNI __m256i dot_q4_K_few_vnni(const q4_K_vnni_dec *d, const block_q8_K *xb, __m128i bs2) {
    const __m256i zero = _mm256_setzero_si256();
    __m256i acc = zero;
    for (int h = 0; h < 4; h++) {
        const __m256i z0 = _mm256_dpbusd_epi32(zero, d->q[2 * h], _mm256_loadu_si256((const __m256i *)(xb->qs + 64 * h)));
        const __m256i z1 = _mm256_dpbusd_epi32(zero, d->q[2 * h + 1], _mm256_loadu_si256((const __m256i *)(xb->qs + 64 * h + 32)));
        acc = _mm256_dpwssd_epi32(acc, _mm256_packs_epi32(z0, z1), d->s[h]);
    }
    const __m128i af = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
    return _mm256_setr_m128i(af, _mm_madd_epi16(d->mn, bs2));
}

// Q6_K super-block unpacked: u = q + 32 per sub-block, the scale words of each packed pair, the 16 scales.
typedef struct { __m256i u[8], s[4], sc16; } q6_K_vnni_dec;

static inline VNNI void decode_q6_K_few_vnni(const block_q6_K *blk, q6_K_vnni_dec *d) {
    d->sc16 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)blk->scales));
    for (int h = 0; h < 2; h++) unpack_q6_K_half(blk, h, d->u + 4 * h);
    for (int p = 0; p < 4; p++)
        d->s[p] = _mm256_permutexvar_epi16(_mm256_loadu_si256((const __m256i *)pair_idx_q6[p]), d->sc16);
}

// One token → 8 lanes summing to Σ sc·u·x − 32·Σ sc·bsums.
static inline VNNI __m256i dot_q6_K_few_vnni(const q6_K_vnni_dec *d, const block_q8_K *xb, __m128i unused) {
    (void)unused;
    const __m256i zero = _mm256_setzero_si256();
    __m256i acc = zero;
    for (int p = 0; p < 4; p++) {
        const __m256i z0 = _mm256_dpbusd_epi32(zero, d->u[2 * p], _mm256_loadu_si256((const __m256i *)(xb->qs + 64 * p)));
        const __m256i z1 = _mm256_dpbusd_epi32(zero, d->u[2 * p + 1], _mm256_loadu_si256((const __m256i *)(xb->qs + 64 * p + 32)));
        acc = _mm256_dpwssd_epi32(acc, _mm256_packs_epi32(z0, z1), d->s[p]);
    }
    const __m256i oi = _mm256_madd_epi16(_mm256_loadu_si256((const __m256i *)xb->bsums), d->sc16);
    return _mm256_sub_epi32(acc, _mm256_slli_epi32(oi, 5));
}

#define DMIN_Q4_K(blk) ((blk)->dmin)
#define NO_DMIN(blk) 0
// Q4_K rows of 16+ super-blocks (ffn_down) take the 8-row kernel from 2 tokens (3.3 vs 5.4–5.9 ms in
// KernelBench); short rows keep this kernel for 2 (both ~3.0 ms).
FEW_TOKENS_K_KERNEL(mm_q4_K_vnni, VNNI, block_q4_K, 1, DMIN_Q4_K, q4_K_vnni_dec, decode_q4_K_few_vnni,
                    dot_q4_K_few_vnni, (nb >= 16 ? 1 : 2), mm_q4_K_rows8_vnni)
FEW_TOKENS_K_KERNEL(mm_q6_K_vnni, VNNI, block_q6_K, 0, NO_DMIN, q6_K_vnni_dec, decode_q6_K_few_vnni,
                    dot_q6_K_few_vnni, 2, mm_q6_K_rows8_vnni)
#undef NO_DMIN
#undef DMIN_Q4_K

#include "rows16_b32.h"

const matmul_set augur_mm_vnni = {
    .q4_0 = mm_q4_0_vnni, .q4_1 = mm_q4_1_vnni, .q5_0 = mm_q5_0_vnni, .q8_0 = mm_q8_0_vnni,
    .q4_K = mm_q4_K_vnni, .q5_K = mm_q5_K_vnni, .q6_K = mm_q6_K_vnni,
    .q4_K_x8 = mm_q4_K_x8_vnni, .q6_K_x8 = mm_q6_K_x8_vnni,
    .q4_0_x16 = mm_q4_0_x16_vnni, .q5_0_x16 = mm_q5_0_x16_vnni, .q8_0_x16 = mm_q8_0_x16_vnni,
};

#else // not x86
#include "internal.h"
const matmul_set augur_mm_avx512 = {0};
const matmul_set augur_mm_vnni = {0};
float augur_dot_f32_avx512(const float *a, const float *b, int64_t n) { return augur_dot_f32_ref(a, b, n); }
void augur_axpy_f32_avx512(float a, const float *x, float *y, int64_t n) { augur_axpy_f32_ref(a, x, y, n); }
float augur_dot_f16_f32_avx512(const uint16_t *a, const float *b, int64_t n) { return augur_dot_f16_f32_ref(a, b, n); }
void augur_axpy_f16_f32_avx512(float a, const uint16_t *x, float *y, int64_t n) { augur_axpy_f16_f32_ref(a, x, y, n); }
void augur_weighted_sum_f16_avx512(const float *p, int64_t ps, int heads, const uint16_t *V, int64_t n, int64_t d,
                                   float *out, int64_t os) { augur_weighted_sum_f16_ref(p, ps, heads, V, n, d, out, os); }
void augur_scores_f16_avx512(const uint16_t *K, int64_t n, int64_t d, const float *q, int heads, float scale,
                             float *scores) { augur_scores_f16_ref(K, n, d, q, heads, scale, scores); }
void augur_quantize_activation_avx512(int t, const float *x, void *xq, int64_t n) { augur_quantize_activation_ref(t, x, xq, n); }
void augur_softmax_f16_avx512(float *s, int64_t n) { augur_softmax_f16_ref(s, n); }
void augur_exp_nonpositive_row_avx512(const float *x, float *y, int64_t n) { augur_exp_nonpositive_row_ref(x, y, n); }
#endif
