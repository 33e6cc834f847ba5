// Times llama.cpp's llama_tokenize alone (vocabulary-only model load excluded) for scripts/bench-tokenizer.
// Usage: llama-tokenize-bench MODEL.gguf FILE RUNS PARSE_SPECIAL(0|1)
// Prints the token count and the median wall and thread-CPU time of RUNS tokenizations of the whole file.
#include "llama.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(clockid_t clock) {
    struct timespec t;
    clock_gettime(clock, &t);
    return (double) t.tv_sec + (double) t.tv_nsec * 1e-9;
}

static int cmp(const void * a, const void * b) {
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

static void quiet(enum ggml_log_level level, const char * text, void * data) { (void) level; (void) text; (void) data; }

int main(int argc, char ** argv) {
    if (argc < 5) { fprintf(stderr, "usage: %s MODEL FILE RUNS PARSE_SPECIAL\n", argv[0]); return 2; }
    llama_log_set(quiet, NULL);
    llama_backend_init();
    struct llama_model_params params = llama_model_default_params();
    params.vocab_only = true;
    struct llama_model * model = llama_model_load_from_file(argv[1], params);
    if (!model) { fprintf(stderr, "cannot load %s\n", argv[1]); return 1; }
    const struct llama_vocab * vocab = llama_model_get_vocab(model);

    FILE * f = fopen(argv[2], "rb");
    if (!f) { fprintf(stderr, "cannot read %s\n", argv[2]); return 1; }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char * text = malloc((size_t) size + 1);
    if (fread(text, 1, (size_t) size, f) != (size_t) size) { return 1; }
    fclose(f);

    int runs = atoi(argv[3]);
    int parse_special = atoi(argv[4]);
    int cap = (int) size + 16;
    llama_token * tokens = malloc(sizeof(llama_token) * (size_t) cap);
    double * wall = malloc(sizeof(double) * (size_t) runs);
    double * cpu = malloc(sizeof(double) * (size_t) runs);
    int n = 0;
    for (int r = 0; r < runs; r++) {
        double w0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_THREAD_CPUTIME_ID);
        n = llama_tokenize(vocab, text, (int32_t) size, tokens, cap, false, parse_special != 0);
        wall[r] = now(CLOCK_MONOTONIC) - w0;
        cpu[r] = now(CLOCK_THREAD_CPUTIME_ID) - c0;
    }
    qsort(wall, (size_t) runs, sizeof(double), cmp);
    qsort(cpu, (size_t) runs, sizeof(double), cmp);
    double mb = (double) size / 1e6, w = wall[runs / 2], c = cpu[runs / 2];
    printf("llama.cpp: %ld bytes -> %d tokens; median of %d runs: %.2f ms wall = %.2f MB/s, %.2f ms CPU = %.2f MB/s\n",
           size, n, runs, w * 1e3, mb / w, c * 1e3, mb / c);
    llama_model_free(model);
    return 0;
}
