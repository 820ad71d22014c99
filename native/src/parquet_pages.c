/*
 * interposer_parquet: the hot inner loops of the trace writer's data pages, in C.
 *
 * The recording server's JavaScript thread spent about 70% of its CPU in these loops (delta
 * packing, RLE levels, statistics), on the two cores the FUSE threads and the workload need.
 * Each function writes exactly the bytes of its JavaScript twin in src/trace/encoding.ts and
 * row-group-encoder.ts (tests compare them byte for byte); page headers, dictionaries, CRCs and
 * file metadata stay in JavaScript. No libfuse here, so any process that writes traces can load
 * it.
 */
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* pack_group stores 64-bit words as they sit in memory: Parquet's bit order is little-endian. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "little-endian hosts only");

/* ---- byte output ---------------------------------------------------------------------------- */

typedef struct out {
  uint8_t *buf;
  size_t len, cap;
  uint64_t acc; /* pending bits, LSB first */
  unsigned acc_bits;
  int overflow; /* the caller's buffer was too small: nothing valid was written */
} out;

static inline void put_u8(out *o, uint8_t v) {
  if (o->len < o->cap) o->buf[o->len] = v;
  else o->overflow = 1;
  o->len++;
}

static void put_varint(out *o, uint64_t v) {
  while (v >= 0x80) {
    put_u8(o, (uint8_t)(v | 0x80));
    v >>= 7;
  }
  put_u8(o, (uint8_t)v);
}

static inline void put_zigzag(out *o, int64_t v) { put_varint(o, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63)); }

/* Appends the low n (<= 32) bits of v. */
static inline void put_bits32(out *o, uint32_t v, unsigned n) {
  if (n == 0) return;
  uint64_t masked = n == 32 ? v : (v & ((1u << n) - 1));
  o->acc |= masked << o->acc_bits;
  o->acc_bits += n;
  while (o->acc_bits >= 8) {
    put_u8(o, (uint8_t)o->acc);
    o->acc >>= 8;
    o->acc_bits -= 8;
  }
}

static inline void put_bits(out *o, uint64_t v, unsigned n) {
  if (n <= 32) {
    put_bits32(o, (uint32_t)v, n);
    return;
  }
  put_bits32(o, (uint32_t)v, 32);
  put_bits32(o, (uint32_t)(v >> 32), n - 32);
}

static inline void flush_bits(out *o) {
  if (o->acc_bits > 0) put_u8(o, (uint8_t)o->acc);
  o->acc = 0;
  o->acc_bits = 0;
}

/* Packs n values of w bits (n * w a multiple of 8: whole bytes, as every caller's groups are)
 * LSB first, with 64-bit stores where the buffer has room; same bytes as put_bits one by one. */
static void pack_group(out *o, const uint64_t *values, size_t n, unsigned w) {
  size_t bytes = n * w / 8;
  if (o->acc_bits != 0 || o->len + bytes + 8 > o->cap || w > 56) {
    for (size_t k = 0; k < n; k++) put_bits(o, values[k], w);
    flush_bits(o);
    return;
  }
  uint8_t *p = o->buf + o->len;
  uint64_t mask = ((uint64_t)1 << w) - 1, acc = 0;
  unsigned bits = 0;
  for (size_t k = 0; k < n; k++) {
    acc |= (values[k] & mask) << bits;
    bits += w;
    if (bits >= 64) { /* w <= 56 and bits < 64 before: at most 56 bits spill over */
      memcpy(p, &acc, 8);
      p += 8;
      bits -= 64;
      acc = bits ? (values[k] & mask) >> (w - bits) : 0;
    }
  }
  while (bits >= 8) {
    *p++ = (uint8_t)acc;
    acc >>= 8;
    bits -= 8;
  }
  o->len += bytes;
}

static inline unsigned width64(uint64_t max) { return max == 0 ? 0 : 64 - (unsigned)__builtin_clzll(max); }

/* ---- RLE / bit-packed hybrid (encodeRleHybrid) ---------------------------------------------- */

/* One encoder body for two sources: dictionary ids (uint32) and validity bytes (0 = null, any
 * other value = present, read as 1). */
#define RLE_HYBRID(NAME, TYPE, VALUE)                                                               \
  static void NAME(out *o, const TYPE *values, size_t count, unsigned width) {                      \
    unsigned value_bytes = (width + 7) / 8;                                                         \
    size_t i = 0;                                                                                   \
    while (i < count) {                                                                             \
      uint32_t v = VALUE(values[i]);                                                                \
      size_t run = 1;                                                                               \
      while (i + run < count && VALUE(values[i + run]) == v) run++;                                 \
      if (run >= 8 || i + run == count) {                                                           \
        put_varint(o, (uint64_t)run * 2);                                                           \
        for (unsigned b = 0; b < value_bytes; b++) put_u8(o, (uint8_t)(v >> (8 * b)));              \
        i += run;                                                                                   \
        continue;                                                                                   \
      }                                                                                             \
      /* Bit-pack groups of 8 until a run of 8 equal values starts on a group boundary. */         \
      size_t groups = 0, j = i;                                                                     \
      for (;;) {                                                                                    \
        groups++;                                                                                   \
        j += 8;                                                                                     \
        if (j >= count || groups == 63) break;                                                      \
        size_t r = 1;                                                                               \
        while (r < 8 && j + r < count && VALUE(values[j + r]) == VALUE(values[j])) r++;             \
        if (r >= 8) break;                                                                          \
      }                                                                                             \
      put_varint(o, (uint64_t)groups * 2 + 1);                                                      \
      size_t stop = i + groups * 8;                                                                 \
      uint64_t group[8];                                                                            \
      for (size_t k = i; k < stop; k += 8) {                                                        \
        for (size_t g = 0; g < 8; g++) group[g] = k + g < count ? VALUE(values[k + g]) : 0;         \
        pack_group(o, group, 8, width);                                                             \
      }                                                                                             \
      i = stop < count ? stop : count;                                                              \
    }                                                                                               \
  }

#define AS_ID(v) ((uint32_t)(v))
#define AS_LEVEL(v) ((uint32_t)((v) != 0))
RLE_HYBRID(rle_ids, int32_t, AS_ID)
RLE_HYBRID(rle_levels, uint8_t, AS_LEVEL)
#define AS_PRESENT(v) ((uint32_t)((v) >= 0))
RLE_HYBRID(rle_present, int32_t, AS_PRESENT)

/* Definition levels with their u32 length prefix (writeLevels). Present = valid[i] != 0, or
 * ids[i] >= 0 for a string column; every row when both are NULL. */
static void levels_page(out *o, const uint8_t *valid, const int32_t *ids, size_t count) {
  size_t at = o->len;
  for (int b = 0; b < 4; b++) put_u8(o, 0);
  if (ids) rle_present(o, ids, count, 1);
  else if (valid) rle_levels(o, valid, count, 1);
  else if (count > 0) { /* one run of 1s, as the general encoder writes it */
    put_varint(o, (uint64_t)count * 2);
    put_u8(o, 1);
  }
  size_t n = o->len - at - 4;
  if (!o->overflow)
    for (int b = 0; b < 4; b++) o->buf[at + b] = (uint8_t)(n >> (8 * b));
}

/* ---- DELTA_BINARY_PACKED (encodeDeltaInt64 / encodeDeltaInt32) ------------------------------ */

#define BLOCK 128
#define MINIBLOCKS 4
#define MINI (BLOCK / MINIBLOCKS)

/* The present values of an int column, in row order, read in place (no copy of the column). */
typedef struct source {
  const void *data;
  int wide;             /* int64 values, else int32 */
  const uint8_t *valid; /* NULL: every row is present */
  size_t next;
} source;

static inline int64_t source_next(source *s) {
  if (s->valid)
    while (!s->valid[s->next]) s->next++;
  size_t i = s->next++;
  return s->wide ? ((const int64_t *)s->data)[i] : ((const int32_t *)s->data)[i];
}

/* `count` present values. INT64: deltas wrap modulo 2^64. INT32 (wrap32): modulo 2^32, so
 * widths never exceed 32. */
static void delta_packed(out *o, source *src, size_t count, int wrap32, int64_t *min_value, int64_t *max_value) {
  put_varint(o, BLOCK);
  put_varint(o, MINIBLOCKS);
  put_varint(o, count);
  int64_t prev = count > 0 ? source_next(src) : 0;
  put_zigzag(o, prev);
  int64_t lo = prev, hi = prev;
  int64_t deltas[BLOCK];
  uint64_t packed[BLOCK];
  for (size_t start = 1; start < count; start += BLOCK) {
    size_t n = count - start < BLOCK ? count - start : BLOCK;
    int64_t min = INT64_MAX;
    for (size_t k = 0; k < n; k++) {
      int64_t v = source_next(src);
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      uint64_t d = (uint64_t)v - (uint64_t)prev;
      prev = v;
      deltas[k] = wrap32 ? (int64_t)(int32_t)(uint32_t)d : (int64_t)d;
      if (deltas[k] < min) min = deltas[k];
    }
    unsigned widths[MINIBLOCKS];
    for (int m = 0; m < MINIBLOCKS; m++) {
      uint64_t max = 0;
      size_t stop = (size_t)(m + 1) * MINI < n ? (size_t)(m + 1) * MINI : n;
      for (size_t k = (size_t)m * MINI; k < stop; k++) {
        uint64_t a = (uint64_t)deltas[k] - (uint64_t)min;
        if (wrap32) a = (uint32_t)a;
        packed[k] = a;
        if (a > max) max = a;
      }
      widths[m] = width64(max);
    }
    put_zigzag(o, min);
    for (int m = 0; m < MINIBLOCKS; m++) put_u8(o, (uint8_t)widths[m]);
    for (int m = 0; m < MINIBLOCKS && (size_t)m * MINI < n; m++) {
      unsigned w = widths[m];
      if (w == 0) continue;
      for (size_t k = n; k < (size_t)(m + 1) * MINI; k++) packed[k] = 0; /* the last one's padding */
      pack_group(o, packed + (size_t)m * MINI, MINI, w);
    }
  }
  *min_value = lo;
  *max_value = hi;
}

/* ---- N-API ---------------------------------------------------------------------------------- */

typedef struct typed {
  napi_typedarray_type type;
  size_t length;
  void *data;
} typed;

static int get_typed(napi_env env, napi_value v, typed *t) {
  napi_valuetype vt;
  if (napi_typeof(env, v, &vt) != napi_ok || vt == napi_null || vt == napi_undefined) return 0;
  return napi_get_typedarray_info(env, v, &t->type, &t->length, &t->data, NULL, NULL) == napi_ok ? 1 : -1;
}

static napi_value fail(napi_env env, const char *message) {
  napi_throw_type_error(env, NULL, message);
  return NULL;
}

static napi_value written(napi_env env, const out *o) {
  napi_value result;
  napi_create_double(env, o->overflow ? -(double)o->len : (double)o->len, &result);
  return result;
}

/*
 * numericPage(values: BigInt64Array | Int32Array, valid: Uint8Array | null, count, nullable,
 *             out: Uint8Array, stats: BigInt64Array(3)) -> bytes written (negative: out too small,
 *             and minus the bytes it needs)
 *
 * The data page body of an int column: definition levels when nullable (all present without a
 * valid array), then DELTA_BINARY_PACKED of the present values. stats gets [present, min, max].
 */
static napi_value numeric_page(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 6) return fail(env, "numericPage: 6 arguments");
  typed values, valid = {0}, dest, stats;
  uint32_t count = 0;
  bool nullable = false;
  if (get_typed(env, argv[0], &values) != 1 ||
      (values.type != napi_bigint64_array && values.type != napi_int32_array))
    return fail(env, "numericPage: values must be a BigInt64Array or an Int32Array");
  int has_valid = get_typed(env, argv[1], &valid);
  if (has_valid < 0 || (has_valid && valid.type != napi_uint8_array))
    return fail(env, "numericPage: valid must be a Uint8Array or null");
  napi_get_value_uint32(env, argv[2], &count);
  napi_get_value_bool(env, argv[3], &nullable);
  if (get_typed(env, argv[4], &dest) != 1 || dest.type != napi_uint8_array)
    return fail(env, "numericPage: out must be a Uint8Array");
  if (get_typed(env, argv[5], &stats) != 1 || stats.type != napi_bigint64_array || stats.length < 3)
    return fail(env, "numericPage: stats must be a BigInt64Array of 3");
  if (count > values.length || (has_valid && count > valid.length))
    return fail(env, "numericPage: count exceeds the arrays");

  /* A column that may not hold nulls has none, whatever its valid array says. */
  const uint8_t *present_map = nullable && has_valid ? valid.data : NULL;
  source src = {.data = values.data, .wide = values.type == napi_bigint64_array, .valid = present_map};
  /* One pass over the values (the delta pass gathers min and max): they are cold in cache, and
   * reading them is most of this function's time. Only the validity bytes are read twice. */
  size_t n = count;
  if (present_map)
    for (uint32_t i = 0; i < count; i++) n -= present_map[i] == 0;
  out o = {.buf = dest.data, .cap = dest.length};
  if (nullable) levels_page(&o, present_map, NULL, count);
  int64_t min = 0, max = 0;
  delta_packed(&o, &src, n, !src.wide, &min, &max);
  int64_t *s = stats.data;
  s[0] = (int64_t)n;
  s[1] = min;
  s[2] = max;
  return written(env, &o);
}

/*
 * indexPage(indices: Int32Array, count, nullable, width, out: Uint8Array, stats: BigInt64Array(3))
 * -> bytes written (negative as above)
 *
 * The data page body of a dictionary-encoded string column: definition levels when nullable
 * (present = index >= 0), then, if any value is present, the bit width and the RLE/bit-packed
 * dictionary ids of the present values. stats[0] gets the count of present values.
 */
static napi_value index_page(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 6) return fail(env, "indexPage: 6 arguments");
  typed indices, dest, stats;
  uint32_t count = 0, width = 0;
  bool nullable = false;
  if (get_typed(env, argv[0], &indices) != 1 || indices.type != napi_int32_array)
    return fail(env, "indexPage: indices must be an Int32Array");
  napi_get_value_uint32(env, argv[1], &count);
  napi_get_value_bool(env, argv[2], &nullable);
  napi_get_value_uint32(env, argv[3], &width);
  if (get_typed(env, argv[4], &dest) != 1 || dest.type != napi_uint8_array)
    return fail(env, "indexPage: out must be a Uint8Array");
  if (get_typed(env, argv[5], &stats) != 1 || stats.type != napi_bigint64_array || stats.length < 3)
    return fail(env, "indexPage: stats must be a BigInt64Array of 3");
  if (count > indices.length || width > 32) return fail(env, "indexPage: count exceeds the array or width > 32");

  const int32_t *in = indices.data;
  size_t n = count;
  if (nullable)
    for (uint32_t i = 0; i < count; i++) n -= in[i] < 0;
  ((int64_t *)stats.data)[0] = (int64_t)n;
  out o = {.buf = dest.data, .cap = dest.length};
  if (nullable) levels_page(&o, NULL, in, count);
  if (n > 0) {
    put_u8(&o, (uint8_t)width);
    if (n == count) rle_ids(&o, in, n, width);
    else { /* the ids of present rows only */
      int32_t *ids = malloc(sizeof(int32_t) * n);
      if (!ids) {
        napi_throw_error(env, NULL, "indexPage: out of memory");
        return NULL;
      }
      size_t j = 0;
      for (uint32_t i = 0; i < count; i++)
        if (in[i] >= 0) ids[j++] = in[i];
      rle_ids(&o, ids, n, width);
      free(ids);
    }
  }
  return written(env, &o);
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "numericPage", NAPI_AUTO_LENGTH, numeric_page, NULL, &fn);
  napi_set_named_property(env, exports, "numericPage", fn);
  napi_create_function(env, "indexPage", NAPI_AUTO_LENGTH, index_page, NULL, &fn);
  napi_set_named_property(env, exports, "indexPage", fn);
  return exports;
}
