// rows16_b32.h — AVX-512 VNNI kernels for 32-element blocks repacked 16 rows at a time (Q4_0 / Q5_0 / Q8_0
// _X16; block_q8_0x16 … in internal.h). Included by avx512.c.
//
// One zmm holds the same 4 quants of 16 rows (lane i = row i), so a token's quad is a broadcast and vpdpbusd
// accumulates 16 rows' dot products at once; the block's exact integer sum per row then takes one FMA per
// block and token, as the twin (acc = fma(d_w · d_x, isum, acc)). vpdpbusd wants unsigned weights: u = w + C
// (Q8_0: w xor 0x80, C = 128; Q4_0: the nibble, C = 8; Q5_0: nibble | high bit << 4, C = 16), and
// Σ u·x − C·Σ x = Σ w·x exactly, the −C·Σ x seeding the accumulator.

// From 2 tokens each block's bytes are prefetched B32X16_PREFETCH_BYTES ahead into L2 (T1; into L1 the
// prefetches hold the L1 miss buffers for the whole trip to DRAM, see rows8_k.h). Two threads, 99 MB of Q5_0 /
// 152 MB of Q8_0 (KernelBench, 2026-11-27): Q5_0 8 tokens 5.3–5.6 → 4.2 ms, 16 tokens 11.4–11.7 → 8.2–8.3;
// Q8_0 8 tokens 6.7–8.2 → 4.6–5.2, 16 tokens 13.1–13.9 → 8.2–9.1; 2–5 tokens within noise; at 1 token no gain.
#ifndef B32X16_PREFETCH_MIN_TOKENS
#define B32X16_PREFETCH_MIN_TOKENS 2
#endif
#ifndef B32X16_PREFETCH_BYTES
#define B32X16_PREFETCH_BYTES 8192
#endif

// Block b of a group of 16 rows → u[q] (q < 8: quad q of every row, unsigned) and the 16 rows' d.
static inline VNNI __attribute__((always_inline))
void decode_b32x16(int type, const void *blk, __m512i u[8], __m512 *dw) {
    const __m512i m4 = _mm512_set1_epi8(0x0F);
    switch (type) {
    case AUGUR_TYPE_Q8_0_X16: {
        const block_q8_0x16 *x = blk;
        *dw = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)x->d));
        for (int j = 0; j < 8; j++) u[j] = _mm512_xor_si512(_mm512_loadu_si512(x->qs[j]), _mm512_set1_epi8((char)0x80));
        break;
    }
    case AUGUR_TYPE_Q4_0_X16: {
        const block_q4_0x16 *x = blk;
        *dw = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)x->d));
        for (int m = 0; m < 4; m++) {
            const __m512i l = _mm512_loadu_si512(x->qs[m]);
            u[m] = _mm512_and_si512(l, m4);
            u[m + 4] = _mm512_and_si512(_mm512_srli_epi16(l, 4), m4);
        }
        break;
    }
    default: { // Q5_0_X16: element 4q + e's high bit is bit 4q + e of the row's qh = bit 4(q & 1) + e of byte q / 2.
        const block_q5_0x16 *x = blk;
        *dw = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)x->d));
        const __m512i qh = _mm512_loadu_si512(x->qh);
        const __m512i dword_base = _mm512_broadcast_i32x4(_mm_setr_epi32(0, 0x04040404, 0x08080808, 0x0C0C0C0C));
        for (int m = 0; m < 4; m++) {
            const __m512i l = _mm512_loadu_si512(x->qs[m]);
            u[m] = _mm512_and_si512(l, m4);
            u[m + 4] = _mm512_and_si512(_mm512_srli_epi16(l, 4), m4);
        }
        for (int q = 0; q < 8; q++) {
            // Every byte of lane i ← byte q / 2 of qh[i]; then test bit 4(q & 1) + e in byte e.
            const __m512i spread = _mm512_shuffle_epi8(qh, _mm512_add_epi8(dword_base, _mm512_set1_epi8((char)(q / 2))));
            const __mmask64 hi = _mm512_test_epi8_mask(spread, _mm512_set1_epi32(q & 1 ? (int)0x80402010 : 0x08040201));
            u[q] = _mm512_mask_add_epi8(u[q], hi, u[q], _mm512_set1_epi8(16));
        }
        break;
    }
    }
}

// Bytes of one block of 16 rows.
static inline size_t b32x16_bytes(int type) {
    return type == AUGUR_TYPE_Q8_0_X16 ? sizeof(block_q8_0x16)
         : type == AUGUR_TYPE_Q4_0_X16 ? sizeof(block_q4_0x16) : sizeof(block_q5_0x16);
}

// A group of 16 rows against NT ≤ 8 tokens (a constant after inlining): acc[t] lane i = row i · token t.
// dxs / sxs: the tokens' block scales and quant sums (stride G), offset to the tile's first token.
static inline VNNI __attribute__((always_inline))
void b32x16_tile(int type, const char *group, int64_t nb, const void *xq, size_t xq_stride, const int NT,
                 const float *dxs, const int32_t *sxs, int G, float *out, int64_t ldo) {
    const int C = type == AUGUR_TYPE_Q8_0_X16 ? 128 : type == AUGUR_TYPE_Q5_0_X16 ? 16 : 8;
    const size_t bb = b32x16_bytes(type);
    __m512 acc[8];
    for (int t = 0; t < NT; t++) acc[t] = _mm512_setzero_ps();
    for (int64_t b = 0; b < nb; b++) {
        __m512i u[8];
        __m512 dw;
        if (NT >= B32X16_PREFETCH_MIN_TOKENS) {
            const size_t from = ((size_t)b * bb + B32X16_PREFETCH_BYTES) & ~(size_t)63, to = (size_t)(b + 1) * bb + B32X16_PREFETCH_BYTES;
            for (size_t o = from; o < to; o += 64) _mm_prefetch(group + o, _MM_HINT_T1);
        }
        decode_b32x16(type, group + (size_t)b * bb, u, &dw);
        // Up to 5 tokens quad by quad, every token at each (the token-by-token order ran a 4-token tile of the
        // Q8_0 output projection at half speed: 2.8 against 1.4 ms); 6–8 tokens token by token (quad by quad
        // measured slower there: ~20 % at 8, 16 sums and 8 quads live at once). Two spelled-out loops: one loop
        // over i < 8·NT picking the order by i / NT or i % 8 was not unrolled and ran 3–4× slower.
        __m512i s[8];
        for (int t = 0; t < NT; t++) s[t] = _mm512_set1_epi32(-C * sxs[b * G + t]);
        if (NT <= 5) {
            for (int j = 0; j < 8; j++)
                for (int t = 0; t < NT; t++) {
                    int32_t quad;
                    memcpy(&quad, ((const block_q8_0 *)((const char *)xq + (size_t)t * xq_stride) + b)->qs + 4 * j, 4);
                    s[t] = _mm512_dpbusd_epi32(s[t], u[j], _mm512_set1_epi32(quad));
                }
        } else {
            for (int t = 0; t < NT; t++)
                for (int j = 0; j < 8; j++) {
                    int32_t quad;
                    memcpy(&quad, ((const block_q8_0 *)((const char *)xq + (size_t)t * xq_stride) + b)->qs + 4 * j, 4);
                    s[t] = _mm512_dpbusd_epi32(s[t], u[j], _mm512_set1_epi32(quad));
                }
        }
        for (int t = 0; t < NT; t++)
            acc[t] = _mm512_fmadd_ps(_mm512_mul_ps(dw, _mm512_set1_ps(dxs[b * G + t])), _mm512_cvtepi32_ps(s[t]), acc[t]);
    }
    for (int t = 0; t < NT; t++) _mm512_storeu_ps(out + (int64_t)t * ldo, acc[t]);
}

// Token tables: scales and quant sums of XS16_CAP token × block entries (32 KB of stack in all).
#define XS16_CAP 4096

static inline VNNI __attribute__((always_inline))
void mm_b32x16(int type, const void *W, size_t row_bytes, int64_t r0, int64_t r1, int64_t k, const void *xq,
               size_t xq_stride, int ntok, float *out, int64_t ldo) {
    const int64_t nb = k / QK;
    const matmul_fn twin = type == AUGUR_TYPE_Q8_0_X16 ? augur_mm_scalar.q8_0_x16
                         : type == AUGUR_TYPE_Q4_0_X16 ? augur_mm_scalar.q4_0_x16 : augur_mm_scalar.q5_0_x16;
    const int64_t r16 = r0 % 16 ? r0 : r0 + (r1 - r0) / 16 * 16; // rows outside whole groups: the twin
    if (nb < 1 || nb > XS16_CAP) { twin(W, row_bytes, r0, r1, k, xq, xq_stride, ntok, out, ldo); return; }
    if (r16 < r1) twin(W, row_bytes, r16, r1, k, xq, xq_stride, ntok, out, ldo);
    if (r16 == r0) return;
    float dxs[XS16_CAP];
    int32_t sxs[XS16_CAP];
    int G = (int)(XS16_CAP / nb);
    if (G > ntok) G = ntok;
    if (G > 8) G -= G % 8;
    const __m256i ones8 = _mm256_set1_epi8(1);
    for (int g0 = 0; g0 < ntok; g0 += G) {
        const int ng = ntok - g0 < G ? ntok - g0 : G;
        const char *xg = (const char *)xq + (size_t)g0 * xq_stride;
        for (int t = 0; t < ng; t++)
            for (int64_t b = 0; b < nb; b++) {
                const block_q8_0 *x = (const block_q8_0 *)(xg + (size_t)t * xq_stride) + b;
                dxs[b * G + t] = fp16(x->d);
                const __m256i q = _mm256_loadu_si256((const __m256i *)x->qs);
                sxs[b * G + t] = hsum_i32(_mm256_madd_epi16(_mm256_maddubs_epi16(ones8, q), _mm256_set1_epi16(1)));
            }
        for (int64_t r = r0; r < r16; r += 16) {
            const char *group = (const char *)W + (size_t)r * row_bytes;
            float *o = out + (int64_t)g0 * ldo + r;
            int t0 = 0;
            for (; t0 + 8 <= ng; t0 += 8)
                b32x16_tile(type, group, nb, xg + (size_t)t0 * xq_stride, xq_stride, 8, dxs + t0, sxs + t0, G,
                            o + (int64_t)t0 * ldo, ldo);
            const char *xt = xg + (size_t)t0 * xq_stride;
            float *ot = o + (int64_t)t0 * ldo;
#define B32X16_TAIL(nt) b32x16_tile(type, group, nb, xt, xq_stride, nt, dxs + t0, sxs + t0, G, ot, ldo)
            switch (ng - t0) {
            case 7: B32X16_TAIL(7); break;
            case 6: B32X16_TAIL(6); break;
            case 5: B32X16_TAIL(5); break;
            case 4: B32X16_TAIL(4); break;
            case 3: B32X16_TAIL(3); break;
            case 2: B32X16_TAIL(2); break;
            case 1: B32X16_TAIL(1); break;
            default: break;
            }
#undef B32X16_TAIL
        }
    }
}

#define B32X16_VNNI(name, type) \
    static VNNI void name(const void *W, size_t rb, int64_t r0, int64_t r1, int64_t k, const void *xq, \
                          size_t xs, int ntok, float *out, int64_t ldo) { \
        mm_b32x16(type, W, rb, r0, r1, k, xq, xs, ntok, out, ldo); \
    }
B32X16_VNNI(mm_q4_0_x16_vnni, AUGUR_TYPE_Q4_0_X16)
B32X16_VNNI(mm_q5_0_x16_vnni, AUGUR_TYPE_Q5_0_X16)
B32X16_VNNI(mm_q8_0_x16_vnni, AUGUR_TYPE_Q8_0_X16)
