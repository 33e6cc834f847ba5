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

static inline AVX2 float fp16(half h) { return _cvtsh_ss(h); }

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

#endif
