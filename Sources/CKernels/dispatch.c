// dispatch.c — ISA detection (cpuid + xgetbv) and run-time selection of kernels.
#include "internal.h"
#include <stdlib.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

static augur_isa detect(void) {
#if defined(__x86_64__) || defined(__i386__)
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return AUGUR_ISA_SCALAR;
    const int fma = (c >> 12) & 1, osxsave = (c >> 27) & 1, avx = (c >> 28) & 1, f16c = (c >> 29) & 1;
    if (!(osxsave && avx && fma && f16c)) return AUGUR_ISA_SCALAR;
    unsigned xlo, xhi;
    __asm__ volatile("xgetbv" : "=a"(xlo), "=d"(xhi) : "c"(0));
    if ((xlo & 0x6) != 0x6) return AUGUR_ISA_SCALAR;          // OS saves xmm + ymm
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return AUGUR_ISA_SCALAR;
    if (!((b >> 5) & 1)) return AUGUR_ISA_SCALAR;              // AVX2
    const int f = (b >> 16) & 1, dq = (b >> 17) & 1, bw = (b >> 30) & 1, vl = (b >> 31) & 1;
    const int vnni = (c >> 11) & 1;
    if (!(f && dq && bw && vl) || (xlo & 0xe0) != 0xe0) return AUGUR_ISA_AVX2; // + opmask, zmm state
    // AMX (cpuid 7.edx bits 22/24/25) is deliberately never looked at nor used.
    return vnni ? AUGUR_ISA_AVX512_VNNI : AUGUR_ISA_AVX512;
#else
    return AUGUR_ISA_SCALAR;
#endif
}

static int detected = -1; // augur_isa once known
static int active = -1;

augur_isa augur_isa_detected(void) {
    int v = __atomic_load_n(&detected, __ATOMIC_RELAXED);
    if (v < 0) {
        v = (int)detect();
        __atomic_store_n(&detected, v, __ATOMIC_RELAXED);
    }
    return (augur_isa)v;
}

static augur_isa clamp(augur_isa isa) {
    augur_isa max = augur_isa_detected();
    if ((int)isa < 0) return AUGUR_ISA_SCALAR;
    return isa > max ? max : isa;
}

augur_isa augur_isa_active(void) {
    int v = __atomic_load_n(&active, __ATOMIC_RELAXED);
    if (v < 0) {
        // AUGUR_ISA=scalar|avx2|avx512|avx512vnni caps the level (debugging, comparisons).
        augur_isa isa = augur_isa_detected();
        const char *env = getenv("AUGUR_ISA");
        if (env) {
            for (int i = 0; i <= AUGUR_ISA_AVX512_VNNI; i++)
                if (!strcmp(env, augur_isa_name((augur_isa)i))) isa = clamp((augur_isa)i);
        }
        v = (int)isa;
        __atomic_store_n(&active, v, __ATOMIC_RELAXED);
    }
    return (augur_isa)v;
}

void augur_isa_force(augur_isa isa) { __atomic_store_n(&active, (int)clamp(isa), __ATOMIC_RELAXED); }

const char *augur_isa_name(augur_isa isa) {
    switch (isa) {
    case AUGUR_ISA_SCALAR: return "scalar";
    case AUGUR_ISA_AVX2: return "avx2";
    case AUGUR_ISA_AVX512: return "avx512";
    case AUGUR_ISA_AVX512_VNNI: return "avx512vnni";
    }
    return "?";
}

int augur_vec_dot_type(int type) {
    switch (type) {
    case AUGUR_TYPE_F32: return AUGUR_TYPE_F32;
    case AUGUR_TYPE_F16: return AUGUR_TYPE_F16;
    case AUGUR_TYPE_Q4_0: case AUGUR_TYPE_Q5_0: case AUGUR_TYPE_Q8_0:
    case AUGUR_TYPE_Q4_0_X16: case AUGUR_TYPE_Q5_0_X16: case AUGUR_TYPE_Q8_0_X16: return AUGUR_TYPE_Q8_0;
    case AUGUR_TYPE_Q4_1: case AUGUR_TYPE_Q5_1: return AUGUR_TYPE_Q8_1;
    case AUGUR_TYPE_Q2_K: case AUGUR_TYPE_Q3_K: case AUGUR_TYPE_Q4_K: case AUGUR_TYPE_Q5_K:
    case AUGUR_TYPE_Q6_K: case AUGUR_TYPE_Q4_K_X8: case AUGUR_TYPE_Q6_K_X8: return AUGUR_TYPE_Q8_K;
    default: return -1;
    }
}

static matmul_fn pick(const matmul_set *s, int type) {
    switch (type) {
    case AUGUR_TYPE_F32: return s->f32;
    case AUGUR_TYPE_F16: return s->f16;
    case AUGUR_TYPE_Q4_0: return s->q4_0;
    case AUGUR_TYPE_Q4_1: return s->q4_1;
    case AUGUR_TYPE_Q5_0: return s->q5_0;
    case AUGUR_TYPE_Q8_0: return s->q8_0;
    case AUGUR_TYPE_Q4_K: return s->q4_K;
    case AUGUR_TYPE_Q5_K: return s->q5_K;
    case AUGUR_TYPE_Q6_K: return s->q6_K;
    case AUGUR_TYPE_Q4_K_X8: return s->q4_K_x8;
    case AUGUR_TYPE_Q6_K_X8: return s->q6_K_x8;
    case AUGUR_TYPE_Q4_0_X16: return s->q4_0_x16;
    case AUGUR_TYPE_Q5_0_X16: return s->q5_0_x16;
    case AUGUR_TYPE_Q8_0_X16: return s->q8_0_x16;
    default: return NULL;
    }
}

int augur_type_supported(int type) { return pick(&augur_mm_scalar, type) != NULL; }

// Highest level's own kernel, falling back level by level down to the scalar twin.
static matmul_fn matmul_for(augur_isa isa, int type) {
    static const matmul_set *const sets[] = { &augur_mm_scalar, &augur_mm_avx2, &augur_mm_avx512, &augur_mm_vnni };
    for (int i = (int)isa; i >= 0; i--) {
        matmul_fn f = pick(sets[i], type);
        if (f) return f;
    }
    return NULL;
}

#define DEFINE_MATMUL(name, ISA) \
    static void name(int type, const void *W, size_t rb, int64_t r0, int64_t r1, int64_t k, \
                     const void *xq, size_t xs, int ntok, float *out, int64_t ldo) { \
        matmul_fn f = matmul_for(ISA, type); \
        if (f && r1 > r0 && ntok > 0) f(W, rb, r0, r1, k, xq, xs, ntok, out, ldo); \
    }
DEFINE_MATMUL(matmul_scalar, AUGUR_ISA_SCALAR)
DEFINE_MATMUL(matmul_avx2, AUGUR_ISA_AVX2)
DEFINE_MATMUL(matmul_avx512, AUGUR_ISA_AVX512)
DEFINE_MATMUL(matmul_vnni, AUGUR_ISA_AVX512_VNNI)

static const augur_kernel_table tables[4] = {
    { AUGUR_ISA_SCALAR, matmul_scalar, augur_quantize_activation_ref, augur_dot_f32_ref, augur_axpy_f32_ref,
      augur_dot_f16_f32_ref, augur_axpy_f16_f32_ref, augur_f32_to_f16_row_ref, augur_weighted_sum_f16_ref,
      augur_scores_f16_ref, augur_softmax_f16_ref, augur_exp_nonpositive_row_ref, augur_byte_sum_ref },
    { AUGUR_ISA_AVX2, matmul_avx2, augur_quantize_activation_avx2, augur_dot_f32_avx2, augur_axpy_f32_avx2,
      augur_dot_f16_f32_avx2, augur_axpy_f16_f32_avx2, augur_f32_to_f16_row_avx2, augur_weighted_sum_f16_avx2,
      augur_scores_f16_avx2, augur_softmax_f16_avx2, augur_exp_nonpositive_row_avx2, augur_byte_sum_avx2 },
    { AUGUR_ISA_AVX512, matmul_avx512, augur_quantize_activation_avx512, augur_dot_f32_avx512, augur_axpy_f32_avx512,
      augur_dot_f16_f32_avx512, augur_axpy_f16_f32_avx512, augur_f32_to_f16_row_avx2, augur_weighted_sum_f16_avx512,
      augur_scores_f16_avx512, augur_softmax_f16_avx512, augur_exp_nonpositive_row_avx512, augur_byte_sum_avx512 },
    { AUGUR_ISA_AVX512_VNNI, matmul_vnni, augur_quantize_activation_avx512, augur_dot_f32_avx512, augur_axpy_f32_avx512,
      augur_dot_f16_f32_avx512, augur_axpy_f16_f32_avx512, augur_f32_to_f16_row_avx2, augur_weighted_sum_f16_avx512,
      augur_scores_f16_avx512, augur_softmax_f16_avx512, augur_exp_nonpositive_row_avx512, augur_byte_sum_avx512 },
};

const augur_kernel_table *augur_kernels_for(augur_isa isa) { return &tables[clamp(isa)]; }

static inline const augur_kernel_table *cur(void) { return &tables[augur_isa_active()]; }

void augur_matmul(int type, const void *W, size_t rb, int64_t r0, int64_t r1, int64_t k,
                  const void *xq, size_t xs, int ntok, float *out, int64_t ldo) {
    cur()->matmul(type, W, rb, r0, r1, k, xq, xs, ntok, out, ldo);
}

void augur_matmul_ref(int type, const void *W, size_t rb, int64_t r0, int64_t r1, int64_t k,
                      const void *xq, size_t xs, int ntok, float *out, int64_t ldo) {
    matmul_scalar(type, W, rb, r0, r1, k, xq, xs, ntok, out, ldo);
}

void augur_quantize_activation(int weight_type, const float *x, void *xq, int64_t n) {
    cur()->quantize_activation(weight_type, x, xq, n);
}
float augur_dot_f32(const float *a, const float *b, int64_t n) { return cur()->dot_f32(a, b, n); }
void augur_axpy_f32(float a, const float *x, float *y, int64_t n) { cur()->axpy_f32(a, x, y, n); }
float augur_dot_f16_f32(const uint16_t *a, const float *b, int64_t n) { return cur()->dot_f16_f32(a, b, n); }
void augur_axpy_f16_f32(float a, const uint16_t *x, float *y, int64_t n) { cur()->axpy_f16_f32(a, x, y, n); }
void augur_f32_to_f16_row(const float *x, uint16_t *y, int64_t n) { cur()->f32_to_f16_row(x, y, n); }
void augur_f16_to_f32_row(const uint16_t *x, float *y, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] = h2f(x[i]);
}
float augur_f16_to_f32(uint16_t h) { return h2f(h); }
void augur_store_key_f16(const float *k, uint16_t *K, int64_t j, int64_t d) {
    uint16_t *kb = (uint16_t *)key_row(K, j, d);
    for (int64_t i = 0; i < d; i++) kb[i * AUGUR_KEY_BLOCK] = f2h(k[i]);
}
uint64_t augur_byte_sum(const void *p, size_t n) { return cur()->byte_sum((const uint8_t *)p, n); }
uint16_t augur_f32_to_f16(float f) { return f2h(f); }
