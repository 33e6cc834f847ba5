#ifndef AUGUR_CJANSSON_SHIM_H
#define AUGUR_CJANSSON_SHIM_H
#include <jansson.h>

/* jansson's reference-counting helpers are static inline macros-in-disguise;
   expose plain functions Swift can call. */
static inline void cjansson_decref(json_t *json) { json_decref(json); }
static inline json_t *cjansson_incref(json_t *json) { return json_incref(json); }
static inline int cjansson_typeof(const json_t *json) { return (int)json_typeof(json); }
/* Flags for compact, deterministic output with round-trip double precision. */
static inline size_t cjansson_dump_flags(void) {
    return JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS | JSON_REAL_PRECISION(17);
}
/* Length-delimited constructors that accept a NULL pointer for the empty string. */
static inline json_t *cjansson_stringn(const char *bytes, size_t length) {
    return json_stringn_nocheck(bytes ? bytes : "", length);
}
static inline int cjansson_object_setn_new(json_t *object, const char *key, size_t length, json_t *value) {
    return json_object_setn_new_nocheck(object, key ? key : "", length, value);
}
#endif
