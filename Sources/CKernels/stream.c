// stream.c — the memory-bandwidth probe: Σ of n bytes, read once front to back. `augur bench` times it on a
// buffer the size of a model's weights to show how close a decode step comes to what the memory system
// delivers. Each ISA's version returns exactly the scalar twin's sum (integer arithmetic).
#include "internal.h"

uint64_t augur_byte_sum_ref(const uint8_t *p, size_t n) {
    uint64_t s = 0;
    for (size_t i = 0; i < n; i++) s += p[i];
    return s;
}

#if defined(__x86_64__) || defined(__i386__)
#include "simd.h"

// Both vector versions read 256 bytes an iteration through psadbw (8 bytes summed into each 64-bit lane) and
// prefetch 1 KiB ahead into L2 (the hint the few-token weight kernels use; into L1 the prefetches hold the
// miss buffers for their whole DRAM trip and two threads stream ~30 % less).

// The four cache lines of the 256-byte run 1 KiB past `p`, into L2.
static inline void prefetch_run_ahead(const uint8_t *p) {
    for (int o = 0; o < 256; o += 64) _mm_prefetch((const char *)p + 1024 + o, _MM_HINT_T1);
}

AVX2 uint64_t augur_byte_sum_avx2(const uint8_t *p, size_t n) {
    const __m256i zero = _mm256_setzero_si256();
    __m256i s0 = zero, s1 = zero;
    size_t i = 0;
    for (; i + 256 <= n; i += 256) {
        prefetch_run_ahead(p + i);
        for (int j = 0; j < 256; j += 64) {
            s0 = _mm256_add_epi64(s0, _mm256_sad_epu8(_mm256_loadu_si256((const __m256i *)(p + i + j)), zero));
            s1 = _mm256_add_epi64(s1, _mm256_sad_epu8(_mm256_loadu_si256((const __m256i *)(p + i + j + 32)), zero));
        }
    }
    uint64_t lanes[4];
    _mm256_storeu_si256((__m256i *)lanes, _mm256_add_epi64(s0, s1));
    return lanes[0] + lanes[1] + lanes[2] + lanes[3] + augur_byte_sum_ref(p + i, n - i);
}

AVX512 uint64_t augur_byte_sum_avx512(const uint8_t *p, size_t n) {
    const __m512i zero = _mm512_setzero_si512();
    __m512i s0 = zero, s1 = zero;
    size_t i = 0;
    for (; i + 256 <= n; i += 256) {
        prefetch_run_ahead(p + i);
        s0 = _mm512_add_epi64(s0, _mm512_sad_epu8(_mm512_loadu_si512(p + i), zero));
        s1 = _mm512_add_epi64(s1, _mm512_sad_epu8(_mm512_loadu_si512(p + i + 64), zero));
        s0 = _mm512_add_epi64(s0, _mm512_sad_epu8(_mm512_loadu_si512(p + i + 128), zero));
        s1 = _mm512_add_epi64(s1, _mm512_sad_epu8(_mm512_loadu_si512(p + i + 192), zero));
    }
    return (uint64_t)_mm512_reduce_add_epi64(_mm512_add_epi64(s0, s1)) + augur_byte_sum_ref(p + i, n - i);
}
#else
uint64_t augur_byte_sum_avx2(const uint8_t *p, size_t n) { return augur_byte_sum_ref(p, n); }
uint64_t augur_byte_sum_avx512(const uint8_t *p, size_t n) { return augur_byte_sum_ref(p, n); }
#endif
