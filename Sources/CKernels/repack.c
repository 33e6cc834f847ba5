// repack.c — the repacked layouts (8 rows: block_q4_Kx8, block_q6_Kx8; 16 rows: block_q8_0x16, block_q4_0x16,
// block_q5_0x16; see augur_kernels.h and internal.h):
// packing at load time and, for the scalar twins, unpacking one row's block back to the original layout.
#include "internal.h"
#include <stddef.h>

int augur_repacked_type(int type) {
    const int vnni = augur_isa_detected() >= AUGUR_ISA_AVX512_VNNI;
    switch (type) {
    case AUGUR_TYPE_Q4_K: return AUGUR_TYPE_Q4_K_X8;
    case AUGUR_TYPE_Q6_K: return AUGUR_TYPE_Q6_K_X8;
    case AUGUR_TYPE_Q4_0: return vnni ? AUGUR_TYPE_Q4_0_X16 : -1;
    case AUGUR_TYPE_Q5_0: return vnni ? AUGUR_TYPE_Q5_0_X16 : -1;
    case AUGUR_TYPE_Q8_0: return vnni ? AUGUR_TYPE_Q8_0_X16 : -1;
    default: return -1;
    }
}

int augur_repack_rows(int type) {
    switch (type) {
    case AUGUR_TYPE_Q4_K_X8: case AUGUR_TYPE_Q6_K_X8: return 8;
    case AUGUR_TYPE_Q4_0_X16: case AUGUR_TYPE_Q5_0_X16: case AUGUR_TYPE_Q8_0_X16: return 16;
    default: return 0;
    }
}

// One block of 16 rows of a 32-element type (block_q8_0x16 … in internal.h): rows[i] is row i's block.
static void pack_b32(int type, const uint8_t *const rows[16], void *out) {
    for (int i = 0; i < 16; i++) {
        const uint8_t *r = rows[i];
        switch (type) {
        case AUGUR_TYPE_Q8_0: {
            block_q8_0x16 *x = out;
            memcpy(&x->d[i], r, 2);
            for (int j = 0; j < 8; j++) memcpy(x->qs[j] + 4 * i, r + offsetof(block_q8_0, qs) + 4 * j, 4);
            break;
        }
        case AUGUR_TYPE_Q4_0: {
            block_q4_0x16 *x = out;
            memcpy(&x->d[i], r, 2);
            for (int m = 0; m < 4; m++) memcpy(x->qs[m] + 4 * i, r + offsetof(block_q4_0, qs) + 4 * m, 4);
            break;
        }
        default: { // Q5_0
            block_q5_0x16 *x = out;
            memcpy(&x->d[i], r, 2);
            memcpy(&x->qh[i], r + offsetof(block_q5_0, qh), 4);
            for (int m = 0; m < 4; m++) memcpy(x->qs[m] + 4 * i, r + offsetof(block_q5_0, qs) + 4 * m, 4);
            break;
        }
        }
    }
}

void augur_unrepack_b32(int type, const void *blk, int i, void *out) {
    uint8_t *o = out;
    switch (type) {
    case AUGUR_TYPE_Q8_0_X16: {
        const block_q8_0x16 *x = blk;
        memcpy(o, &x->d[i], 2);
        for (int j = 0; j < 8; j++) memcpy(o + offsetof(block_q8_0, qs) + 4 * j, x->qs[j] + 4 * i, 4);
        break;
    }
    case AUGUR_TYPE_Q4_0_X16: {
        const block_q4_0x16 *x = blk;
        memcpy(o, &x->d[i], 2);
        for (int m = 0; m < 4; m++) memcpy(o + offsetof(block_q4_0, qs) + 4 * m, x->qs[m] + 4 * i, 4);
        break;
    }
    default: { // Q5_0_X16
        const block_q5_0x16 *x = blk;
        memcpy(o, &x->d[i], 2);
        memcpy(o + offsetof(block_q5_0, qh), &x->qh[i], 4);
        for (int m = 0; m < 4; m++) memcpy(o + offsetof(block_q5_0, qs) + 4 * m, x->qs[m] + 4 * i, 4);
        break;
    }
    }
}

// `runs` 32-byte rows of 4-byte runs: dst[c][g][4i + e] = src_i[32c + 4g + e] for the 8 rows' arrays src_i.
static void interleave4(const uint8_t *const src[8], size_t offset, int runs, uint8_t *dst) {
    for (int c = 0; c < runs; c++)
        for (int g = 0; g < 8; g++)
            for (int i = 0; i < 8; i++) memcpy(dst + 256 * c + 32 * g + 4 * i, src[i] + offset + 32 * c + 4 * g, 4);
}

static void deinterleave4(const uint8_t *src, int runs, int i, uint8_t *dst) {
    for (int c = 0; c < runs; c++)
        for (int g = 0; g < 8; g++) memcpy(dst + 32 * c + 4 * g, src + 256 * c + 32 * g + 4 * i, 4);
}

static void pack_q4_K(const block_q4_K *const rows[8], block_q4_Kx8 *x) {
    const uint8_t *qs[8];
    for (int i = 0; i < 8; i++) {
        x->d[i] = rows[i]->d;
        x->dmin[i] = rows[i]->dmin;
        for (int c = 0; c < 12; c++) x->scales[c][i] = rows[i]->scales[c];
        qs[i] = rows[i]->qs;
    }
    interleave4(qs, 0, 4, &x->qs[0][0][0]);
}

void augur_unrepack_q4_K(const block_q4_Kx8 *x, int i, block_q4_K *out) {
    out->d = x->d[i];
    out->dmin = x->dmin[i];
    for (int c = 0; c < 12; c++) out->scales[c] = x->scales[c][i];
    deinterleave4(&x->qs[0][0][0], 4, i, out->qs);
}

// The 32-byte run of row i's Q6_K quants that q[h][g][m] holds 4 bytes of (block_q6_Kx8 in internal.h).
static size_t q6_K_run(int h, int g, int m) {
    return (m < 2 ? offsetof(block_q6_K, ql) + 64 * h + 32 * m : offsetof(block_q6_K, qh) + 32 * h) + 4 * g;
}

static void pack_q6_K(const block_q6_K *const rows[8], block_q6_Kx8 *x) {
    for (int i = 0; i < 8; i++) {
        x->d[i] = rows[i]->d;
        for (int s = 0; s < 16; s++) x->scales[s][i] = rows[i]->scales[s];
        for (int h = 0; h < 2; h++)
            for (int g = 0; g < 8; g++)
                for (int m = 0; m < 3; m++) memcpy(x->q[h][g][m] + 4 * i, (const uint8_t *)rows[i] + q6_K_run(h, g, m), 4);
    }
}

void augur_unrepack_q6_K(const block_q6_Kx8 *x, int i, block_q6_K *out) {
    out->d = x->d[i];
    for (int s = 0; s < 16; s++) out->scales[s] = x->scales[s][i];
    for (int h = 0; h < 2; h++)
        for (int g = 0; g < 8; g++)
            for (int m = 0; m < 3; m++) memcpy((uint8_t *)out + q6_K_run(h, g, m), x->q[h][g][m] + 4 * i, 4);
}

void augur_repack_x8(int type, const void *W, int64_t r0, int64_t r1, int64_t k, void *dst) {
    if (type == AUGUR_TYPE_Q4_0 || type == AUGUR_TYPE_Q5_0 || type == AUGUR_TYPE_Q8_0) {
        const size_t block = augur_row_bytes(type, QK), rb = (size_t)(k / QK) * block;
        for (int64_t r = r0; r + 16 <= r1; r += 16)
            for (size_t o = 0; o < rb; o += block) { // block o / block of rows r … r + 15
                const uint8_t *rows[16];
                for (int i = 0; i < 16; i++) rows[i] = (const uint8_t *)W + (size_t)(r + i) * rb + o;
                pack_b32(type, rows, (char *)dst + (size_t)r * rb + 16 * o);
            }
        return;
    }
    if (type != AUGUR_TYPE_Q4_K && type != AUGUR_TYPE_Q6_K) return;
    const int q4 = type == AUGUR_TYPE_Q4_K;
    const size_t block = q4 ? sizeof(block_q4_K) : sizeof(block_q6_K), rb = (size_t)(k / QK_K) * block;
    for (int64_t r = r0; r + 8 <= r1; r += 8)
        for (size_t o = 0; o < rb; o += block) { // super-block o / block of rows r … r + 7
            const void *rows[8];
            for (int i = 0; i < 8; i++) rows[i] = (const char *)W + (size_t)(r + i) * rb + o;
            void *out = (char *)dst + (size_t)r * rb + 8 * o;
            if (q4) pack_q4_K((const block_q4_K *const *)rows, out);
            else pack_q6_K((const block_q6_K *const *)rows, out);
        }
}
