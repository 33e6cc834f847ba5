// attention.c — causal attention over an f16 KV cache for a group of query heads sharing one KV head
// (grouped-query attention), built from the dispatched dot / axpy / f16 kernels so its result is the
// same at every ISA level (each of those has a bitwise-identical scalar twin).
#include "internal.h"

void augur_attention_f16(const float *q, int64_t q_stride, int heads, const uint16_t *K, const uint16_t *V,
                         int64_t n, int64_t d, float scale, float *scores, uint16_t *qh16, float *qh,
                         float *out, int64_t out_stride) {
    const augur_kernel_table *k = augur_kernels_for(augur_isa_active());
    // Queries rounded to f16 precision, as ggml converts them to the cache type before K·q.
    for (int h = 0; h < heads; h++) {
        k->f32_to_f16_row(q + h * q_stride, qh16 + h * d, d);
        augur_f16_to_f32_row(qh16 + h * d, qh + h * d, d);
    }
    // Scores, position-major so each key row is read (and converted from f16) once for all heads of the group.
    k->scores_f16(K, n, d, qh, heads, scale, scores);
    // Softmax per head (max, exp, a double-precision sum), probabilities rounded to f16: ggml converts them
    // to the cache type for the V·P product.
    for (int h = 0; h < heads; h++) {
        k->softmax_f16(scores + h * n, n);
        float *o = out + h * out_stride;
        for (int64_t i = 0; i < d; i++) o[i] = 0;
    }
    // Weighted sum of values: per output element, fma over the positions in order (one axpy per position and
    // head, as ggml), with the outputs held in registers.
    k->weighted_sum_f16(scores, n, heads, V, n, d, out, out_stride);
}
