// avx2.c — AVX2 + FMA + F16C kernels (compiled per function with target attributes, so the
// binary still runs on machines without them; dispatch.c only calls them after cpuid says so).
// Each kernel reproduces its scalar twin in scalar.c bit for bit.
#if defined(__x86_64__) || defined(__i386__)
#include "simd.h"

// ---------------------------------------------------------------------------------------------
// f32 helpers: 4 accumulators of 8 lanes = the twin's 32 lanes.

AVX2 float augur_dot_f32_avx2(const float *a, const float *b, int64_t n) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = acc0, acc2 = acc0, acc3 = acc0;
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), acc1);
        acc2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16), acc2);
        acc3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24), acc3);
    }
    float s = hsum8(_mm256_add_ps(_mm256_add_ps(acc0, acc2), _mm256_add_ps(acc1, acc3)));
    for (; i < n; i++) s = fmaf(a[i], b[i], s);
    return s;
}

static inline AVX2 __m256 load_f16x8(const uint16_t *p) {
    return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)p));
}

AVX2 float augur_dot_f16_f32_avx2(const uint16_t *a, const float *b, int64_t n) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = acc0, acc2 = acc0, acc3 = acc0;
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        acc0 = _mm256_fmadd_ps(load_f16x8(a + i), _mm256_loadu_ps(b + i), acc0);
        acc1 = _mm256_fmadd_ps(load_f16x8(a + i + 8), _mm256_loadu_ps(b + i + 8), acc1);
        acc2 = _mm256_fmadd_ps(load_f16x8(a + i + 16), _mm256_loadu_ps(b + i + 16), acc2);
        acc3 = _mm256_fmadd_ps(load_f16x8(a + i + 24), _mm256_loadu_ps(b + i + 24), acc3);
    }
    float s = hsum8(_mm256_add_ps(_mm256_add_ps(acc0, acc2), _mm256_add_ps(acc1, acc3)));
    for (; i < n; i++) s = fmaf(fp16(a[i]), b[i], s);
    return s;
}

static AVX2 float dot_f16_f16_avx2(const uint16_t *a, const uint16_t *b, int64_t n) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = acc0, acc2 = acc0, acc3 = acc0;
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        acc0 = _mm256_fmadd_ps(load_f16x8(a + i), load_f16x8(b + i), acc0);
        acc1 = _mm256_fmadd_ps(load_f16x8(a + i + 8), load_f16x8(b + i + 8), acc1);
        acc2 = _mm256_fmadd_ps(load_f16x8(a + i + 16), load_f16x8(b + i + 16), acc2);
        acc3 = _mm256_fmadd_ps(load_f16x8(a + i + 24), load_f16x8(b + i + 24), acc3);
    }
    float s = hsum8(_mm256_add_ps(_mm256_add_ps(acc0, acc2), _mm256_add_ps(acc1, acc3)));
    for (; i < n; i++) s = fmaf(fp16(a[i]), fp16(b[i]), s);
    return s;
}

AVX2 void augur_axpy_f32_avx2(float a, const float *x, float *y, int64_t n) {
    const __m256 av = _mm256_set1_ps(a);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_fmadd_ps(av, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
    for (; i < n; i++) y[i] = fmaf(a, x[i], y[i]);
}

AVX2 void augur_axpy_f16_f32_avx2(float a, const uint16_t *x, float *y, int64_t n) {
    const __m256 av = _mm256_set1_ps(a);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_fmadd_ps(av, load_f16x8(x + i), _mm256_loadu_ps(y + i)));
    for (; i < n; i++) y[i] = fmaf(a, fp16(x[i]), y[i]);
}

// Attention's scores over blocked keys (AUGUR_KEY_BLOCK), as the AVX-512 kernel (dot_f16_f32's 32 partial sums
// and their tree done lane-wise) with 8 lanes: each half of a block's 16 positions in one vector, 2 heads at a
// time (the depth-first tree keeps up to 12 partial sums live); lanes past n are computed and not stored.
#define SCORES_HB2 2
static inline AVX2 __attribute__((always_inline))
void scores_leaf2(const uint16_t *kb, int64_t d, int64_t d32, const float *q, const int HB, int m, __m256 *o) {
    for (int h = 0; h < HB; h++) o[h] = _mm256_setzero_ps();
    for (int64_t i = m; i < d32; i += 32) {
        const __m256 kv = load_f16x8(kb + i * AUGUR_KEY_BLOCK);
        for (int h = 0; h < HB; h++) o[h] = _mm256_fmadd_ps(kv, _mm256_broadcast_ss(q + h * d + i), o[h]);
    }
}
#define SCORES_LEVEL2(k, next) \
    static inline AVX2 __attribute__((always_inline)) \
    void scores2_s##k(const uint16_t *kb, int64_t d, int64_t d32, const float *q, const int HB, int r, __m256 *o) { \
        __m256 x[SCORES_HB2], y[SCORES_HB2]; \
        next(kb, d, d32, q, HB, r, x); \
        next(kb, d, d32, q, HB, r + (1 << k), y); \
        for (int h = 0; h < HB; h++) o[h] = _mm256_add_ps(x[h], y[h]); \
    }
SCORES_LEVEL2(4, scores_leaf2)
SCORES_LEVEL2(3, scores2_s4)
SCORES_LEVEL2(2, scores2_s3)
SCORES_LEVEL2(1, scores2_s2)
SCORES_LEVEL2(0, scores2_s1)

static inline AVX2 __attribute__((always_inline))
void scores_half_block(const uint16_t *kb, int64_t d, const float *q, const int HB, float scale, float *out,
                       int64_t n, int64_t valid) {
    const int64_t d32 = d & ~(int64_t)31;
    __m256 acc[SCORES_HB2];
    scores2_s0(kb, d, d32, q, HB, 0, acc);
    for (int64_t i = d32; i < d; i++) {
        const __m256 kv = load_f16x8(kb + i * AUGUR_KEY_BLOCK);
        for (int h = 0; h < HB; h++) acc[h] = _mm256_fmadd_ps(kv, _mm256_broadcast_ss(q + h * d + i), acc[h]);
    }
    const __m256 sc = _mm256_set1_ps(scale);
    for (int h = 0; h < HB; h++) {
        const __m256 v = _mm256_mul_ps(acc[h], sc);
        if (valid >= 8) _mm256_storeu_ps(out + h * n, v);
        else {
            float lanes[8];
            _mm256_storeu_ps(lanes, v);
            for (int64_t l = 0; l < valid; l++) out[h * n + l] = lanes[l];
        }
    }
}

AVX2 void augur_scores_f16_avx2(const uint16_t *K, int64_t n, int64_t d, const float *q, int heads, float scale,
                                float *scores) {
    for (int64_t j = 0; j < n; j += 8) {
        const uint16_t *kb = key_row(K, j, d); // positions j … j + 7 of a block
        const int64_t valid = n - j;
        for (int h0 = 0; h0 < heads; h0 += SCORES_HB2) {
            const float *qh = q + h0 * d;
            float *out = scores + h0 * n + j;
            if (heads - h0 >= 2) scores_half_block(kb, d, qh, 2, scale, out, n, valid);
            else scores_half_block(kb, d, qh, 1, scale, out, n, valid);
        }
    }
}

// Attention's value sum: HB (≤ 2) heads × NV (≤ 4) vectors of 8 outputs stay in registers over all positions.
static inline AVX2 __attribute__((always_inline))
void weighted_sum_block_avx2(const float *p, int64_t p_stride, const int HB, const uint16_t *V, int64_t n,
                             int64_t d, int64_t i0, const int NV, float *out, int64_t out_stride) {
    __m256 acc[2][4];
    for (int h = 0; h < HB; h++)
        for (int c = 0; c < NV; c++) acc[h][c] = _mm256_loadu_ps(out + h * out_stride + i0 + 8 * c);
    for (int64_t j = 0; j < n; j++) {
        __m256 v[4];
        for (int c = 0; c < NV; c++) v[c] = load_f16x8(V + j * d + i0 + 8 * c);
        for (int h = 0; h < HB; h++) {
            const __m256 pj = _mm256_broadcast_ss(p + h * p_stride + j);
            for (int c = 0; c < NV; c++) acc[h][c] = _mm256_fmadd_ps(pj, v[c], acc[h][c]);
        }
    }
    for (int h = 0; h < HB; h++)
        for (int c = 0; c < NV; c++) _mm256_storeu_ps(out + h * out_stride + i0 + 8 * c, acc[h][c]);
}

AVX2 void augur_weighted_sum_f16_avx2(const float *p, int64_t p_stride, int heads, const uint16_t *V, int64_t n,
                                      int64_t d, float *out, int64_t out_stride) {
    for (int h0 = 0; h0 < heads; h0 += 2) {
        const float *ph = p + h0 * p_stride;
        float *oh = out + h0 * out_stride;
        const int two = heads - h0 >= 2;
        int64_t i0 = 0;
        for (; i0 + 32 <= d; i0 += 32) {
            if (two) weighted_sum_block_avx2(ph, p_stride, 2, V, n, d, i0, 4, oh, out_stride);
            else weighted_sum_block_avx2(ph, p_stride, 1, V, n, d, i0, 4, oh, out_stride);
        }
        for (; i0 + 8 <= d; i0 += 8) {
            if (two) weighted_sum_block_avx2(ph, p_stride, 2, V, n, d, i0, 1, oh, out_stride);
            else weighted_sum_block_avx2(ph, p_stride, 1, V, n, d, i0, 1, oh, out_stride);
        }
        if (i0 < d) {  // the last d mod 8 outputs, as the twin
            for (int h = 0; h < (two ? 2 : 1); h++)
                for (int64_t i = i0; i < d; i++) {
                    float acc = oh[h * out_stride + i];
                    for (int64_t j = 0; j < n; j++) acc = fmaf(ph[h * p_stride + j], fp16(V[j * d + i]), acc);
                    oh[h * out_stride + i] = acc;
                }
        }
    }
}

AVX2 void augur_f32_to_f16_row_avx2(const float *x, uint16_t *y, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm_storeu_si128((__m128i *)(y + i), _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT));
    for (; i < n; i++) y[i] = f2h(x[i]);
}

// Activation quantization is O(k) per token against the matmul's O(k · rows): the twin is fast
// enough, and sharing it guarantees identical bytes.
void augur_quantize_activation_avx2(int t, const float *x, void *xq, int64_t n) {
    if (augur_vec_dot_type(t) == AUGUR_TYPE_F16) augur_f32_to_f16_row_avx2(x, (uint16_t *)xq, n);
    else augur_quantize_activation_ref(t, x, xq, n);
}

// ---------------------------------------------------------------------------------------------
// 32-element blocks. Lane j of the int32 vector = Σ over elements 4j..4j+3 (maddubs pairs, then
// madd pairs), exactly the twin's lane sums. Signed weights use |w| · sign(x, w) (exact: |x| ≤ 127).

// Decode block b of a row to 32 signed bytes (Q4_0 / Q5_0 / Q8_0) or unsigned (Q4_1).
static inline AVX2 __m256i decode32_avx2(int type, const void *row, int64_t b, float *d, float *m) {
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
        *d = fp16(w->d);
        // (nibble | bit << 4) - 16  ==  nibble | (bit ? 0x00 : 0xF0) as int8
        return _mm256_or_si256(nibbles32(w->qs), _mm256_andnot_si256(bits32(w->qh), _mm256_set1_epi8((char)0xF0)));
    }
    default: { // Q8_0
        const block_q8_0 *w = (const block_q8_0 *)row + b;
        *d = fp16(w->d);
        return _mm256_loadu_si256((const __m256i *)w->qs);
    }
    }
}

// One row against NT ≤ 8 tokens (a constant after inlining, so the accumulators live in
// registers): each weight block is decoded once and dotted with the NT activation blocks; the NT
// blocks' exact sums land in one vector (lane t: token t) for one FMA per block, as the twin (Q4_1:
// 8 lanes per token, ggml's order).
// dxs / sxs: the tokens' block scales (stride G), offset to the tile's first token.
static inline AVX2 __attribute__((always_inline))
void block32_tile_avx2(int type, const void *wrow, int64_t nb, const void *xq, size_t xq_stride, const int NT,
                       const float *dxs, const float *sxs, int G, float *out, int64_t ldo) {
    __m256 acc = _mm256_setzero_ps(), summs = _mm256_setzero_ps(), lanes[8];
    for (int t = 0; t < NT; t++) lanes[t] = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; b++) {
        float dw, mw = 0;
        const __m256i w = decode32_avx2(type, wrow, b, &dw, &mw);
        const __m256i aw = type == AUGUR_TYPE_Q4_1 ? w : _mm256_sign_epi8(w, w);
        const __m256 dv = _mm256_mul_ps(_mm256_set1_ps(dw), _mm256_loadu_ps(dxs + b * G)); // lane t: dw * dx_t
        if (type == AUGUR_TYPE_Q4_1)
            summs = _mm256_add_ps(summs, _mm256_mul_ps(_mm256_set1_ps(mw), _mm256_loadu_ps(sxs + b * G)));
        __m256i s[8];
        for (int t = 0; t < NT; t++) {
            const char *xt = (const char *)xq + (size_t)t * xq_stride;
            __m256i x;
            if (type == AUGUR_TYPE_Q4_1) x = _mm256_loadu_si256((const __m256i *)((const block_q8_1 *)xt + b)->qs);
            else x = _mm256_sign_epi8(_mm256_loadu_si256((const __m256i *)((const block_q8_0 *)xt + b)->qs), w);
            s[t] = _mm256_madd_epi16(_mm256_maddubs_epi16(aw, x), _mm256_set1_epi16(1));
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

static inline AVX2 __attribute__((always_inline))
void mm_block32_avx2(int type, const void *W, size_t row_bytes, int64_t r0, int64_t r1, int64_t k,
                     const void *xq, size_t xq_stride, int ntok, float *out, int64_t ldo) {
    const int64_t nb = k / QK;
#define TILE(nt, xt, t0, o) block32_tile_avx2(type, wrow, nb, xt, xq_stride, nt, dxs + (t0), sxs + (t0), G, o, ldo)
    FOR_TOKEN_TILES(type == AUGUR_TYPE_Q4_1 ? AUGUR_TYPE_Q8_1 : AUGUR_TYPE_Q8_0, TILE)
#undef TILE
}

#define BLOCK32_AVX2(name, type) \
    static AVX2 void name(const void *W, size_t rb, int64_t r0, int64_t r1, int64_t k, const void *xq, \
                          size_t xs, int ntok, float *out, int64_t ldo) { \
        mm_block32_avx2(type, W, rb, r0, r1, k, xq, xs, ntok, out, ldo); \
    }
BLOCK32_AVX2(mm_q4_0_avx2, AUGUR_TYPE_Q4_0)
BLOCK32_AVX2(mm_q4_1_avx2, AUGUR_TYPE_Q4_1)
BLOCK32_AVX2(mm_q5_0_avx2, AUGUR_TYPE_Q5_0)
BLOCK32_AVX2(mm_q8_0_avx2, AUGUR_TYPE_Q8_0)

// ---------------------------------------------------------------------------------------------
// K-quants: exact int32 super-block sums, then the twin's scalar float update.

// Q4_K / Q5_K: q[j] = 32 unsigned quants of sub-block j, scv[j] = its scale in every int16 lane,
// minv = the 8 mins, each twice (pairs with the 16 bsums).
static inline AVX2 void decode_q45_K_avx2(int type, const void *blk, __m256i q[8], __m256i scv[8], __m256i *minv,
                                          float *d, float *dmin) {
    const uint8_t *scales, *qs, *qh = NULL;
    if (type == AUGUR_TYPE_Q4_K) {
        const block_q4_K *w = blk;
        scales = w->scales; qs = w->qs; *d = fp16(w->d); *dmin = fp16(w->dmin);
    } else {
        const block_q5_K *w = blk;
        scales = w->scales; qs = w->qs; qh = w->qh; *d = fp16(w->d); *dmin = fp16(w->dmin);
    }
    uint8_t sc[8];
    unpack_scales_k4(scales, sc, minv);
    for (int j = 0; j < 8; j++) scv[j] = _mm256_set1_epi16(sc[j]);
    const __m256i low = _mm256_set1_epi8(0x0F);
    const __m256i hb = qh ? _mm256_loadu_si256((const __m256i *)qh) : _mm256_setzero_si256();
    for (int h = 0; h < 4; h++) {
        const __m256i v = _mm256_loadu_si256((const __m256i *)(qs + 32 * h));
        q[2 * h] = _mm256_and_si256(v, low);
        q[2 * h + 1] = _mm256_and_si256(_mm256_srli_epi16(v, 4), low);
        if (qh) {
            const __m256i one = _mm256_set1_epi8(1);
            const __m256i b0 = _mm256_and_si256(_mm256_srl_epi16(hb, _mm_cvtsi32_si128(2 * h)), one);
            const __m256i b1 = _mm256_and_si256(_mm256_srl_epi16(hb, _mm_cvtsi32_si128(2 * h + 1)), one);
            q[2 * h] = _mm256_or_si256(q[2 * h], _mm256_slli_epi16(b0, 4));
            q[2 * h + 1] = _mm256_or_si256(q[2 * h + 1], _mm256_slli_epi16(b1, 4));
        }
    }
}

// One row of Q4_K / Q5_K against NT ≤ 8 tokens: exact per-token int32 sums gathered into lane t
// (reduce8_i32), then the twin's float update for all tokens at once, lane-wise.
static inline AVX2 __attribute__((always_inline))
void q45_K_tile_avx2(int type, const void *wrow, int64_t nb, const void *xq, size_t xq_stride, const int NT,
                     const float *xds, int G, float *out, int64_t ldo) {
    const size_t bb = type == AUGUR_TYPE_Q4_K ? sizeof(block_q4_K) : sizeof(block_q5_K);
    __m256 sumv = _mm256_setzero_ps();
    float sum1 = 0;
    for (int64_t b = 0; b < nb; b++) {
        __m256i q[8], scv[8], minv;
        float d, dmin;
        decode_q45_K_avx2(type, (const uint8_t *)wrow + b * bb, q, scv, &minv, &d, &dmin);
        __m256i ai[8], mi[8];
        for (int t = 0; t < 8; t++) {
            if (t >= NT) { ai[t] = mi[t] = _mm256_setzero_si256(); continue; }
            const block_q8_K *x = (const block_q8_K *)TOK(xq, xq_stride, t) + b;
            __m256i acc = _mm256_setzero_si256();
            for (int j = 0; j < 8; j++) {
                const __m256i p = _mm256_maddubs_epi16(q[j], _mm256_loadu_si256((const __m256i *)(x->qs + 32 * j)));
                acc = _mm256_add_epi32(acc, _mm256_madd_epi16(p, scv[j]));
            }
            ai[t] = acc;
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

static AVX2 void mm_q4_K_tiles_avx2(const void *W, size_t row_bytes, int64_t r0, int64_t r1, int64_t k, const void *xq,
                              size_t xq_stride, int ntok, float *out, int64_t ldo) {
    const int64_t nb = k / QK_K;
#define TILE(nt, xt, t0, o) q45_K_tile_avx2(AUGUR_TYPE_Q4_K, wrow, nb, xt, xq_stride, nt, dxs + (t0), G, o, ldo)
    FOR_TOKEN_TILES(AUGUR_TYPE_Q8_K, TILE)
#undef TILE
}

static AVX2 void mm_q5_K_avx2(const void *W, size_t row_bytes, int64_t r0, int64_t r1, int64_t k, const void *xq,
                              size_t xq_stride, int ntok, float *out, int64_t ldo) {
    const int64_t nb = k / QK_K;
#define TILE(nt, xt, t0, o) q45_K_tile_avx2(AUGUR_TYPE_Q5_K, wrow, nb, xt, xq_stride, nt, dxs + (t0), G, o, ldo)
    FOR_TOKEN_TILES(AUGUR_TYPE_Q8_K, TILE)
#undef TILE
}

// Q6_K: u = q + 32 in 0..63 (unsigned for maddubs); Σ sc·q·x = Σ sc·u·x − 32·Σ_g sc[g]·bsums[g].
static inline AVX2 __attribute__((always_inline))
void q6_K_tile_avx2(const void *wrow, int64_t nb, const void *xq, size_t xq_stride, const int NT,
                    const float *xds, int G, float *out, int64_t ldo) {
    __m256 sumv = _mm256_setzero_ps();
    float sum1 = 0;
    for (int64_t b = 0; b < nb; b++) {
        const block_q6_K *w = (const block_q6_K *)wrow + b;
        __m256i u[8], scv[8];
        for (int h = 0; h < 2; h++) unpack_q6_K_half(w, h, u + 4 * h);
        for (int j = 0; j < 8; j++)
            scv[j] = _mm256_setr_m128i(_mm_set1_epi16(w->scales[2 * j]), _mm_set1_epi16(w->scales[2 * j + 1]));
        const __m256i sc16 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)w->scales));
        __m256i ai[8], oi[8];
        for (int t = 0; t < 8; t++) {
            if (t >= NT) { ai[t] = oi[t] = _mm256_setzero_si256(); continue; }
            const block_q8_K *x = (const block_q8_K *)TOK(xq, xq_stride, t) + b;
            __m256i acc = _mm256_setzero_si256();
            for (int j = 0; j < 8; j++) {
                const __m256i p = _mm256_maddubs_epi16(u[j], _mm256_loadu_si256((const __m256i *)(x->qs + 32 * j)));
                acc = _mm256_add_epi32(acc, _mm256_madd_epi16(p, scv[j]));
            }
            ai[t] = acc;
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

static AVX2 void mm_q6_K_tiles_avx2(const void *W, size_t row_bytes, int64_t r0, int64_t r1, int64_t k,
                              const void *xq, size_t xq_stride, int ntok, float *out, int64_t ldo) {
    const int64_t nb = k / QK_K;
#define TILE(nt, xt, t0, o) q6_K_tile_avx2(wrow, nb, xt, xq_stride, nt, dxs + (t0), G, o, ldo)
    FOR_TOKEN_TILES(AUGUR_TYPE_Q8_K, TILE)
#undef TILE
}

// ---------------------------------------------------------------------------------------------
// 8 rows at a time (3+ tokens): see rows8_k.h. Without vpdpbusd, 4-product sums are vpmaddubsw
// (u8 × s8 pairs, exact for u ≤ 63) then vpmaddwd with ones.
#define ROWS8_ATTR AVX2
#define R8(name) name##_avx2
#define ROWS8_DOT4(acc, w, x) _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_maddubs_epi16(w, x), _mm256_set1_epi16(1)))
#define ROWS8_DOT2(acc, a, b) _mm256_add_epi32(acc, _mm256_madd_epi16(a, b))
#define ROWS8_Q4_K_FALLBACK mm_q4_K_tiles_avx2
#define ROWS8_Q6_K_FALLBACK mm_q6_K_tiles_avx2
#include "rows8_k.h"

// ---------------------------------------------------------------------------------------------
// Few tokens (decode, verification): see FEW_TOKENS_K_KERNEL in simd.h. Sub-block scales come from one broadcast
// of the 8 int16 scales and one byte shuffle per sub-block.

#define WB(j) (char)(2 * (j)), (char)(2 * (j) + 1)
#define WB8(j) WB(j), WB(j), WB(j), WB(j), WB(j), WB(j), WB(j), WB(j)
// word_bcast[j]: every int16 lane takes word j of its 128-bit lane.
static const int8_t word_bcast[8][32] = {
    { WB8(0), WB8(0) }, { WB8(1), WB8(1) }, { WB8(2), WB8(2) }, { WB8(3), WB8(3) },
    { WB8(4), WB8(4) }, { WB8(5), WB8(5) }, { WB8(6), WB8(6) }, { WB8(7), WB8(7) },
};
#undef WB8
#undef WB

static inline AVX2 __m256i word_of_lane(__m256i v, int j) {
    return _mm256_shuffle_epi8(v, _mm256_loadu_si256((const __m256i *)word_bcast[j]));
}

// Q4_K super-block unpacked: quants of sub-block j, scale j in every int16 lane, the 8 mins.
typedef struct { __m256i q[8], s[8]; __m128i mn; } q4_K_avx2_dec;

static inline AVX2 void decode_q4_K_few_avx2(const block_q4_K *blk, q4_K_avx2_dec *d) {
    __m128i sc;
    unpack_scales16_k4(blk->scales, &sc, &d->mn);
    const __m256i S = _mm256_broadcastsi128_si256(sc), low = _mm256_set1_epi8(0x0F);
    for (int h = 0; h < 4; h++) {
        const __m256i qv = _mm256_loadu_si256((const __m256i *)(blk->qs + 32 * h));
        d->q[2 * h] = _mm256_and_si256(qv, low);
        d->q[2 * h + 1] = _mm256_and_si256(_mm256_srli_epi16(qv, 4), low);
    }
    for (int j = 0; j < 8; j++) d->s[j] = word_of_lane(S, j);
}

// One token → [4 lanes summing to Σ sc·q·x | 4 lanes summing to Σ mins·bsums].
static inline AVX2 __m256i dot_q4_K_few_avx2(const q4_K_avx2_dec *d, const block_q8_K *xb, __m128i bs2) {
    __m256i acc = _mm256_setzero_si256();
    for (int j = 0; j < 8; j++) {
        const __m256i p = _mm256_maddubs_epi16(d->q[j], _mm256_loadu_si256((const __m256i *)(xb->qs + 32 * j)));
        acc = _mm256_add_epi32(acc, _mm256_madd_epi16(p, d->s[j]));
    }
    const __m128i af = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
    return _mm256_setr_m128i(af, _mm_madd_epi16(d->mn, bs2));
}

// Q6_K super-block unpacked: u = q + 32 per sub-block, the two group scales of sub-block j (low / high
// 128-bit lane) in every int16 lane, and the 16 scales as int16 (for the bsums correction).
typedef struct { __m256i u[8], s[8], sc16; } q6_K_avx2_dec;

static inline AVX2 void decode_q6_K_few_avx2(const block_q6_K *blk, q6_K_avx2_dec *d) {
    const __m128i sc8 = _mm_loadu_si128((const __m128i *)blk->scales);
    // Even groups in the low 128-bit lane, odd groups in the high one: sub-block j's two groups.
    const __m256i scp = _mm256_cvtepi8_epi16(_mm_shuffle_epi8(sc8, _mm_setr_epi8(0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15)));
    for (int h = 0; h < 2; h++) unpack_q6_K_half(blk, h, d->u + 4 * h);
    for (int j = 0; j < 8; j++) d->s[j] = word_of_lane(scp, j);
    d->sc16 = _mm256_cvtepi8_epi16(sc8);
}

// One token → 8 lanes summing to Σ sc·u·x − 32·Σ sc·bsums.
static inline AVX2 __m256i dot_q6_K_few_avx2(const q6_K_avx2_dec *d, const block_q8_K *xb, __m128i unused) {
    (void)unused;
    __m256i acc = _mm256_setzero_si256();
    for (int j = 0; j < 8; j++) {
        const __m256i p = _mm256_maddubs_epi16(d->u[j], _mm256_loadu_si256((const __m256i *)(xb->qs + 32 * j)));
        acc = _mm256_add_epi32(acc, _mm256_madd_epi16(p, d->s[j]));
    }
    const __m256i oi = _mm256_madd_epi16(_mm256_loadu_si256((const __m256i *)xb->bsums), d->sc16);
    return _mm256_sub_epi32(acc, _mm256_slli_epi32(oi, 5));
}

#define DMIN_Q4_K(blk) ((blk)->dmin)
#define NO_DMIN(blk) 0
// On long rows (ffn_down, k = 8960) the 8-row kernel with its group prefetch beats this one from 2 tokens
// (Q4_K: 2 tokens 4.5 vs 5.6–6.0 ms, 5 tokens 5.9 vs 8.7–9.1 in KernelBench); on short rows this one
// stays ahead up to 5 (Q4_K) and 8 (Q6_K) tokens.
FEW_TOKENS_K_KERNEL(mm_q4_K_avx2, AVX2, block_q4_K, 1, DMIN_Q4_K, q4_K_avx2_dec, decode_q4_K_few_avx2,
                    dot_q4_K_few_avx2, (nb >= 16 ? 1 : 5), mm_q4_K_rows8_avx2)
FEW_TOKENS_K_KERNEL(mm_q6_K_avx2, AVX2, block_q6_K, 0, NO_DMIN, q6_K_avx2_dec, decode_q6_K_few_avx2,
                    dot_q6_K_few_avx2, (nb >= 16 ? 2 : 8), mm_q6_K_rows8_avx2)
#undef NO_DMIN
#undef DMIN_Q4_K

// ---------------------------------------------------------------------------------------------
// F32 / F16 weights (rare in the default models: kept simple, one dot per (row, token)).

static AVX2 void mm_f32_avx2(const void *W, size_t row_bytes, int64_t r0, int64_t r1, int64_t k,
                             const void *xq, size_t xq_stride, int ntok, float *out, int64_t ldo) {
    for (int64_t r = r0; r < r1; r++)
        for (int t = 0; t < ntok; t++)
            out[(int64_t)t * ldo + r] = augur_dot_f32_avx2(ROW(W, row_bytes, r), TOK(xq, xq_stride, t), k);
}

static AVX2 void mm_f16_avx2(const void *W, size_t row_bytes, int64_t r0, int64_t r1, int64_t k,
                             const void *xq, size_t xq_stride, int ntok, float *out, int64_t ldo) {
    for (int64_t r = r0; r < r1; r++)
        for (int t = 0; t < ntok; t++)
            out[(int64_t)t * ldo + r] = dot_f16_f16_avx2(ROW(W, row_bytes, r), TOK(xq, xq_stride, t), k);
}

const matmul_set augur_mm_avx2 = {
    .f32 = mm_f32_avx2, .f16 = mm_f16_avx2, .q4_0 = mm_q4_0_avx2, .q4_1 = mm_q4_1_avx2,
    .q5_0 = mm_q5_0_avx2, .q8_0 = mm_q8_0_avx2, .q4_K = mm_q4_K_avx2, .q5_K = mm_q5_K_avx2,
    .q6_K = mm_q6_K_avx2, .q4_K_x8 = mm_q4_K_x8_avx2, .q6_K_x8 = mm_q6_K_x8_avx2,
};

// augur_exp_nonpositive in 8 lanes (the same products and fmas, so the same bits).
static inline AVX2 __m256 exp_nonpositive8(__m256 x) {
    const __m256 live = _mm256_cmp_ps(x, _mm256_set1_ps(-87.0f), _CMP_GE_OQ);
    const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fmadd_ps(n, _mm256_set1_ps(-0.693359375f), x);
    r = _mm256_fmadd_ps(n, _mm256_set1_ps(2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    const __m256 y = _mm256_add_ps(_mm256_fmadd_ps(p, _mm256_mul_ps(r, r), r), _mm256_set1_ps(1.0f));
    const __m256i bits = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_and_ps(live, _mm256_mul_ps(y, _mm256_castsi256_ps(bits)));
}

AVX2 void augur_exp_nonpositive_row_avx2(const float *x, float *y, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, exp_nonpositive8(_mm256_loadu_ps(x + i)));
    for (; i < n; i++) y[i] = augur_exp_nonpositive(x[i]);
}

AVX2 void augur_softmax_f16_avx2(float *s, int64_t n) {
    const int64_t n8 = n - n % 8;
    __m256 mv = _mm256_set1_ps(-INFINITY);
    for (int64_t j = 0; j < n8; j += 8) mv = _mm256_max_ps(_mm256_loadu_ps(s + j), mv); // NaN: keeps mv, as the twin
    float lanes_max[8], maximum = -INFINITY;
    _mm256_storeu_ps(lanes_max, mv);
    for (int i = 0; i < 8; i++) maximum = lanes_max[i] > maximum ? lanes_max[i] : maximum;
    for (int64_t j = n8; j < n; j++) maximum = s[j] > maximum ? s[j] : maximum;
    const __m256 m = _mm256_set1_ps(maximum);
    __m256d lo = _mm256_setzero_pd(), hi = lo; // lanes 0–3, 4–7
    for (int64_t j = 0; j < n8; j += 8) {
        const __m256 e = exp_nonpositive8(_mm256_sub_ps(_mm256_loadu_ps(s + j), m));
        _mm256_storeu_ps(s + j, e);
        lo = _mm256_add_pd(lo, _mm256_cvtps_pd(_mm256_castps256_ps128(e)));
        hi = _mm256_add_pd(hi, _mm256_cvtps_pd(_mm256_extractf128_ps(e, 1)));
    }
    double lanes[8];
    _mm256_storeu_pd(lanes, lo);
    _mm256_storeu_pd(lanes + 4, hi);
    for (int64_t j = n8; j < n; j++) s[j] = augur_exp_nonpositive(s[j] - maximum);
    const float inverse = (float)(1 / augur_softmax_sum_finish(lanes, s, n8, n));
    const __m256 iv = _mm256_set1_ps(inverse);
    int64_t j = 0;
    for (; j < n8; j += 8)
        _mm256_storeu_ps(s + j, _mm256_cvtph_ps(_mm256_cvtps_ph(_mm256_mul_ps(_mm256_loadu_ps(s + j), iv),
                                                                 _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)));
    for (; j < n; j++) s[j] = h2f(f2h(s[j] * inverse));
}

#else // not x86: the twins stand in for every AVX2 entry point.
#include "internal.h"
const matmul_set augur_mm_avx2 = {0};
float augur_dot_f32_avx2(const float *a, const float *b, int64_t n) { return augur_dot_f32_ref(a, b, n); }
void augur_axpy_f32_avx2(float a, const float *x, float *y, int64_t n) { augur_axpy_f32_ref(a, x, y, n); }
float augur_dot_f16_f32_avx2(const uint16_t *a, const float *b, int64_t n) { return augur_dot_f16_f32_ref(a, b, n); }
void augur_axpy_f16_f32_avx2(float a, const uint16_t *x, float *y, int64_t n) { augur_axpy_f16_f32_ref(a, x, y, n); }
void augur_f32_to_f16_row_avx2(const float *x, uint16_t *y, int64_t n) { augur_f32_to_f16_row_ref(x, y, n); }
void augur_weighted_sum_f16_avx2(const float *p, int64_t ps, int heads, const uint16_t *V, int64_t n, int64_t d,
                                 float *out, int64_t os) { augur_weighted_sum_f16_ref(p, ps, heads, V, n, d, out, os); }
void augur_scores_f16_avx2(const uint16_t *K, int64_t n, int64_t d, const float *q, int heads, float scale,
                           float *scores) { augur_scores_f16_ref(K, n, d, q, heads, scale, scores); }
void augur_quantize_activation_avx2(int t, const float *x, void *xq, int64_t n) { augur_quantize_activation_ref(t, x, xq, n); }
void augur_softmax_f16_avx2(float *s, int64_t n) { augur_softmax_f16_ref(s, n); }
void augur_exp_nonpositive_row_avx2(const float *x, float *y, int64_t n) { augur_exp_nonpositive_row_ref(x, y, n); }
#endif

