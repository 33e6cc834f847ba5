// scalar.c — the reference twins: activation quantizers, dequantizers, f32 helpers and one
// matmul per weight type. Plain C, no intrinsics. The SIMD files must reproduce these bit for bit.
#include "internal.h"

// ---------------------------------------------------------------------------------------------
// f32 helpers. Dot products use 32 lane accumulators (lane = i mod 32), reduced as
// (lanes 0-7 + lanes 16-23) + (lanes 8-15 + lanes 24-31) and then hsum8_ref; a tail of n mod 32
// elements is added sequentially with fmaf.

static inline float hsum32_ref(const float acc[32]) {
    float w[8];
    for (int l = 0; l < 8; l++) w[l] = (acc[l] + acc[l + 16]) + (acc[l + 8] + acc[l + 24]);
    return hsum8_ref(w);
}

float augur_dot_f32_ref(const float *a, const float *b, int64_t n) {
    float acc[32] = {0};
    int64_t n32 = n & ~(int64_t)31, i = 0;
    for (; i < n32; i++) acc[i & 31] = fmaf(a[i], b[i], acc[i & 31]);
    float s = hsum32_ref(acc);
    for (; i < n; i++) s = fmaf(a[i], b[i], s);
    return s;
}

// dot_f16_f32's order over halves `stride` apart (1: a row; AUGUR_KEY_BLOCK: a cached key, see key_row).
static float dot_f16_f32_strided_ref(const uint16_t *a, int64_t stride, const float *b, int64_t n) {
    float acc[32] = {0};
    int64_t n32 = n & ~(int64_t)31, i = 0;
    for (; i < n32; i++) acc[i & 31] = fmaf(h2f(a[i * stride]), b[i], acc[i & 31]);
    float s = hsum32_ref(acc);
    for (; i < n; i++) s = fmaf(h2f(a[i * stride]), b[i], s);
    return s;
}

float augur_dot_f16_f32_ref(const uint16_t *a, const float *b, int64_t n) { return dot_f16_f32_strided_ref(a, 1, b, n); }

static float dot_f16_f16_ref(const uint16_t *a, const uint16_t *b, int64_t n) {
    float acc[32] = {0};
    int64_t n32 = n & ~(int64_t)31, i = 0;
    for (; i < n32; i++) acc[i & 31] = fmaf(h2f(a[i]), h2f(b[i]), acc[i & 31]);
    float s = hsum32_ref(acc);
    for (; i < n; i++) s = fmaf(h2f(a[i]), h2f(b[i]), s);
    return s;
}

void augur_axpy_f32_ref(float a, const float *x, float *y, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] = fmaf(a, x[i], y[i]);
}

void augur_axpy_f16_f32_ref(float a, const uint16_t *x, float *y, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] = fmaf(a, h2f(x[i]), y[i]);
}

void augur_scores_f16_ref(const uint16_t *K, int64_t n, int64_t d, const float *q, int heads, float scale,
                          float *scores) {
    for (int64_t j = 0; j < n; j++)
        for (int h = 0; h < heads; h++)
            scores[h * n + j] = dot_f16_f32_strided_ref(key_row(K, j, d), AUGUR_KEY_BLOCK, q + h * d, d) * scale;
}

// Cephes' expf constants: ln 2 split in two (c1 exact in 9 bits), the polynomial for e^r − 1 − r on |r| ≤ ln 2 / 2.
float augur_exp_nonpositive(float x) {
    if (!(x >= -87.0f)) return 0.0f; // below FLT_MIN's exponent (and NaN): 0, as the vector kernels
    const float t = x * 1.44269504088896341f;
    const float n = nearbyintf(t); // round to nearest even (the default mode), as vroundps / vrndscaleps
    float r = fmaf(n, -0.693359375f, x);
    r = fmaf(n, 2.12194440e-4f, r);
    float p = 1.9875691500e-4f;
    p = fmaf(p, r, 1.3981999507e-3f);
    p = fmaf(p, r, 8.3334519073e-3f);
    p = fmaf(p, r, 4.1665795894e-2f);
    p = fmaf(p, r, 1.6666665459e-1f);
    p = fmaf(p, r, 5.0000001201e-1f);
    const float z = r * r;
    float y = fmaf(p, z, r);
    y = y + 1.0f;
    const int32_t bits = ((int32_t)n + 127) << 23; // 2^n, n in −126 … 0
    float scale;
    memcpy(&scale, &bits, 4);
    return y * scale;
}

void augur_exp_nonpositive_row_ref(const float *x, float *y, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] = augur_exp_nonpositive(x[i]);
}

double augur_softmax_sum_finish(const double lanes[8], const float *e, int64_t n8, int64_t n) {
    double sum = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
    for (int64_t j = n8; j < n; j++) sum += (double)e[j];
    return sum;
}

void augur_softmax_f16_ref(float *s, int64_t n) {
    float maximum = -INFINITY;
    for (int64_t j = 0; j < n; j++) maximum = s[j] > maximum ? s[j] : maximum;
    const int64_t n8 = n - n % 8;
    double lanes[8] = { 0 };
    for (int64_t j = 0; j < n; j++) {
        s[j] = augur_exp_nonpositive(s[j] - maximum);
        if (j < n8) lanes[j % 8] += (double)s[j];
    }
    const float inverse = (float)(1 / augur_softmax_sum_finish(lanes, s, n8, n));
    for (int64_t j = 0; j < n; j++) s[j] = h2f(f2h(s[j] * inverse));
}

void augur_weighted_sum_f16_ref(const float *p, int64_t p_stride, int heads, const uint16_t *V, int64_t n,
                                int64_t d, float *out, int64_t out_stride) {
    for (int h = 0; h < heads; h++)
        for (int64_t i = 0; i < d; i++) {
            float acc = out[h * out_stride + i];
            for (int64_t j = 0; j < n; j++) acc = fmaf(p[h * p_stride + j], h2f(V[j * d + i]), acc);
            out[h * out_stride + i] = acc;
        }
}

void augur_f32_to_f16_row_ref(const float *x, uint16_t *y, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] = f2h(x[i]);
}

// ---------------------------------------------------------------------------------------------
// Activation quantizers (ggml's x86 behaviour).

// ggml's nearest_int: round half to even through the float adder (|f| < 2^22).
static inline int nearest_int(float f) {
    float v = f + 12582912.f;
    int32_t i;
    memcpy(&i, &v, 4);
    return (i & 0x007fffff) - 0x00400000;
}

// ggml quantize_row_q8_0 / q8_1 (AVX path): d = amax/127, q = round_half_even(x * (127/amax)).
static void quantize_q8_0_or_1(const float *x, void *vy, int64_t n, int with_sum) {
    const int64_t nb = n / QK;
    for (int64_t i = 0; i < nb; i++, x += QK) {
        float amax = 0.0f;
        for (int j = 0; j < QK; j++) {
            float a = fabsf(x[j]);
            amax = a > amax ? a : amax;
        }
        const float d = amax / 127.f;
        const float id = amax != 0.0f ? 127.f / amax : 0.0f;
        int8_t *qs;
        if (with_sum) {
            block_q8_1 *y = (block_q8_1 *)vy + i;
            y->d = f2h(d);
            qs = y->qs;
        } else {
            block_q8_0 *y = (block_q8_0 *)vy + i;
            y->d = f2h(d);
            qs = y->qs;
        }
        int sum = 0;
        for (int j = 0; j < QK; j++) {
            float v = nearbyintf(x[j] * id); // default rounding mode: half to even
            // NaN and values outside int32 (an infinite or subnormal amax) convert to INT_MIN as vcvtps2dq
            // does (ggml's AVX path), i.e. -128 after the clamp; a C cast would be undefined there.
            int q = fabsf(v) < 2147483648.f ? (int)v : INT32_MIN;
            q = q > 127 ? 127 : (q < -128 ? -128 : q);
            qs[j] = (int8_t)q;
            sum += q;
        }
        if (with_sum) ((block_q8_1 *)vy)[i].s = f2h(d * (float)sum);
    }
}

// ggml quantize_row_q8_K_ref: the element of largest magnitude maps to -127.
static void quantize_q8_K(const float *x, block_q8_K *y, int64_t n) {
    const int64_t nb = n / QK_K;
    for (int64_t i = 0; i < nb; i++, x += QK_K) {
        float max = 0, amax = 0;
        for (int j = 0; j < QK_K; j++) {
            float ax = fabsf(x[j]);
            if (ax > amax) { amax = ax; max = x[j]; }
        }
        if (amax == 0) {
            memset(&y[i], 0, sizeof(block_q8_K));
            continue;
        }
        const float iscale = -127.f / max;
        for (int j = 0; j < QK_K; j++) {
            int v = nearest_int(iscale * x[j]);
            y[i].qs[j] = (int8_t)(v < 127 ? v : 127);
        }
        for (int j = 0; j < QK_K / 16; j++) {
            int s = 0;
            for (int l = 0; l < 16; l++) s += y[i].qs[16 * j + l];
            y[i].bsums[j] = (int16_t)s;
        }
        y[i].d = 1 / iscale;
    }
}

void augur_quantize_activation_ref(int weight_type, const float *x, void *xq, int64_t n) {
    switch (augur_vec_dot_type(weight_type)) {
    case AUGUR_TYPE_F32: memcpy(xq, x, (size_t)n * sizeof(float)); break;
    case AUGUR_TYPE_F16: augur_f32_to_f16_row_ref(x, (uint16_t *)xq, n); break;
    case AUGUR_TYPE_Q8_0: quantize_q8_0_or_1(x, xq, n, 0); break;
    case AUGUR_TYPE_Q8_1: quantize_q8_0_or_1(x, xq, n, 1); break;
    case AUGUR_TYPE_Q8_K: quantize_q8_K(x, (block_q8_K *)xq, n); break;
    default: break;
    }
}

// ---------------------------------------------------------------------------------------------
// Decoders: one weight block to integers (shared by dequantize and the scalar matmuls).

// 32-element blocks: signed values w[e] (Q4_0, Q5_0, Q8_0) or unsigned 0..31 (Q4_1, Q5_1),
// element order as ggml: byte j holds elements j (low nibble) and j+16 (high nibble).
static void decode32(int type, const void *blk, int w[QK], float *d, float *m) {
    *m = 0;
    switch (type) {
    case AUGUR_TYPE_Q4_0: {
        const block_q4_0 *b = blk;
        *d = h2f(b->d);
        for (int j = 0; j < 16; j++) { w[j] = (b->qs[j] & 15) - 8; w[j + 16] = (b->qs[j] >> 4) - 8; }
        break;
    }
    case AUGUR_TYPE_Q4_1: {
        const block_q4_1 *b = blk;
        *d = h2f(b->d); *m = h2f(b->m);
        for (int j = 0; j < 16; j++) { w[j] = b->qs[j] & 15; w[j + 16] = b->qs[j] >> 4; }
        break;
    }
    case AUGUR_TYPE_Q5_0: {
        const block_q5_0 *b = blk;
        uint32_t qh;
        memcpy(&qh, b->qh, 4);
        *d = h2f(b->d);
        for (int j = 0; j < 16; j++) {
            w[j] = ((b->qs[j] & 15) | (((qh >> j) & 1) << 4)) - 16;
            w[j + 16] = ((b->qs[j] >> 4) | (((qh >> (j + 16)) & 1) << 4)) - 16;
        }
        break;
    }
    case AUGUR_TYPE_Q5_1: {
        const block_q5_1 *b = blk;
        uint32_t qh;
        memcpy(&qh, b->qh, 4);
        *d = h2f(b->d); *m = h2f(b->m);
        for (int j = 0; j < 16; j++) {
            w[j] = (b->qs[j] & 15) | (((qh >> j) & 1) << 4);
            w[j + 16] = (b->qs[j] >> 4) | (((qh >> (j + 16)) & 1) << 4);
        }
        break;
    }
    case AUGUR_TYPE_Q8_0: {
        const block_q8_0 *b = blk;
        *d = h2f(b->d);
        for (int j = 0; j < QK; j++) w[j] = b->qs[j];
        break;
    }
    }
}

// K-quant super-blocks: q[256] and per-sub-block scale/min.
// Q4_K/Q5_K: q in 0..15 / 0..31, 8 sub-blocks of 32, x = d*sc[j]*q - dmin*mn[j].
// Q6_K: q in -32..31, 16 groups of 16, x = d*sc[g]*q.
static void decode_q4_K(const block_q4_K *b, int q[QK_K], int sc[8], int mn[8]) {
    for (int j = 0; j < 8; j++) {
        uint8_t s, m;
        scale_min_k4(j, b->scales, &s, &m);
        sc[j] = s; mn[j] = m;
    }
    for (int h = 0; h < 4; h++)
        for (int l = 0; l < 32; l++) {
            q[64 * h + l] = b->qs[32 * h + l] & 15;
            q[64 * h + 32 + l] = b->qs[32 * h + l] >> 4;
        }
}

static void decode_q5_K(const block_q5_K *b, int q[QK_K], int sc[8], int mn[8]) {
    for (int j = 0; j < 8; j++) {
        uint8_t s, m;
        scale_min_k4(j, b->scales, &s, &m);
        sc[j] = s; mn[j] = m;
    }
    for (int h = 0; h < 4; h++)
        for (int l = 0; l < 32; l++) {
            q[64 * h + l] = (b->qs[32 * h + l] & 15) | (((b->qh[l] >> (2 * h)) & 1) << 4);
            q[64 * h + 32 + l] = (b->qs[32 * h + l] >> 4) | (((b->qh[l] >> (2 * h + 1)) & 1) << 4);
        }
}

static void decode_q6_K(const block_q6_K *b, int q[QK_K], int sc[16]) {
    for (int g = 0; g < 16; g++) sc[g] = b->scales[g];
    for (int h = 0; h < 2; h++) {
        const uint8_t *ql = b->ql + 64 * h, *qh = b->qh + 32 * h;
        int *y = q + 128 * h;
        for (int l = 0; l < 32; l++) {
            y[l]      = ((ql[l] & 15)      | (((qh[l] >> 0) & 3) << 4)) - 32;
            y[l + 32] = ((ql[l + 32] & 15) | (((qh[l] >> 2) & 3) << 4)) - 32;
            y[l + 64] = ((ql[l] >> 4)      | (((qh[l] >> 4) & 3) << 4)) - 32;
            y[l + 96] = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Dequantize

static size_t block_bytes(int type) {
    switch (type) {
    case AUGUR_TYPE_Q4_0: case AUGUR_TYPE_Q4_0_X16: return sizeof(block_q4_0); // repacked: bytes per row
    case AUGUR_TYPE_Q4_1: return sizeof(block_q4_1);
    case AUGUR_TYPE_Q5_0: case AUGUR_TYPE_Q5_0_X16: return sizeof(block_q5_0);
    case AUGUR_TYPE_Q5_1: return sizeof(block_q5_1);
    case AUGUR_TYPE_Q8_0: case AUGUR_TYPE_Q8_0_X16: return sizeof(block_q8_0);
    case AUGUR_TYPE_Q8_1: return sizeof(block_q8_1);
    case AUGUR_TYPE_Q4_K: case AUGUR_TYPE_Q4_K_X8: return sizeof(block_q4_K); // repacked: bytes per row
    case AUGUR_TYPE_Q5_K: return sizeof(block_q5_K);
    case AUGUR_TYPE_Q6_K: case AUGUR_TYPE_Q6_K_X8: return sizeof(block_q6_K);
    case AUGUR_TYPE_Q8_K: return sizeof(block_q8_K);
    case AUGUR_TYPE_F32: return 4;
    case AUGUR_TYPE_F16: case AUGUR_TYPE_BF16: return 2;
    default: return 0;
    }
}

int64_t augur_block_size(int type) {
    switch (type) {
    case AUGUR_TYPE_F32: case AUGUR_TYPE_F16: case AUGUR_TYPE_BF16: return 1;
    case AUGUR_TYPE_Q4_0: case AUGUR_TYPE_Q4_1: case AUGUR_TYPE_Q5_0: case AUGUR_TYPE_Q5_1:
    case AUGUR_TYPE_Q8_0: case AUGUR_TYPE_Q8_1:
    case AUGUR_TYPE_Q4_0_X16: case AUGUR_TYPE_Q5_0_X16: case AUGUR_TYPE_Q8_0_X16: return QK;
    case AUGUR_TYPE_Q4_K: case AUGUR_TYPE_Q5_K: case AUGUR_TYPE_Q6_K: case AUGUR_TYPE_Q8_K:
    case AUGUR_TYPE_Q4_K_X8: case AUGUR_TYPE_Q6_K_X8: return QK_K;
    default: return 0;
    }
}

size_t augur_row_bytes(int type, int64_t n) {
    int64_t bs = augur_block_size(type);
    return bs ? (size_t)(n / bs) * block_bytes(type) : 0;
}

int augur_type_dequantizable(int type) {
    return type != AUGUR_TYPE_Q2_K && type != AUGUR_TYPE_Q3_K && augur_repack_rows(type) == 0 &&
           augur_block_size(type) != 0;
}

void augur_dequantize_row(int type, const void *src, float *dst, int64_t n) {
    const uint8_t *p = src;
    switch (type) {
    case AUGUR_TYPE_F32: memcpy(dst, src, (size_t)n * 4); return;
    case AUGUR_TYPE_F16:
        for (int64_t i = 0; i < n; i++) dst[i] = h2f(((const uint16_t *)src)[i]);
        return;
    case AUGUR_TYPE_BF16:
        for (int64_t i = 0; i < n; i++) {
            uint32_t bits = (uint32_t)((const uint16_t *)src)[i] << 16;
            memcpy(&dst[i], &bits, 4);
        }
        return;
    case AUGUR_TYPE_Q4_0: case AUGUR_TYPE_Q4_1: case AUGUR_TYPE_Q5_0: case AUGUR_TYPE_Q5_1:
    case AUGUR_TYPE_Q8_0:
        for (int64_t i = 0; i < n / QK; i++, p += block_bytes(type), dst += QK) {
            int w[QK];
            float d, m;
            decode32(type, p, w, &d, &m);
            for (int j = 0; j < QK; j++) dst[j] = (float)w[j] * d + m;
        }
        return;
    case AUGUR_TYPE_Q8_1:
        for (int64_t i = 0; i < n / QK; i++, dst += QK) {
            const block_q8_1 *b = (const block_q8_1 *)src + i;
            for (int j = 0; j < QK; j++) dst[j] = (float)b->qs[j] * h2f(b->d);
        }
        return;
    case AUGUR_TYPE_Q8_K:
        for (int64_t i = 0; i < n / QK_K; i++, dst += QK_K) {
            const block_q8_K *b = (const block_q8_K *)src + i;
            for (int j = 0; j < QK_K; j++) dst[j] = b->d * (float)b->qs[j];
        }
        return;
    case AUGUR_TYPE_Q4_K: case AUGUR_TYPE_Q5_K:
        for (int64_t i = 0; i < n / QK_K; i++, dst += QK_K) {
            int q[QK_K], sc[8], mn[8];
            float d, dmin;
            if (type == AUGUR_TYPE_Q4_K) {
                const block_q4_K *b = (const block_q4_K *)src + i;
                decode_q4_K(b, q, sc, mn); d = h2f(b->d); dmin = h2f(b->dmin);
            } else {
                const block_q5_K *b = (const block_q5_K *)src + i;
                decode_q5_K(b, q, sc, mn); d = h2f(b->d); dmin = h2f(b->dmin);
            }
            for (int j = 0; j < 8; j++) {
                const float d1 = d * (float)sc[j], m1 = dmin * (float)mn[j];
                for (int l = 0; l < 32; l++) dst[32 * j + l] = d1 * (float)q[32 * j + l] - m1;
            }
        }
        return;
    case AUGUR_TYPE_Q6_K:
        for (int64_t i = 0; i < n / QK_K; i++, dst += QK_K) {
            const block_q6_K *b = (const block_q6_K *)src + i;
            int q[QK_K], sc[16];
            decode_q6_K(b, q, sc);
            const float d = h2f(b->d);
            for (int e = 0; e < QK_K; e++) dst[e] = d * (float)sc[e / 16] * (float)q[e];
        }
        return;
    default:
        return;
    }
}

// ---------------------------------------------------------------------------------------------
// Matmul twins. Contract per (row, token):
//  * 32-element blocks (Q4_0, Q5_0, Q8_0): the block's integer sum is exact; for every block b in order
//      acc = fmaf(d_w(b) * d_x(b), (float)Σ_{e<32} w[e]*x[e], acc);   result = acc.
//  * Q4_1 (ggml's AVX2 order, bitwise): lane j (0..7) of 8 float accumulators takes, for every block b,
//      acc[j] = fmaf(d_w(b) * d_x(b), (float)Σ_{e=4j}^{4j+3} w[e]*x[e], acc[j]);
//    result = hsum8_ref(acc) + Σ_b m_w(b) * s_x(b) (summed sequentially). Kept apart: SmolLM2 (Q4_1) is
//    sensitive enough that the exact block sums moved its logits by up to 1.4 from llama.cpp's (0.8 between
//    llama.cpp's own batch and decode paths).
//  * K-quants: the super-block's integer sums are exact; per super-block in order
//      Q4_K/Q5_K: sum = sum + ((d_w*d_x)*(float)isum - (dmin_w*d_x)*(float)isumm)
//      Q6_K:      sum = sum + (d_w*d_x)*(float)isum
//  * F32/F16: augur_dot_f32's 32-lane order.

#define ROW(W, rb, r) ((const void *)((const char *)(W) + (size_t)(r) * (rb)))
#define TOK(X, st, t) ((const void *)((const char *)(X) + (size_t)(t) * (st)))

// `type` may be a 16-row repacked type: each block is then un-repacked from its group first.
static void mm_block32_ref(int type, const void *W, size_t row_bytes, int64_t r0, int64_t r1, int64_t k,
                           const void *xq, size_t xq_stride, int ntok, float *out, int64_t ldo) {
    const int64_t nb = k / QK;
    const size_t bb = block_bytes(type);
    const int x16 = augur_repack_rows(type) == 16;
    const int base = type == AUGUR_TYPE_Q4_0_X16 ? AUGUR_TYPE_Q4_0 : type == AUGUR_TYPE_Q5_0_X16 ? AUGUR_TYPE_Q5_0
                   : type == AUGUR_TYPE_Q8_0_X16 ? AUGUR_TYPE_Q8_0 : type;
    uint8_t unpacked[sizeof(block_q8_0)];
    for (int64_t r = r0; r < r1; r++) {
        const uint8_t *wrow = ROW(W, row_bytes, r);
        const uint8_t *group = ROW(W, row_bytes, r & ~(int64_t)15);
        for (int t = 0; t < ntok; t++) {
            const void *xt = TOK(xq, xq_stride, t);
            float acc = 0, lanes[8] = {0}, summs = 0;
            for (int64_t b = 0; b < nb; b++) {
                int w[QK];
                float dw, mw, dx, sx = 0;
                const int8_t *qx;
                if (x16) {
                    augur_unrepack_b32(type, group + (size_t)b * 16 * bb, (int)(r & 15), unpacked);
                    decode32(base, unpacked, w, &dw, &mw);
                } else {
                    decode32(type, wrow + b * bb, w, &dw, &mw);
                }
                if (type == AUGUR_TYPE_Q4_1) {
                    const block_q8_1 *x = (const block_q8_1 *)xt + b;
                    dx = h2f(x->d); sx = h2f(x->s); qx = x->qs;
                } else {
                    const block_q8_0 *x = (const block_q8_0 *)xt + b;
                    dx = h2f(x->d); qx = x->qs;
                }
                if (type == AUGUR_TYPE_Q4_1) {
                    const float d = dw * dx;
                    for (int j = 0; j < 8; j++) {
                        int s = 0;
                        for (int e = 4 * j; e < 4 * j + 4; e++) s += w[e] * qx[e];
                        lanes[j] = fmaf(d, (float)s, lanes[j]);
                    }
                    summs = summs + mw * sx;
                } else {
                    int32_t isum = 0;
                    for (int e = 0; e < QK; e++) isum += w[e] * qx[e];
                    acc = fmaf(dw * dx, (float)isum, acc);
                }
            }
            float res = type == AUGUR_TYPE_Q4_1 ? hsum8_ref(lanes) : acc;
            if (type == AUGUR_TYPE_Q4_1) res = res + summs;
            out[(int64_t)t * ldo + r] = res;
        }
    }
}

#define BLOCK32_TWIN(name, type) \
    static void name(const void *W, size_t rb, int64_t r0, int64_t r1, int64_t k, const void *xq, \
                     size_t xs, int ntok, float *out, int64_t ldo) { \
        mm_block32_ref(type, W, rb, r0, r1, k, xq, xs, ntok, out, ldo); \
    }
BLOCK32_TWIN(mm_q4_0_ref, AUGUR_TYPE_Q4_0)
BLOCK32_TWIN(mm_q4_1_ref, AUGUR_TYPE_Q4_1)
BLOCK32_TWIN(mm_q5_0_ref, AUGUR_TYPE_Q5_0)
BLOCK32_TWIN(mm_q8_0_ref, AUGUR_TYPE_Q8_0)
BLOCK32_TWIN(mm_q4_0_x16_ref, AUGUR_TYPE_Q4_0_X16)
BLOCK32_TWIN(mm_q5_0_x16_ref, AUGUR_TYPE_Q5_0_X16)
BLOCK32_TWIN(mm_q8_0_x16_ref, AUGUR_TYPE_Q8_0_X16)

static void mm_q45_K_ref(int type, const void *W, size_t row_bytes, int64_t r0, int64_t r1, int64_t k,
                         const void *xq, size_t xq_stride, int ntok, float *out, int64_t ldo) {
    const int64_t nb = k / QK_K;
    for (int64_t r = r0; r < r1; r++) {
        for (int t = 0; t < ntok; t++) {
            const block_q8_K *x = TOK(xq, xq_stride, t);
            float sum = 0;
            for (int64_t b = 0; b < nb; b++) {
                int q[QK_K], sc[8], mn[8];
                float dw, dminw;
                if (type == AUGUR_TYPE_Q4_K || type == AUGUR_TYPE_Q4_K_X8) {
                    block_q4_K unpacked;
                    const block_q4_K *w = (const block_q4_K *)ROW(W, row_bytes, r) + b;
                    if (type == AUGUR_TYPE_Q4_K_X8) { // row r's block, out of its group's interleave
                        augur_unrepack_q4_K((const block_q4_Kx8 *)ROW(W, row_bytes, r & ~(int64_t)7) + b, (int)(r & 7), &unpacked);
                        w = &unpacked;
                    }
                    decode_q4_K(w, q, sc, mn); dw = h2f(w->d); dminw = h2f(w->dmin);
                } else {
                    const block_q5_K *w = (const block_q5_K *)ROW(W, row_bytes, r) + b;
                    decode_q5_K(w, q, sc, mn); dw = h2f(w->d); dminw = h2f(w->dmin);
                }
                int32_t isum = 0, isumm = 0;
                for (int j = 0; j < 8; j++) {
                    int32_t s = 0;
                    for (int l = 0; l < 32; l++) s += q[32 * j + l] * x[b].qs[32 * j + l];
                    isum += sc[j] * s;
                    isumm += mn[j] * (x[b].bsums[2 * j] + x[b].bsums[2 * j + 1]);
                }
                sum = sum + ((dw * x[b].d) * (float)isum - (dminw * x[b].d) * (float)isumm);
            }
            out[(int64_t)t * ldo + r] = sum;
        }
    }
}

static void mm_q4_K_ref(const void *W, size_t rb, int64_t r0, int64_t r1, int64_t k, const void *xq,
                        size_t xs, int ntok, float *out, int64_t ldo) {
    mm_q45_K_ref(AUGUR_TYPE_Q4_K, W, rb, r0, r1, k, xq, xs, ntok, out, ldo);
}

static void mm_q5_K_ref(const void *W, size_t rb, int64_t r0, int64_t r1, int64_t k, const void *xq,
                        size_t xs, int ntok, float *out, int64_t ldo) {
    mm_q45_K_ref(AUGUR_TYPE_Q5_K, W, rb, r0, r1, k, xq, xs, ntok, out, ldo);
}

static void mm_q6_K_any_ref(int x8, const void *W, size_t row_bytes, int64_t r0, int64_t r1, int64_t k,
                            const void *xq, size_t xq_stride, int ntok, float *out, int64_t ldo) {
    const int64_t nb = k / QK_K;
    for (int64_t r = r0; r < r1; r++) {
        for (int t = 0; t < ntok; t++) {
            const block_q8_K *x = TOK(xq, xq_stride, t);
            float sum = 0;
            for (int64_t b = 0; b < nb; b++) {
                block_q6_K unpacked;
                const block_q6_K *w = (const block_q6_K *)ROW(W, row_bytes, r) + b;
                if (x8) { // row r's block, out of its group's interleave
                    augur_unrepack_q6_K((const block_q6_Kx8 *)ROW(W, row_bytes, r & ~(int64_t)7) + b, (int)(r & 7), &unpacked);
                    w = &unpacked;
                }
                int q[QK_K], sc[16];
                decode_q6_K(w, q, sc);
                int32_t isum = 0;
                for (int g = 0; g < 16; g++) {
                    int32_t s = 0;
                    for (int l = 0; l < 16; l++) s += q[16 * g + l] * x[b].qs[16 * g + l];
                    isum += sc[g] * s;
                }
                sum = sum + (h2f(w->d) * x[b].d) * (float)isum;
            }
            out[(int64_t)t * ldo + r] = sum;
        }
    }
}

static void mm_q6_K_ref(const void *W, size_t rb, int64_t r0, int64_t r1, int64_t k, const void *xq,
                        size_t xs, int ntok, float *out, int64_t ldo) {
    mm_q6_K_any_ref(0, W, rb, r0, r1, k, xq, xs, ntok, out, ldo);
}

// The repacked twins: each block un-repacked, then the original twin's arithmetic.
static void mm_q4_K_x8_ref(const void *W, size_t rb, int64_t r0, int64_t r1, int64_t k, const void *xq,
                           size_t xs, int ntok, float *out, int64_t ldo) {
    mm_q45_K_ref(AUGUR_TYPE_Q4_K_X8, W, rb, r0, r1, k, xq, xs, ntok, out, ldo);
}

static void mm_q6_K_x8_ref(const void *W, size_t rb, int64_t r0, int64_t r1, int64_t k, const void *xq,
                           size_t xs, int ntok, float *out, int64_t ldo) {
    mm_q6_K_any_ref(1, W, rb, r0, r1, k, xq, xs, ntok, out, ldo);
}

static void mm_f32_ref(const void *W, size_t row_bytes, int64_t r0, int64_t r1, int64_t k,
                       const void *xq, size_t xq_stride, int ntok, float *out, int64_t ldo) {
    for (int64_t r = r0; r < r1; r++)
        for (int t = 0; t < ntok; t++)
            out[(int64_t)t * ldo + r] = augur_dot_f32_ref(ROW(W, row_bytes, r), TOK(xq, xq_stride, t), k);
}

static void mm_f16_ref(const void *W, size_t row_bytes, int64_t r0, int64_t r1, int64_t k,
                       const void *xq, size_t xq_stride, int ntok, float *out, int64_t ldo) {
    for (int64_t r = r0; r < r1; r++)
        for (int t = 0; t < ntok; t++)
            out[(int64_t)t * ldo + r] = dot_f16_f16_ref(ROW(W, row_bytes, r), TOK(xq, xq_stride, t), k);
}

const matmul_set augur_mm_scalar = {
    .f32 = mm_f32_ref, .f16 = mm_f16_ref, .q4_0 = mm_q4_0_ref, .q4_1 = mm_q4_1_ref,
    .q5_0 = mm_q5_0_ref, .q8_0 = mm_q8_0_ref, .q4_K = mm_q4_K_ref, .q5_K = mm_q5_K_ref,
    .q6_K = mm_q6_K_ref, .q4_K_x8 = mm_q4_K_x8_ref, .q6_K_x8 = mm_q6_K_x8_ref,
    .q4_0_x16 = mm_q4_0_x16_ref, .q5_0_x16 = mm_q5_0_x16_ref, .q8_0_x16 = mm_q8_0_x16_ref,
};
