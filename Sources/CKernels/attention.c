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
    // Softmax per head: max, exp and a double-precision sum; probabilities rounded to f16 (ggml converts
    // them to the cache type for the V·P product).
    for (int h = 0; h < heads; h++) {
        float *s = scores + h * n;
        float maximum = -INFINITY;
        for (int64_t j = 0; j < n; j++) maximum = s[j] > maximum ? s[j] : maximum;
        double sum = 0;
        for (int64_t j = 0; j < n; j++) {
            const float e = expf(s[j] - maximum);
            s[j] = e;
            sum += (double)e;
        }
        const float inverse = (float)(1 / sum);
        for (int64_t j = 0; j < n; j++) s[j] = s[j] * inverse;
        // Round to f16 and back, in place, through the row converters (chunked into qh16's room).
        for (int64_t j0 = 0; j0 < n; j0 += d) {
            const int64_t m = n - j0 < d ? n - j0 : d;
            k->f32_to_f16_row(s + j0, qh16, m);
            augur_f16_to_f32_row(qh16, s + j0, m);
        }
        float *o = out + h * out_stride;
        for (int64_t i = 0; i < d; i++) o[i] = 0;
    }
    // Weighted sum of values: per output element, fma over the positions in order (one axpy per position and
    // head, as ggml), with the outputs held in registers.
    k->weighted_sum_f16(scores, n, heads, V, n, d, out, out_stride);
}
