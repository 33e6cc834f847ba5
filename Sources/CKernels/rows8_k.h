// rows8_k.h — the 8-row Q4_K / Q6_K kernels, written once and included by avx2.c and avx512.c with:
//   ROWS8_ATTR             the target attribute of the functions (AVX2 / VNNI)
//   R8(name)               the per-ISA name of `name`
//   ROWS8_DOT4(acc, w, x)  acc + per int32 lane the sum of 4 u8 × s8 products (vpdpbusd, or
//                          vpmaddubsw + vpmaddwd with ones: exact, |pair| ≤ 2·63·127 < 2^15)
//   ROWS8_DOT2(acc, a, b)  acc + per int32 lane the sum of 2 s16 × s16 products (vpdpwssd / vpmaddwd)
//   ROWS8_Q4_K_FALLBACK, ROWS8_Q6_K_FALLBACK  the tile kernels (for the last rows when not a multiple of 8)
// Defines R8(mm_q4_K_rows8), R8(mm_q6_K_rows8) and, for repacked rows, R8(mm_q4_K_x8), R8(mm_q6_K_x8). Bitwise the
// scalar twins' results.
// Repacked rows (block_q4_Kx8 / block_q6_Kx8, augur_repack_x8) need no transposes and stream sequentially; up to
// ROWS8_X8_FUSED_MAX_TOKENS tokens their quants are unpacked in registers per ROWS8_X8_FUSED_CHUNK tokens as they
// are dotted (x8_*_fused), beyond that into D once per super-block like the original layout. Compute per
// (super-block, token) alone (one thread, rows in L2, 2026-11-27): Q4_K 5 tokens 13.5 vs 8.5 GB/s of weights for
// the original layout's 8-row kernel; Q6_K (chunks of 4) 2–4 tokens 21 / 17 / 16 vs 17 / 13 / 11 for the tiles
// (chunks of 2 re-unpack too often: 13 / 10 / 8). 5 tokens go in one chunk: ~20 % (Q4_K) / ~15 % (Q6_K) faster
// than 4 + 1.
// 8 rows at a time (prefill, verification): vector lanes are rows, so nothing is reduced across
// lanes. A super-block of 8 rows is unpacked once — nibbles transposed so that one vector holds the same
// 4 quants of each row — and dotted with every token of the group: vpdpbusd against the token's 4
// activation bytes broadcast, the sub-block sums scaled by vpmulld (exact int32), the mins by vpdpwssd
// against the token's sub-block bsums; then the twin's float update lane-wise. Bitwise the twin's result.

// The 8-row kernel reads eight rows at once; with the next group of rows prefetched while the current one
// is dotted (below), it beats the tile kernel (one row streamed at a time) from 2 tokens for Q4_K, and from
// 3 tokens for Q6_K on long rows (ffn_down, k = 8960). On Q6_K rows of k = 1536 (the output layer) the tiles
// stay ahead up to ~7 tokens. Measured with KernelBench (ms for the same rows, VNNI, 2026-11-27):
//   Q4_K k=1536: 3 tokens 3.2 vs 3.8–4.0, 5 tokens 4.3 vs 4.9–5.2, 8 tokens 5.6 vs 7.7
//   Q4_K k=8960: 2 tokens 3.4 vs 5.4–5.9, 5 tokens 4.4 vs 7.8–8.9
//   Q6_K k=8960: 3 tokens 3.1–3.5 vs 5.3; Q6_K k=1536: 5 tokens 3.5–4.0 vs 3.3–3.4, 8 tokens 4.1–4.6 vs 5.1
#define ROWS8_Q4_K_MIN_TOKENS 2
#define ROWS8_Q6_K_MIN_TOKENS(nb) ((nb) >= 16 ? 3 : 8)
#ifndef ROWS8_PREFETCH
#define ROWS8_PREFETCH 1 // super-blocks fetched ahead of the one being unpacked
#endif
// Below this many tokens the next group of eight rows is prefetched, spread over the current group's steps;
// from it on, each row's next super-block (two threads, 2026-11-27: group prefetch 16-token passes measured
// mixed, 4.35–5.8 vs 4.3–4.9 ms; 5 tokens 2.1–2.8 vs 2.9–4.2).
#define ROWS8_GROUP_PREFETCH_BELOW 16
// Repacked rows: up to ROWS8_X8_FUSED_MAX_TOKENS tokens the quants are unpacked in registers per
// ROWS8_X8_FUSED_CHUNK tokens (≤ 4; 5 tokens in one chunk with ROWS8_X8_FUSED_FIVE). From 2 tokens every
// super-block's cache lines are prefetched ROWS8_X8_PREFETCH super-blocks ahead into L2, not L1 (at 1 token
// the hardware prefetchers alone measured as fast or faster). Into L1 (T0, 2 ahead) the prefetches' misses
// held the L1 miss buffers for the whole trip to DRAM, and the tokens' own L1 misses queued behind them: two
// threads streaming 120 MB (KernelBench, 2026-11-27), 5 tokens Q6_K k = 8960 8.2 → 3.9–4.2 ms, Q4_K k = 8960
// 6.3 → 4.0–4.5, Q6_K k = 1536 5.5 → 3.9–4.0, 16 tokens 12.7 → 10.2–10.7 (distances 4–12 within noise; T0
// at 4 and 8 no better than 2).
#ifndef ROWS8_X8_FUSED_MAX_TOKENS
#define ROWS8_X8_FUSED_MAX_TOKENS 8
#endif
#ifndef ROWS8_X8_FUSED_CHUNK
#define ROWS8_X8_FUSED_CHUNK 4
#endif
#ifndef ROWS8_X8_FUSED_FIVE
#define ROWS8_X8_FUSED_FIVE 1 // 5 tokens (a draft of 4 + 1) in one fused chunk
#endif
#ifndef ROWS8_X8_PREFETCH_MIN_TOKENS
#define ROWS8_X8_PREFETCH_MIN_TOKENS 2
#endif
#ifndef ROWS8_X8_PREFETCH
#define ROWS8_X8_PREFETCH 6
#endif
#ifndef ROWS8_X8_PREFETCH_HINT // the earlier setting, for comparison: -Xcc -DROWS8_X8_PREFETCH_HINT=_MM_HINT_T0 -Xcc -DROWS8_X8_PREFETCH=2
#define ROWS8_X8_PREFETCH_HINT _MM_HINT_T1
#endif

// Token t0's activation row of a group starting at xg.
#define ROWS8_TOKEN(xg, t0) ((const block_q8_K *)((const char *)(xg) + (size_t)(t0) * xq_stride))
// CALL(nt, t0) over ng tokens: chunks of `chunk` (≤ 4), then the 3, 2 or 1 left, each call with a constant nt so
// the always-inline token functions are specialized per count.
#define ROWS8_TOKEN_CHUNKS(ng, chunk, CALL) do { \
        int t0_ = 0; \
        for (; t0_ + (chunk) <= (ng); t0_ += (chunk)) CALL(chunk, t0_); \
        switch ((ng) - t0_) { \
        case 3: CALL(3, t0_); break; \
        case 2: CALL(2, t0_); break; \
        case 1: CALL(1, t0_); break; \
        default: break; \
        } \
    } while (0)

// Fused (few-token) passes over repacked rows read the group's activation quants from a copy laid out
// [super-block][token] (up to ROWS8_X8_INTERLEAVE pairs, 256 bytes each, on the stack) instead of one row per
// token: each super-block step then reads one contiguous run, and the hardware prefetchers see one activation
// stream next to the weights' instead of one per token. Two threads streaming 120 MB from DRAM (KernelBench,
// 2026-11-27), Q4_K k = 8960: 3 tokens 5.9 → 4.6 ms, 5 tokens 7.7 → 6.3; k = 1536, 5 tokens 5.3 → 4.2.
#ifndef ROWS8_X8_INTERLEAVE
#define ROWS8_X8_INTERLEAVE 288 // (super-block, token) pairs: 8 tokens of k = 8960
#endif
static inline ROWS8_ATTR void R8(interleave_tokens)(const block_q8_K *xg, size_t xq_stride, int ng, int64_t nb,
                                                int8_t Q[][QK_K]) {
    for (int t = 0; t < ng; t++) {
        const block_q8_K *x = ROWS8_TOKEN(xg, t);
        for (int64_t b = 0; b < nb; b++) memcpy(Q[b * ng + t], x[b].qs, QK_K);
    }
}
// Token t0's quants of super-block b and the bytes between tokens: from the copy when there is one.
#define ROWS8_TOKEN_QS(t0) (interleave ? Q[b * ng + (t0)] : ROWS8_TOKEN(xg, t0)[b].qs)
#define ROWS8_QS_STRIDE (interleave ? (size_t)QK_K : xq_stride)

// 8x8 transpose of int32 lanes: out[g] lane i = in[i] lane g.
static inline ROWS8_ATTR void R8(transpose8_epi32)(const __m256i in[8], __m256i out[8]) {
    __m256i t[8], u[8];
    for (int i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_epi32(in[i], in[i + 1]);
        t[i + 1] = _mm256_unpackhi_epi32(in[i], in[i + 1]);
    }
    for (int i = 0; i < 8; i += 4) {
        u[i] = _mm256_unpacklo_epi64(t[i], t[i + 2]);
        u[i + 1] = _mm256_unpackhi_epi64(t[i], t[i + 2]);
        u[i + 2] = _mm256_unpacklo_epi64(t[i + 1], t[i + 3]);
        u[i + 3] = _mm256_unpackhi_epi64(t[i + 1], t[i + 3]);
    }
    for (int i = 0; i < 4; i++) {
        out[i] = _mm256_permute2x128_si256(u[i], u[i + 4], 0x20);
        out[i + 4] = _mm256_permute2x128_si256(u[i], u[i + 4], 0x31);
    }
}

// One super-block of 8 rows, lanes = rows.
typedef struct {
    __m256i q[8][8]; // [sub-block j][group g]: lane i = row i's quants 32j + 4g … + 3 (bytes)
    __m256i s[8];    // sub-block j's scale (int32)
    __m256i mp[4];   // mins of sub-blocks 2p and 2p + 1 as an int16 pair
    __m256 d, dmin;
} R8(rows8_q4_K);

// The next group's bytes, spread over its nb super-block steps: with few tokens per unpacked block the
// eight rows are consumed too fast for the hardware prefetcher, which sees jumps of a row between them.
static inline ROWS8_ATTR void R8(prefetch_group_part)(const uint8_t *next, size_t group_bytes, int64_t b, int64_t nb) {
    const size_t from = group_bytes * (size_t)b / (size_t)nb & ~(size_t)63, to = group_bytes * (size_t)(b + 1) / (size_t)nb;
    for (size_t o = from; o < to; o += 64) _mm_prefetch((const char *)next + o, _MM_HINT_T0);
}

static inline ROWS8_ATTR void R8(decode_rows8_q4_K)(const uint8_t *W, size_t row_bytes, int64_t b, int row_prefetch,
                                                R8(rows8_q4_K) *D) {
    const __m256i low = _mm256_set1_epi8(0x0F);
    uint16_t dh[8], mh[8];
    __m256i sc32[8], mn32[8], q[8][8]; // q: [row][sub-block]
    for (int i = 0; i < 8; i++) {
        const block_q4_K *blk = (const block_q4_K *)(W + (size_t)i * row_bytes) + b;
        // Eight rows stream at once, too many for the hardware prefetcher alone: fetch a few blocks ahead
        // (harmless past the row's end: prefetches don't fault).
        if (row_prefetch) {
            const char *ahead = (const char *)(blk + ROWS8_PREFETCH);
            _mm_prefetch(ahead, _MM_HINT_T0);
            _mm_prefetch(ahead + 64, _MM_HINT_T0);
            _mm_prefetch(ahead + 128, _MM_HINT_T0);
        }
        dh[i] = blk->d; mh[i] = blk->dmin;
        __m128i sc, mn;
        unpack_scales16_k4(blk->scales, &sc, &mn);
        sc32[i] = _mm256_cvtepi16_epi32(sc);
        mn32[i] = _mm256_cvtepi16_epi32(mn);
        for (int h = 0; h < 4; h++) {
            const __m256i qv = _mm256_loadu_si256((const __m256i *)(blk->qs + 32 * h));
            q[i][2 * h] = _mm256_and_si256(qv, low);
            q[i][2 * h + 1] = _mm256_and_si256(_mm256_srli_epi16(qv, 4), low);
        }
    }
    for (int j = 0; j < 8; j++) {
        __m256i in[8];
        for (int i = 0; i < 8; i++) in[i] = q[i][j];
        R8(transpose8_epi32)(in, D->q[j]);
    }
    __m256i m[8];
    R8(transpose8_epi32)(sc32, D->s);
    R8(transpose8_epi32)(mn32, m);
    for (int p = 0; p < 4; p++) D->mp[p] = _mm256_or_si256(m[2 * p], _mm256_slli_epi32(m[2 * p + 1], 16));
    D->d = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)dh));
    D->dmin = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)mh));
}

// The same from a repacked super-block (block_q4_Kx8): the quants are already lanes = rows, so no transposes;
// the 12 scale bytes of the eight rows unpack lane-wise as scale_min_k4 does per row.
static inline ROWS8_ATTR void R8(decode_x8_q4_K_scales)(const block_q4_Kx8 *x, R8(rows8_q4_K) *D) {
    const __m256i six = _mm256_set1_epi32(63), four = _mm256_set1_epi32(15);
    __m256i B[12], m[8];
    for (int c = 0; c < 12; c++) B[c] = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)x->scales[c]));
    for (int j = 0; j < 4; j++) {
        D->s[j] = _mm256_and_si256(B[j], six);
        m[j] = _mm256_and_si256(B[j + 4], six);
        D->s[j + 4] = _mm256_or_si256(_mm256_and_si256(B[j + 8], four), _mm256_slli_epi32(_mm256_srli_epi32(B[j], 6), 4));
        m[j + 4] = _mm256_or_si256(_mm256_srli_epi32(B[j + 8], 4), _mm256_slli_epi32(_mm256_srli_epi32(B[j + 4], 6), 4));
    }
    for (int p = 0; p < 4; p++) D->mp[p] = _mm256_or_si256(m[2 * p], _mm256_slli_epi32(m[2 * p + 1], 16));
    D->d = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)x->d));
    D->dmin = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)x->dmin));
}

static inline ROWS8_ATTR void R8(decode_x8_q4_K)(const block_q4_Kx8 *x, R8(rows8_q4_K) *D) {
    const __m256i low = _mm256_set1_epi8(0x0F);
    for (int h = 0; h < 4; h++)
        for (int g = 0; g < 8; g++) {
            const __m256i qv = _mm256_loadu_si256((const __m256i *)x->qs[h][g]);
            D->q[2 * h][g] = _mm256_and_si256(qv, low);
            D->q[2 * h + 1][g] = _mm256_and_si256(_mm256_srli_epi16(qv, 4), low);
        }
    R8(decode_x8_q4_K_scales)(x, D);
}

// The tokens' side of a group: scale d per (token, super-block) and the 8 sub-block sums of bsums as
// int16, two per int32 (pair p = sub-blocks 2p, 2p + 1), per (token, super-block).
#ifndef ROWS8_PREFETCH
#define ROWS8_PREFETCH 1 // super-blocks ahead
#endif
#ifndef ROWS8_TABLE
#define ROWS8_TABLE 2048 // (token, super-block) entries per group
#endif
typedef struct { float xd[ROWS8_TABLE]; int32_t pairs[ROWS8_TABLE][4]; } R8(rows8_tokens_table);

// NT ≤ 4 tokens against one unpacked super-block; sums[t] lanes = rows.
static inline ROWS8_ATTR __attribute__((always_inline))
void R8(rows8_q4_K_tokens)(const R8(rows8_q4_K) *D, const block_q8_K *x0, size_t xq_stride, int64_t b, int64_t nb,
                       const int NT, const R8(rows8_tokens_table) *T, int t0, __m256 sums[]) {
    __m256i isum[4], isumm[4];
    for (int t = 0; t < NT; t++) isum[t] = isumm[t] = _mm256_setzero_si256();
    for (int j = 0; j < 8; j++) {
        __m256i a[4];
        for (int t = 0; t < NT; t++) a[t] = _mm256_setzero_si256();
        for (int g = 0; g < 8; g++) {
            for (int t = 0; t < NT; t++) {
                const block_q8_K *x = (const block_q8_K *)((const char *)x0 + (size_t)t * xq_stride) + b;
                int32_t xv;
                memcpy(&xv, x->qs + 32 * j + 4 * g, 4);
                a[t] = ROWS8_DOT4(a[t], D->q[j][g], _mm256_set1_epi32(xv));
            }
        }
        for (int t = 0; t < NT; t++) isum[t] = _mm256_add_epi32(isum[t], _mm256_mullo_epi32(a[t], D->s[j]));
    }
    for (int t = 0; t < NT; t++) {
        const int64_t e = (int64_t)(t0 + t) * nb + b;
        for (int p = 0; p < 4; p++) isumm[t] = ROWS8_DOT2(isumm[t], D->mp[p], _mm256_set1_epi32(T->pairs[e][p]));
        const __m256 xd = _mm256_set1_ps(T->xd[e]);
        const __m256 s1 = _mm256_mul_ps(_mm256_mul_ps(D->d, xd), _mm256_cvtepi32_ps(isum[t]));
        const __m256 s2 = _mm256_mul_ps(_mm256_mul_ps(D->dmin, xd), _mm256_cvtepi32_ps(isumm[t]));
        sums[t0 + t] = _mm256_add_ps(sums[t0 + t], _mm256_sub_ps(s1, s2));
    }
}

// Few tokens on repacked rows: the quants unpacked in registers as they are dotted (no unpacked block stored
// and reloaded), NT ≤ 5 tokens; D holds only the scales. The same integer sums and float updates as
// rows8_q4_K_tokens.
static inline ROWS8_ATTR __attribute__((always_inline))
void R8(x8_q4_K_fused)(const block_q4_Kx8 *xb, const R8(rows8_q4_K) *D, const int8_t *xq0, size_t q_stride,
                       int64_t b, int64_t nb, const int NT, const R8(rows8_tokens_table) *T, int t0, __m256 sums[]) {
    const __m256i low = _mm256_set1_epi8(0x0F);
    __m256i isum[5], isumm[5];
    for (int t = 0; t < NT; t++) isum[t] = isumm[t] = _mm256_setzero_si256();
    for (int h = 0; h < 4; h++) {
        __m256i a0[5], a1[5];
        for (int t = 0; t < NT; t++) a0[t] = a1[t] = _mm256_setzero_si256();
        for (int g = 0; g < 8; g++) {
            const __m256i qv = _mm256_loadu_si256((const __m256i *)xb->qs[h][g]);
            const __m256i q0 = _mm256_and_si256(qv, low), q1 = _mm256_and_si256(_mm256_srli_epi16(qv, 4), low);
            for (int t = 0; t < NT; t++) {
                const int8_t *xq = xq0 + (size_t)t * q_stride;
                int32_t v0, v1;
                memcpy(&v0, xq + 64 * h + 4 * g, 4);
                memcpy(&v1, xq + 64 * h + 32 + 4 * g, 4);
                a0[t] = ROWS8_DOT4(a0[t], q0, _mm256_set1_epi32(v0));
                a1[t] = ROWS8_DOT4(a1[t], q1, _mm256_set1_epi32(v1));
            }
        }
        for (int t = 0; t < NT; t++)
            isum[t] = _mm256_add_epi32(isum[t], _mm256_add_epi32(_mm256_mullo_epi32(a0[t], D->s[2 * h]),
                                                                 _mm256_mullo_epi32(a1[t], D->s[2 * h + 1])));
    }
    for (int t = 0; t < NT; t++) {
        const int64_t e = (int64_t)(t0 + t) * nb + b;
        for (int p = 0; p < 4; p++) isumm[t] = ROWS8_DOT2(isumm[t], D->mp[p], _mm256_set1_epi32(T->pairs[e][p]));
        const __m256 xd = _mm256_set1_ps(T->xd[e]);
        const __m256 s1 = _mm256_mul_ps(_mm256_mul_ps(D->d, xd), _mm256_cvtepi32_ps(isum[t]));
        const __m256 s2 = _mm256_mul_ps(_mm256_mul_ps(D->dmin, xd), _mm256_cvtepi32_ps(isumm[t]));
        sums[t0 + t] = _mm256_add_ps(sums[t0 + t], _mm256_sub_ps(s1, s2));
    }
}

// Rows [r0, r8) (a multiple of 8 rows), original layout or repacked (x8), nb ≤ ROWS8_TABLE.
static inline ROWS8_ATTR __attribute__((always_inline))
void R8(rows8_q4_K_run)(const int x8, const void *W, size_t row_bytes, int64_t r0, int64_t r8, int64_t nb, const void *xq,
                      size_t xq_stride, int ntok, float *out, int64_t ldo) {
    int G = (int)(ROWS8_TABLE / nb);
    if (G > 64) G = 64;
    R8(rows8_tokens_table) T;
    int8_t Q[ROWS8_X8_INTERLEAVE][QK_K] __attribute__((aligned(64))); // the group's quants, [super-block][token]
    __m256 sums[64];
    const int group_prefetch = ntok < ROWS8_GROUP_PREFETCH_BELOW;
    for (int g0 = 0; g0 < ntok; g0 += G) {
        const int ng = ntok - g0 < G ? ntok - g0 : G;
        const block_q8_K *xg = (const block_q8_K *)((const char *)xq + (size_t)g0 * xq_stride);
        for (int t = 0; t < ng; t++) {
            const block_q8_K *x = (const block_q8_K *)((const char *)xg + (size_t)t * xq_stride);
            for (int64_t b = 0; b < nb; b++) {
                const int64_t e = (int64_t)t * nb + b;
                T.xd[e] = x[b].d;
                const __m256i pr = _mm256_madd_epi16(_mm256_loadu_si256((const __m256i *)x[b].bsums), _mm256_set1_epi16(1));
                _mm_storeu_si128((__m128i *)T.pairs[e], _mm_packs_epi32(_mm256_castsi256_si128(pr), _mm256_extracti128_si256(pr, 1)));
            }
        }
        const int fused = x8 && ng <= ROWS8_X8_FUSED_MAX_TOKENS;
        const int interleave = fused && ng > 1 && (size_t)ng * (size_t)nb <= ROWS8_X8_INTERLEAVE;
        if (interleave) R8(interleave_tokens)(xg, xq_stride, ng, nb, Q);
        for (int64_t r = r0; r < r8; r += 8) {
            for (int t = 0; t < ng; t++) sums[t] = _mm256_setzero_ps();
            for (int64_t b = 0; b < nb; b++) {
                R8(rows8_q4_K) D;
                if (x8) {
                    const block_q4_Kx8 *xb = (const block_q4_Kx8 *)((const uint8_t *)W + (size_t)r * row_bytes) + b;
                    if (ntok >= ROWS8_X8_PREFETCH_MIN_TOKENS)
                        for (size_t o = 0; o < sizeof(*xb); o += 64) _mm_prefetch((const char *)(xb + ROWS8_X8_PREFETCH) + o, ROWS8_X8_PREFETCH_HINT);
                    if (fused) {
                        R8(decode_x8_q4_K_scales)(xb, &D);
#define FUSED(nt, t0) R8(x8_q4_K_fused)(xb, &D, ROWS8_TOKEN_QS(t0), ROWS8_QS_STRIDE, b, nb, nt, &T, t0, sums)
                        if (ROWS8_X8_FUSED_FIVE && ng == 5) FUSED(5, 0); // one chunk: the quants unpacked once
                        else ROWS8_TOKEN_CHUNKS(ng, ROWS8_X8_FUSED_CHUNK, FUSED);
#undef FUSED
                        continue;
                    }
                    R8(decode_x8_q4_K)(xb, &D);
                } else {
                    if (group_prefetch) R8(prefetch_group_part)((const uint8_t *)W + (size_t)(r + 8) * row_bytes, 8 * row_bytes, b, nb);
                    R8(decode_rows8_q4_K)((const uint8_t *)W + (size_t)r * row_bytes, row_bytes, b, !group_prefetch, &D);
                }
#define TOKENS(nt, t0) R8(rows8_q4_K_tokens)(&D, ROWS8_TOKEN(xg, t0), xq_stride, b, nb, nt, &T, t0, sums)
                ROWS8_TOKEN_CHUNKS(ng, 4, TOKENS);
#undef TOKENS
            }
            for (int t = 0; t < ng; t++) _mm256_storeu_ps(out + (int64_t)(g0 + t) * ldo + r, sums[t]);
        }
    }
}

static ROWS8_ATTR void R8(mm_q4_K_rows8)(const void *W, size_t row_bytes, int64_t r0, int64_t r1, int64_t k, const void *xq,
                                    size_t xq_stride, int ntok, float *out, int64_t ldo) {
    const int64_t nb = k / QK_K;
    if (ntok < ROWS8_Q4_K_MIN_TOKENS) { ROWS8_Q4_K_FALLBACK(W, row_bytes, r0, r1, k, xq, xq_stride, ntok, out, ldo); return; }
    const int64_t r8 = r0 + (r1 - r0) / 8 * 8;
    if (r8 < r1) ROWS8_Q4_K_FALLBACK(W, row_bytes, r8, r1, k, xq, xq_stride, ntok, out, ldo); // the last < 8 rows
    if (r8 == r0) return;
    if (nb < 1 || nb > ROWS8_TABLE) { ROWS8_Q4_K_FALLBACK(W, row_bytes, r0, r8, k, xq, xq_stride, ntok, out, ldo); return; }
    R8(rows8_q4_K_run)(0, W, row_bytes, r0, r8, nb, xq, xq_stride, ntok, out, ldo);
}

// Repacked rows, any number of tokens: the 8-row kernel for decode too, as the rows are interleaved (r0, r1
// should be multiples of 8; other rows take the scalar twin).
static ROWS8_ATTR void R8(mm_q4_K_x8)(const void *W, size_t row_bytes, int64_t r0, int64_t r1, int64_t k, const void *xq,
                                 size_t xq_stride, int ntok, float *out, int64_t ldo) {
    const int64_t nb = k / QK_K;
    const int64_t r8 = r0 % 8 ? r0 : r0 + (r1 - r0) / 8 * 8; // rows outside whole groups: the twin
    if (nb < 1 || nb > ROWS8_TABLE) { augur_mm_scalar.q4_K_x8(W, row_bytes, r0, r1, k, xq, xq_stride, ntok, out, ldo); return; }
    if (r8 < r1) augur_mm_scalar.q4_K_x8(W, row_bytes, r8, r1, k, xq, xq_stride, ntok, out, ldo);
    if (r8 > r0) R8(rows8_q4_K_run)(1, W, row_bytes, r0, r8, nb, xq, xq_stride, ntok, out, ldo);
}

// Q6_K, 8 rows: u = q + 32 (0..63) per sub-block as for Q4_K's nibbles; each sub-block has two scale
// groups of 16 (groups 0-3 and 4-7 of its 4-quant groups); Σ sc·q·x = Σ sc·u·x − 32·Σ sc·bsums.
typedef struct {
    __m256i u[8][8]; // [sub-block j][group g]: lane i = row i's u 32j + 4g … + 3 (bytes)
    __m256i s[16];   // scale of 16-element group, int32
    __m256i sp[8];   // scales of groups 2p, 2p + 1 as an int16 pair (for the bsums correction)
    __m256 d;
} R8(rows8_q6_K);

static inline ROWS8_ATTR void R8(decode_rows8_q6_K)(const uint8_t *W, size_t row_bytes, int64_t b, int row_prefetch,
                                                R8(rows8_q6_K) *D) {
    uint16_t dh[8];
    __m256i s_lo[8], s_hi[8], u[8][8]; // u: [row][sub-block]
    for (int i = 0; i < 8; i++) {
        const block_q6_K *blk = (const block_q6_K *)(W + (size_t)i * row_bytes) + b;
        if (row_prefetch) {
            const char *ahead = (const char *)(blk + ROWS8_PREFETCH);
            _mm_prefetch(ahead, _MM_HINT_T0);
            _mm_prefetch(ahead + 64, _MM_HINT_T0);
            _mm_prefetch(ahead + 128, _MM_HINT_T0);
            _mm_prefetch(ahead + 192, _MM_HINT_T0);
        }
        dh[i] = blk->d;
        const __m128i sc8 = _mm_loadu_si128((const __m128i *)blk->scales);
        s_lo[i] = _mm256_cvtepi8_epi32(sc8);
        s_hi[i] = _mm256_cvtepi8_epi32(_mm_srli_si128(sc8, 8));
        for (int h = 0; h < 2; h++) unpack_q6_K_half(blk, h, u[i] + 4 * h);
    }
    for (int j = 0; j < 8; j++) {
        __m256i in[8];
        for (int i = 0; i < 8; i++) in[i] = u[i][j];
        R8(transpose8_epi32)(in, D->u[j]);
    }
    R8(transpose8_epi32)(s_lo, D->s);
    R8(transpose8_epi32)(s_hi, D->s + 8);
    const __m256i mask = _mm256_set1_epi32(0xFFFF);
    for (int p = 0; p < 8; p++)
        D->sp[p] = _mm256_or_si256(_mm256_and_si256(D->s[2 * p], mask), _mm256_slli_epi32(D->s[2 * p + 1], 16));
    D->d = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)dh));
}

static inline ROWS8_ATTR void R8(decode_x8_q6_K_scales)(const block_q6_Kx8 *x, R8(rows8_q6_K) *D) {
    for (int c = 0; c < 16; c++) D->s[c] = _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)x->scales[c]));
    const __m256i mask = _mm256_set1_epi32(0xFFFF);
    for (int p = 0; p < 8; p++)
        D->sp[p] = _mm256_or_si256(_mm256_and_si256(D->s[2 * p], mask), _mm256_slli_epi32(D->s[2 * p + 1], 16));
    D->d = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)x->d));
}

// The same from a repacked super-block (block_q6_Kx8): unpack_q6_K_half's bit operations, lane-wise.
static inline ROWS8_ATTR void R8(decode_x8_q6_K)(const block_q6_Kx8 *x, R8(rows8_q6_K) *D) {
    const __m256i low = _mm256_set1_epi8(0x0F), three = _mm256_set1_epi8(3);
    for (int h = 0; h < 2; h++)
        for (int g = 0; g < 8; g++) {
            const __m256i ql0 = _mm256_loadu_si256((const __m256i *)x->q[h][g][0]);
            const __m256i ql1 = _mm256_loadu_si256((const __m256i *)x->q[h][g][1]);
            const __m256i qh = _mm256_loadu_si256((const __m256i *)x->q[h][g][2]);
            D->u[4 * h][g] = _mm256_or_si256(_mm256_and_si256(ql0, low), _mm256_slli_epi16(_mm256_and_si256(qh, three), 4));
            D->u[4 * h + 1][g] = _mm256_or_si256(_mm256_and_si256(ql1, low),
                                                 _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2), three), 4));
            D->u[4 * h + 2][g] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), low),
                                                 _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 4), three), 4));
            D->u[4 * h + 3][g] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), low),
                                                 _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 6), three), 4));
        }
    R8(decode_x8_q6_K_scales)(x, D);
}

static inline ROWS8_ATTR __attribute__((always_inline))
void R8(rows8_q6_K_tokens)(const R8(rows8_q6_K) *D, const block_q8_K *x0, size_t xq_stride, int64_t b, int64_t nb,
                       const int NT, const R8(rows8_tokens_table) *T, int t0, __m256 sums[]) {
    __m256i isum[4];
    for (int t = 0; t < NT; t++) isum[t] = _mm256_setzero_si256();
    for (int j = 0; j < 8; j++) {
        for (int half = 0; half < 2; half++) {
            __m256i a[4];
            for (int t = 0; t < NT; t++) a[t] = _mm256_setzero_si256();
            for (int g = 4 * half; g < 4 * half + 4; g++) {
                for (int t = 0; t < NT; t++) {
                    const block_q8_K *x = (const block_q8_K *)((const char *)x0 + (size_t)t * xq_stride) + b;
                    int32_t xv;
                    memcpy(&xv, x->qs + 32 * j + 4 * g, 4);
                    a[t] = ROWS8_DOT4(a[t], D->u[j][g], _mm256_set1_epi32(xv));
                }
            }
            for (int t = 0; t < NT; t++) isum[t] = _mm256_add_epi32(isum[t], _mm256_mullo_epi32(a[t], D->s[2 * j + half]));
        }
    }
    for (int t = 0; t < NT; t++) {
        const block_q8_K *x = (const block_q8_K *)((const char *)x0 + (size_t)t * xq_stride) + b;
        __m256i corr = _mm256_setzero_si256();
        for (int p = 0; p < 8; p++) {
            int32_t pair;
            memcpy(&pair, x->bsums + 2 * p, 4);
            corr = ROWS8_DOT2(corr, D->sp[p], _mm256_set1_epi32(pair));
        }
        const __m256i is = _mm256_sub_epi32(isum[t], _mm256_slli_epi32(corr, 5));
        const __m256 xd = _mm256_set1_ps(T->xd[(int64_t)(t0 + t) * nb + b]);
        sums[t0 + t] = _mm256_add_ps(sums[t0 + t], _mm256_mul_ps(_mm256_mul_ps(D->d, xd), _mm256_cvtepi32_ps(is)));
    }
}

// Few tokens on repacked rows, as x8_q4_K_fused: the same integer sums and float update as rows8_q6_K_tokens.
static inline ROWS8_ATTR __attribute__((always_inline))
void R8(x8_q6_K_fused)(const block_q6_Kx8 *xb, const R8(rows8_q6_K) *D, const int8_t *xq0, size_t q_stride,
                       const block_q8_K *x0, size_t xq_stride, int64_t b, int64_t nb, const int NT,
                       const R8(rows8_tokens_table) *T, int t0, __m256 sums[]) {
    const __m256i low = _mm256_set1_epi8(0x0F), three = _mm256_set1_epi8(3);
    __m256i isum[5];
    for (int t = 0; t < NT; t++) isum[t] = _mm256_setzero_si256();
    for (int h = 0; h < 2; h++)
        for (int half = 0; half < 2; half++) {
            __m256i a[4][5]; // [sub-block 4h + m][token]
            for (int m = 0; m < 4; m++)
                for (int t = 0; t < NT; t++) a[m][t] = _mm256_setzero_si256();
            for (int g = 4 * half; g < 4 * half + 4; g++) {
                const __m256i ql0 = _mm256_loadu_si256((const __m256i *)xb->q[h][g][0]);
                const __m256i ql1 = _mm256_loadu_si256((const __m256i *)xb->q[h][g][1]);
                const __m256i qh = _mm256_loadu_si256((const __m256i *)xb->q[h][g][2]);
                __m256i u[4];
                u[0] = _mm256_or_si256(_mm256_and_si256(ql0, low), _mm256_slli_epi16(_mm256_and_si256(qh, three), 4));
                u[1] = _mm256_or_si256(_mm256_and_si256(ql1, low),
                                       _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2), three), 4));
                u[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), low),
                                       _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 4), three), 4));
                u[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), low),
                                       _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 6), three), 4));
                for (int t = 0; t < NT; t++) {
                    const int8_t *xq = xq0 + (size_t)t * q_stride;
                    for (int m = 0; m < 4; m++) {
                        int32_t xv;
                        memcpy(&xv, xq + 32 * (4 * h + m) + 4 * g, 4);
                        a[m][t] = ROWS8_DOT4(a[m][t], u[m], _mm256_set1_epi32(xv));
                    }
                }
            }
            for (int m = 0; m < 4; m++)
                for (int t = 0; t < NT; t++)
                    isum[t] = _mm256_add_epi32(isum[t], _mm256_mullo_epi32(a[m][t], D->s[2 * (4 * h + m) + half]));
        }
    for (int t = 0; t < NT; t++) {
        const block_q8_K *x = (const block_q8_K *)((const char *)x0 + (size_t)t * xq_stride) + b;
        __m256i corr = _mm256_setzero_si256();
        for (int p = 0; p < 8; p++) {
            int32_t pair;
            memcpy(&pair, x->bsums + 2 * p, 4);
            corr = ROWS8_DOT2(corr, D->sp[p], _mm256_set1_epi32(pair));
        }
        const __m256i is = _mm256_sub_epi32(isum[t], _mm256_slli_epi32(corr, 5));
        const __m256 xd = _mm256_set1_ps(T->xd[(int64_t)(t0 + t) * nb + b]);
        sums[t0 + t] = _mm256_add_ps(sums[t0 + t], _mm256_mul_ps(_mm256_mul_ps(D->d, xd), _mm256_cvtepi32_ps(is)));
    }
}

// Rows [r0, r8) (a multiple of 8 rows), original layout or repacked (x8), nb ≤ ROWS8_TABLE.
static inline ROWS8_ATTR __attribute__((always_inline))
void R8(rows8_q6_K_run)(const int x8, const void *W, size_t row_bytes, int64_t r0, int64_t r8, int64_t nb, const void *xq,
                      size_t xq_stride, int ntok, float *out, int64_t ldo) {
    int G = (int)(ROWS8_TABLE / nb);
    if (G > 64) G = 64;
    R8(rows8_tokens_table) T;
    int8_t Q[ROWS8_X8_INTERLEAVE][QK_K] __attribute__((aligned(64))); // the group's quants, [super-block][token]
    __m256 sums[64];
    const int group_prefetch = ntok < ROWS8_GROUP_PREFETCH_BELOW;
    for (int g0 = 0; g0 < ntok; g0 += G) {
        const int ng = ntok - g0 < G ? ntok - g0 : G;
        const block_q8_K *xg = (const block_q8_K *)((const char *)xq + (size_t)g0 * xq_stride);
        for (int t = 0; t < ng; t++) {
            const block_q8_K *x = (const block_q8_K *)((const char *)xg + (size_t)t * xq_stride);
            for (int64_t b = 0; b < nb; b++) T.xd[(int64_t)t * nb + b] = x[b].d;
        }
        const int fused = x8 && ng <= ROWS8_X8_FUSED_MAX_TOKENS;
        const int interleave = fused && ng > 1 && (size_t)ng * (size_t)nb <= ROWS8_X8_INTERLEAVE;
        if (interleave) R8(interleave_tokens)(xg, xq_stride, ng, nb, Q);
        for (int64_t r = r0; r < r8; r += 8) {
            for (int t = 0; t < ng; t++) sums[t] = _mm256_setzero_ps();
            for (int64_t b = 0; b < nb; b++) {
                R8(rows8_q6_K) D;
                if (x8) {
                    const block_q6_Kx8 *xb = (const block_q6_Kx8 *)((const uint8_t *)W + (size_t)r * row_bytes) + b;
                    if (ntok >= ROWS8_X8_PREFETCH_MIN_TOKENS)
                        for (size_t o = 0; o < sizeof(*xb); o += 64) _mm_prefetch((const char *)(xb + ROWS8_X8_PREFETCH) + o, ROWS8_X8_PREFETCH_HINT);
                    if (fused) {
                        R8(decode_x8_q6_K_scales)(xb, &D);
#define FUSED(nt, t0) R8(x8_q6_K_fused)(xb, &D, ROWS8_TOKEN_QS(t0), ROWS8_QS_STRIDE, ROWS8_TOKEN(xg, t0), xq_stride, b, nb, nt, \
                                        &T, t0, sums)
                        if (ROWS8_X8_FUSED_FIVE && ng == 5) FUSED(5, 0); // one chunk: the quants unpacked once
                        else ROWS8_TOKEN_CHUNKS(ng, ROWS8_X8_FUSED_CHUNK, FUSED);
#undef FUSED
                        continue;
                    }
                    R8(decode_x8_q6_K)(xb, &D);
                } else {
                    if (group_prefetch) R8(prefetch_group_part)((const uint8_t *)W + (size_t)(r + 8) * row_bytes, 8 * row_bytes, b, nb);
                    R8(decode_rows8_q6_K)((const uint8_t *)W + (size_t)r * row_bytes, row_bytes, b, !group_prefetch, &D);
                }
#define TOKENS(nt, t0) R8(rows8_q6_K_tokens)(&D, ROWS8_TOKEN(xg, t0), xq_stride, b, nb, nt, &T, t0, sums)
                ROWS8_TOKEN_CHUNKS(ng, 4, TOKENS);
#undef TOKENS
            }
            for (int t = 0; t < ng; t++) _mm256_storeu_ps(out + (int64_t)(g0 + t) * ldo + r, sums[t]);
        }
    }
}

static ROWS8_ATTR void R8(mm_q6_K_rows8)(const void *W, size_t row_bytes, int64_t r0, int64_t r1, int64_t k, const void *xq,
                                    size_t xq_stride, int ntok, float *out, int64_t ldo) {
    const int64_t nb = k / QK_K;
    if (ntok < ROWS8_Q6_K_MIN_TOKENS(nb)) { ROWS8_Q6_K_FALLBACK(W, row_bytes, r0, r1, k, xq, xq_stride, ntok, out, ldo); return; }
    const int64_t r8 = r0 + (r1 - r0) / 8 * 8;
    if (r8 < r1) ROWS8_Q6_K_FALLBACK(W, row_bytes, r8, r1, k, xq, xq_stride, ntok, out, ldo); // the last < 8 rows
    if (r8 == r0) return;
    if (nb < 1 || nb > ROWS8_TABLE) { ROWS8_Q6_K_FALLBACK(W, row_bytes, r0, r8, k, xq, xq_stride, ntok, out, ldo); return; }
    R8(rows8_q6_K_run)(0, W, row_bytes, r0, r8, nb, xq, xq_stride, ntok, out, ldo);
}

// Repacked rows, any number of tokens: the 8-row kernel for decode too, as the rows are interleaved (r0, r1
// should be multiples of 8; other rows take the scalar twin).
static ROWS8_ATTR void R8(mm_q6_K_x8)(const void *W, size_t row_bytes, int64_t r0, int64_t r1, int64_t k, const void *xq,
                                 size_t xq_stride, int ntok, float *out, int64_t ldo) {
    const int64_t nb = k / QK_K;
    const int64_t r8 = r0 % 8 ? r0 : r0 + (r1 - r0) / 8 * 8; // rows outside whole groups: the twin
    if (nb < 1 || nb > ROWS8_TABLE) { augur_mm_scalar.q6_K_x8(W, row_bytes, r0, r1, k, xq, xq_stride, ntok, out, ldo); return; }
    if (r8 < r1) augur_mm_scalar.q6_K_x8(W, row_bytes, r8, r1, k, xq, xq_stride, ntok, out, ldo);
    if (r8 > r0) R8(rows8_q6_K_run)(1, W, row_bytes, r0, r8, nb, xq, xq_stride, ntok, out, ldo);
}


#undef R8
#undef ROWS8_ATTR
#undef ROWS8_DOT4
#undef ROWS8_DOT2
#undef ROWS8_Q4_K_FALLBACK
#undef ROWS8_Q6_K_FALLBACK
#undef ROWS8_TOKEN
#undef ROWS8_TOKEN_CHUNKS
#undef ROWS8_TOKEN_QS
#undef ROWS8_QS_STRIDE
