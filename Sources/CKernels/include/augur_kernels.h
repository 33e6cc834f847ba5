// augur_kernels.h — the hot kernels of Augur's CPU inference engine.
//
// Weights stay in their GGUF (ggml) block layout. Activations are quantized per row into the
// type ggml pairs with the weight type ("vec_dot_type"), and a batched matmul dots every weight
// row against up to N activation rows while the weight block is in registers / L1.
//
// Every kernel has a portable scalar twin (the reference) and SIMD versions (AVX2+FMA, AVX-512,
// AVX-512 VNNI) chosen at run time. The SIMD versions are *bitwise identical* to the scalar twin:
// integer dot products are exact, and every float operation (per-lane FMA accumulators, the order
// of the final horizontal sum) is spelled out in the scalar code, with FP contraction disabled.
// Results are therefore independent of ISA, of the number of tokens in a batch and of how rows
// are split between threads.
//
// Preconditions (not checked): n / k multiples of the block size (32 or 256); activation rows
// produced by augur_quantize_activation (int8 values in [-127, 127]); buffers don't alias.
#ifndef AUGUR_KERNELS_H
#define AUGUR_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// ggml type ids as stored in GGUF.
enum {
    AUGUR_TYPE_F32 = 0, AUGUR_TYPE_F16 = 1, AUGUR_TYPE_Q4_0 = 2, AUGUR_TYPE_Q4_1 = 3,
    AUGUR_TYPE_Q5_0 = 6, AUGUR_TYPE_Q5_1 = 7, AUGUR_TYPE_Q8_0 = 8, AUGUR_TYPE_Q8_1 = 9,
    AUGUR_TYPE_Q2_K = 10, AUGUR_TYPE_Q3_K = 11, AUGUR_TYPE_Q4_K = 12, AUGUR_TYPE_Q5_K = 13,
    AUGUR_TYPE_Q6_K = 14, AUGUR_TYPE_Q8_K = 15, AUGUR_TYPE_BF16 = 30,
    // Augur's own layouts (never in a file): Q4_K / Q6_K rows repacked eight at a time and Q4_0 / Q5_0 / Q8_0
    // rows sixteen at a time by augur_repack_x8.
    AUGUR_TYPE_Q4_K_X8 = 112, AUGUR_TYPE_Q6_K_X8 = 114,
    AUGUR_TYPE_Q4_0_X16 = 102, AUGUR_TYPE_Q5_0_X16 = 106, AUGUR_TYPE_Q8_0_X16 = 108,
};

typedef enum {
    AUGUR_ISA_SCALAR = 0,
    AUGUR_ISA_AVX2 = 1,          // AVX2 + FMA + F16C
    AUGUR_ISA_AVX512 = 2,        // + AVX-512 F/BW/VL/DQ
    AUGUR_ISA_AVX512_VNNI = 3,   // + AVX-512 VNNI (vpdpbusd / vpdpwssd). Never AMX.
} augur_isa;

/// Best level supported by the CPU *and* enabled by the OS (cpuid + xgetbv).
augur_isa augur_isa_detected(void);
/// Level used by the dispatching entry points below (starts as augur_isa_detected()).
augur_isa augur_isa_active(void);
/// Tests / bench: select a level (clamped to the detected one). SCALAR selects the reference twins.
void augur_isa_force(augur_isa isa);
/// Name of a level ("scalar", "avx2", "avx512", "avx512vnni").
const char *augur_isa_name(augur_isa isa);

/// 1 when `ggml_type` has a matmul kernel (F32 F16 Q4_0 Q4_1 Q5_0 Q8_0 Q4_K Q5_K Q6_K).
int augur_type_supported(int ggml_type);
/// 1 when augur_dequantize_row handles `ggml_type` (not the repacked types: their rows are interleaved).
int augur_type_dequantizable(int ggml_type);
/// Activation type ggml pairs with weight type: K-quants→Q8_K, Q4_0/Q5_0/Q8_0→Q8_0,
/// Q4_1/Q5_1→Q8_1, F16→F16, F32→F32. -1 for unknown types.
int augur_vec_dot_type(int ggml_type);
/// Elements per block (1 for F32/F16/BF16, 32, or 256). 0 for unknown types.
int64_t augur_block_size(int ggml_type);
/// Bytes of one row of n elements (n a multiple of the block size). 0 for unknown types.
size_t augur_row_bytes(int ggml_type, int64_t n);

/// Quantize one activation row of n floats into augur_vec_dot_type(weight_type), exactly as
/// ggml does on x86 (quantize_row_q8_0 / q8_1 AVX path: round-half-even of x*127/amax;
/// quantize_row_q8_K_ref: nearest_int(x * -127/max) and 16-element bsums; F16 round-half-even).
/// `xq` must hold augur_row_bytes(augur_vec_dot_type(weight_type), n) bytes.
void augur_quantize_activation(int weight_type, const float *x, void *xq, int64_t n);

/// Batched matmul: for rows r in [r0, r1) of W (row stride row_bytes, k elements per row) and
/// tokens t in [0, ntok):  out[t * ldo + r] = dot(W[r], x[t]),  x[t] at (char *)xq + t * xq_stride.
/// Each weight block is loaded once per tile of up to 8 tokens (the row stays in L1 across the
/// tiles of a group of up to 16 tokens; larger batches stream the rows once per group). The result
/// for (r, t) is bitwise identical whatever ntok, r0, r1 and the active ISA are. No allocation:
/// ~37 KB of stack for the tokens' block scales.
void augur_matmul(int weight_type, const void *W, size_t row_bytes, int64_t r0, int64_t r1, int64_t k,
                  const void *xq, size_t xq_stride, int ntok, float *out, int64_t ldo);
/// Same as augur_matmul, always the scalar twin.
void augur_matmul_ref(int weight_type, const void *W, size_t row_bytes, int64_t r0, int64_t r1, int64_t k,
                      const void *xq, size_t xq_stride, int ntok, float *out, int64_t ldo);

/// Repacked layouts. A matrix of Q4_K or Q6_K rows, repacked, holds for each group of 8 rows (rows 8i … 8i+7)
/// its super-blocks in column order, each an interleave of the 8 rows' blocks: quants as 4-byte runs of the
/// eight rows side by side (one 32-byte load = the same 4 quants of every row), then scales and d likewise.
/// Q4_0 / Q5_0 / Q8_0 the same with groups of 16 rows (one 64-byte load = the same 4 quants of 16 rows).
/// Same bytes in all as the original, group i at the original offset of its first row; row_bytes stays that of
/// the original rows. The group kernels then read the weights sequentially and skip the transposes; results are
/// bitwise those of the original layout (the scalar twin un-repacks a block and runs the original twin).
/// Matmuls on repacked types need r0 and r1 multiples of the group size (other rows take the scalar twin).
/// The repacked type for `ggml_type` (Q4_K → Q4_K_X8, Q6_K → Q6_K_X8, Q4_0 → Q4_0_X16, Q5_0 → Q5_0_X16,
/// Q8_0 → Q8_0_X16), or -1 when it has none or this CPU has no kernel for it (the 16-row layouts need AVX-512
/// VNNI; elsewhere they would run the scalar twin).
int augur_repacked_type(int ggml_type);
/// Rows per group of a repacked type (8 or 16; 0 for other types).
int augur_repack_rows(int repacked_type);
/// Repacks the groups of rows [r0, r1) (multiples of the group size of augur_repacked_type(ggml_type)) of W
/// (rows of k elements of `ggml_type`) into `dst`, which has the size of W and receives each group at its
/// offset in W (dst may not alias W).
void augur_repack_x8(int ggml_type, const void *W, int64_t r0, int64_t r1, int64_t k, void *dst);

/// Dequantize n elements (types of augur_type_dequantizable) to floats.
void augur_dequantize_row(int ggml_type, const void *src, float *dst, int64_t n);

// f32 helpers for the forward pass's hot loops.
/// Σ a[i]*b[i] (32 per-lane FMA accumulators, lane = i mod 32, fixed reduction; tail sequential).
float augur_dot_f32(const float *a, const float *b, int64_t n);
/// y[i] = fma(a, x[i], y[i]).
void augur_axpy_f32(float a, const float *x, float *y, int64_t n);
/// Σ f16(a[i])*b[i], same accumulation order as augur_dot_f32 (for an F16 KV cache).
float augur_dot_f16_f32(const uint16_t *a_f16, const float *b, int64_t n);
/// y[i] = fma(a, f16(x[i]), y[i]).
void augur_axpy_f16_f32(float a, const uint16_t *x_f16, float *y, int64_t n);
/// IEEE binary16, round to nearest even (as F16C / ggml).
void augur_f32_to_f16_row(const float *x, uint16_t *y, int64_t n);
void augur_f16_to_f32_row(const uint16_t *x, float *y, int64_t n);
float augur_f16_to_f32(uint16_t h);
uint16_t augur_f32_to_f16(float f);
/// Σ of n bytes, read once front to back with the active ISA's widest loads: the memory-bandwidth probe
/// (`augur bench`'s "bw" test times it over a buffer the size of a model's weights).
uint64_t augur_byte_sum(const void *p, size_t n);

/// Keys are cached in blocks of AUGUR_KEY_BLOCK positions, each block stored dimension-major: key element i of
/// position j is at K[(j / 16)·16·d + i·16 + j mod 16] (`[n / 16][d][16]`), so the scores kernels hold 16
/// positions in the lanes of one vector and need no horizontal sums. A key region spans whole blocks.
#define AUGUR_KEY_BLOCK 16
/// Writes key row `k` (d floats, rounded to f16) as position j of the key region K.
void augur_store_key_f16(const float *k, uint16_t *K, int64_t j, int64_t d);
/// Causal grouped-query attention of `heads` query heads (rows of d floats, stride q_stride) that share one
/// KV head, over n cached positions of f16 keys (blocked, above) and values (`[n][d]`): for each head h,
/// s_j = dot_f16_f32(K_j, f16(q_h)) · scale, p = f16(softmax(s)) (exp of s_j − max, sum in double), and
/// out_h = Σ_j p_j · V_j (in position order). ggml's non-flash CPU attention with an f16 cache, from dispatched
/// kernels with bitwise scalar twins, so the result is the same at every ISA level.
/// Scratch: scores heads·n floats, qh16 heads·d halves (≥ d), qh heads·d floats.
void augur_attention_f16(const float *q, int64_t q_stride, int heads, const uint16_t *K, const uint16_t *V,
                         int64_t n, int64_t d, float scale, float *scores, uint16_t *qh16, float *qh,
                         float *out, int64_t out_stride);

/// All kernels of one ISA level, for tests and benchmarks that compare levels without touching
/// the process-wide active level. Levels above augur_isa_detected() are clamped.
typedef struct {
    augur_isa isa;
    void (*matmul)(int weight_type, const void *W, size_t row_bytes, int64_t r0, int64_t r1, int64_t k,
                   const void *xq, size_t xq_stride, int ntok, float *out, int64_t ldo);
    void (*quantize_activation)(int weight_type, const float *x, void *xq, int64_t n);
    float (*dot_f32)(const float *a, const float *b, int64_t n);
    void (*axpy_f32)(float a, const float *x, float *y, int64_t n);
    float (*dot_f16_f32)(const uint16_t *a_f16, const float *b, int64_t n);
    void (*axpy_f16_f32)(float a, const uint16_t *x_f16, float *y, int64_t n);
    void (*f32_to_f16_row)(const float *x, uint16_t *y, int64_t n);
    /// Attention's value sum for a group of heads: for each head h and element i, in position order
    /// j = 0…n−1, out_h[i] = fma(p_h[j], f16(V_j[i]), out_h[i]) (p_h = p + h·p_stride, V_j = V + j·d,
    /// out_h = out + h·out_stride) — exactly one axpy_f16_f32 per (j, h), with each output row kept in
    /// registers across the positions instead of loaded and stored n times.
    void (*weighted_sum_f16)(const float *p, int64_t p_stride, int heads, const uint16_t *V, int64_t n, int64_t d,
                             float *out, int64_t out_stride);
    /// Attention's scores for a group of heads over n positions of a blocked key region (AUGUR_KEY_BLOCK):
    /// scores[h·n + j] = dot_f16_f32(K_j, q_h, d) · scale (q_h = q + h·d; K_j key row j, its elements 16 halves
    /// apart), bitwise. Vector lanes are the 16 positions of a block: each key element is converted once for
    /// all heads, and the dot's 32 partial sums and their tree are lane-wise adds (no horizontal reduction).
    void (*scores_f16)(const uint16_t *K, int64_t n, int64_t d, const float *q, int heads, float scale, float *scores);
    /// Attention's softmax of one head's n scores, in place, rounded to f16 precision: m = max; e_j =
    /// augur_exp_nonpositive(s_j − m); sum = Σ e_j in double, lane l of 8 adding the j ≡ l (mod 8) below
    /// n − n mod 8 in order, then ((L0 + L1) + (L2 + L3)) + ((L4 + L5) + (L6 + L7)), then the rest in order;
    /// s_j = f16(e_j · (float)(1 / sum)). Bitwise the same at every ISA.
    void (*softmax_f16)(float *s, int64_t n);
    /// y_i = augur_exp_nonpositive(x_i): the vector lanes softmax_f16 uses, on their own (so tests can see them
    /// before softmax_f16's f16 rounding hides sub-ulp differences).
    void (*exp_nonpositive_row)(const float *x, float *y, int64_t n);
    /// Σ p[i] over n bytes, read once front to back: the memory-bandwidth probe of `augur bench`.
    uint64_t (*byte_sum)(const uint8_t *p, size_t n);
} augur_kernel_table;

/// e^x for x ≤ 0 as the softmax kernels compute it in every vector lane (Cody–Waite reduction by ln 2,
/// Cephes' degree-5 polynomial, each step one product or fma): within 2 ulp of e^x; 0 below −87 and for NaN.
float augur_exp_nonpositive(float x);

const augur_kernel_table *augur_kernels_for(augur_isa isa);

#ifdef __cplusplus
}
#endif
#endif
