// Dev tool (not built with Augur; links a llama.cpp build you provide): llama.cpp logits for a token sequence, evaluated (A) in one batch and
// (B) llama-cpp-python style: the first P tokens in one batch, then one at a time. Writes A and B rows.
#include "llama.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv) {
    if (argc < 5) { fprintf(stderr, "usage: check model.gguf P ids out.bin\n"); return 1; }
    int P = atoi(argv[2]);
    int ids[4096], n = 0;
    for (char *s = strtok(argv[3], ","); s; s = strtok(NULL, ",")) ids[n++] = atoi(s);
    llama_backend_init();
    struct llama_model_params mp = llama_model_default_params();
    mp.n_gpu_layers = 0;
    struct llama_model *model = llama_model_load_from_file(argv[1], mp);
    const struct llama_vocab *vocab = llama_model_get_vocab(model);
    int V = llama_vocab_n_tokens(vocab);
    FILE *out = fopen(argv[4], "wb");
    fwrite(&n, 4, 1, out); fwrite(&V, 4, 1, out);
    for (int mode = 0; mode < 2; mode++) {
        struct llama_context_params cp = llama_context_default_params();
        cp.n_ctx = 1024; cp.n_batch = 512; cp.n_ubatch = 512; cp.n_threads = 2; cp.n_threads_batch = 2;
        cp.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_DISABLED;
        struct llama_context *ctx = llama_init_from_model(model, cp);
        int first = mode == 0 ? n : P;
        struct llama_batch b = llama_batch_init(n, 0, 1);
        b.n_tokens = first;
        for (int i = 0; i < first; i++) { b.token[i] = ids[i]; b.pos[i] = i; b.n_seq_id[i] = 1; b.seq_id[i][0] = 0; b.logits[i] = 1; }
        if (llama_decode(ctx, b)) { fprintf(stderr, "decode failed\n"); return 1; }
        for (int i = 0; i < first; i++) fwrite(llama_get_logits_ith(ctx, i), 4, V, out);
        for (int i = first; i < n; i++) {
            b.n_tokens = 1; b.token[0] = ids[i]; b.pos[0] = i; b.n_seq_id[0] = 1; b.seq_id[0][0] = 0; b.logits[0] = 1;
            if (llama_decode(ctx, b)) { fprintf(stderr, "decode failed\n"); return 1; }
            fwrite(llama_get_logits_ith(ctx, 0), 4, V, out);
        }
        llama_batch_free(b);
        llama_free(ctx);
    }
    fclose(out);
    return 0;
}
