// The proxy's frame scanner in C: src/proxy/json-top-level.ts `rpcMembers` (the top-level id,
// method, params and whether result/error is there) and, for host frames, era.ts
// `readModernParams` (a 2026 request's params and their `_meta`) on the way, ported line for
// line so that it returns exactly what the JavaScript returns for every input (the last
// duplicate wins, escaped keys give ESCAPED_KEY, malformed frames give nothing); the JavaScript
// stays the reference and the fallback (test/proxy/native-scan.test.ts compares the two).
// Every read is bounds-checked: the frame comes from an untrusted server or host.
//
// The call is kept cheap: the results go into an Int32Array handed over once (scanInit), the
// call returns a small int, and nothing is allocated here per frame.
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "addon.h"

#define QUOTE 0x22
#define BACKSLASH 0x5c
/** Bytes of a string walked one by one before memchr takes over (json-top-level.ts SHORT_STRING). */
#define SHORT_STRING 64
/** One of the four keys written with escapes takes at most 6 bytes a character (json-top-level.ts MAX_ESCAPED_KEY). */
#define MAX_ESCAPED_KEY 36

/** What scanRpc returns (and writes to out[OUT_STATUS]): rpcMembers' three outcomes, and one for frames too long for int32 offsets. */
enum { SCAN_INVALID = 0, SCAN_MEMBERS = 1, SCAN_ESCAPED_KEY = 2, SCAN_TOO_LONG = 3 };

/**
 * The layout of the Int32Array (src/proxy/frame-scan.ts reads it with the same indices). A
 * span is [start, end), -1 when absent. A "found" block is objectMembers' FoundMembers: its
 * flag (1 when read), three spans, whether the object was empty, and its own span.
 */
enum {
  OUT_STATUS = 0,
  OUT_ID = 1,       /* 2 ints */
  OUT_METHOD = 3,   /* 2 ints */
  OUT_PARAMS = 5,   /* 2 ints */
  OUT_RESULT = 7,
  OUT_ERROR = 8,
  OUT_OUTER = 9,    /* the params object as readModernParams read it (FOUND_SIZE ints) */
  OUT_META = 19,    /* its `_meta` (FOUND_SIZE ints) */
  OUT_SIZE = 29,
};
enum { FOUND_FLAG = 0, FOUND_SPANS = 1, FOUND_EMPTY = 7, FOUND_SPAN = 8, FOUND_SIZE = 10 };

typedef long pos; /* an index into the frame; may run past its end, like a JavaScript index */

typedef struct {
  const uint8_t* b;
  pos n;
} frame;

/** b[i], or -1 past either end (where JavaScript reads undefined, which equals no byte). */
static inline int byte_at(const frame* f, pos i) {
  return i >= 0 && i < f->n ? f->b[i] : -1;
}

static inline int is_space(int c) {
  return c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d;
}

static pos skip_space(const frame* f, pos i) {
  while (i < f->n && is_space(f->b[i])) i++;
  return i;
}

static inline pos min_pos(pos a, pos b) {
  return a < b ? a : b;
}

/** skipLongString: past the string whose body continues at k (not inside an escape), or -1. */
static pos skip_long_string(const frame* f, pos k) {
  for (;;) {
    if (k < 0 || k >= f->n) return -1;
    const uint8_t* hit = memchr(f->b + k, QUOTE, (size_t)(f->n - k));
    if (hit == NULL) return -1;
    pos q = hit - f->b;
    pos j = q - 1;
    while (j >= k && f->b[j] == BACKSLASH) j--;
    if ((q - 1 - j) % 2 == 0) return q + 1;
    k = q + 1;
  }
}

/** skipString: past the string starting at b[i] (a quote), or -1. */
static pos skip_string(const frame* f, pos i) {
  pos k = i + 1;
  pos near = min_pos(k + SHORT_STRING, f->n);
  while (k < near) {
    int c = f->b[k];
    if (c == QUOTE) return k + 1;
    k += c == BACKSLASH ? 2 : 1;
  }
  return k < f->n ? skip_long_string(f, k) : -1;
}

/** skipComposite: past the object or array starting at b[i], without recursion; -1 if unterminated. */
static pos skip_composite(const frame* f, pos i) {
  const pos n = f->n;
  const uint8_t* b = f->b;
  long depth = 0;
  while (i < n) {
    int d = b[i++];
    if (d == QUOTE) {
      pos near = min_pos(i + SHORT_STRING, n);
      for (;;) {
        if (i >= near) {
          if (i >= n) return -1;
          i = skip_long_string(f, i);
          if (i == -1) return -1;
          break;
        }
        int c = b[i++];
        if (c == QUOTE) break;
        if (c == BACKSLASH) i++;
      }
      continue;
    }
    int folded = d | 0x20; /* '[' | 0x20 is '{', ']' | 0x20 is '}' */
    if (folded == 0x7b) depth++;
    else if (folded == 0x7d && --depth == 0) return i;
  }
  return -1;
}

/** skipValue: past the value starting at b[i], or -1 when it is malformed or unterminated. */
static pos skip_value(const frame* f, pos i) {
  int c = byte_at(f, i);
  if (c == QUOTE) return skip_string(f, i);
  if (c == 0x7b || c == 0x5b) return skip_composite(f, i);
  pos start = i;
  while (i < f->n) {
    int d = f->b[i];
    if (d == 0x2c || d == 0x7d || d == 0x5d || is_space(d)) break;
    i++;
  }
  return i > start ? i : -1;
}

/** spells: b[at..] spells word (ASCII) byte for byte, within the frame. */
static int spells(const frame* f, pos at, const char* word, pos length) {
  if (at < 0 || at + length > f->n) return 0;
  return memcmp(f->b + at, word, (size_t)length) == 0;
}

/** hasBackslash: whether b[start..end) holds a backslash. */
static int has_backslash(const frame* f, pos start, pos end) {
  if (start < 0 || end > f->n || end <= start) return 0;
  return memchr(f->b + start, BACKSLASH, (size_t)(end - start)) != NULL;
}

typedef struct {
  const char* text;
  pos length;
} key;

#define KEY(s) {s, sizeof(s) - 1}
/** era.ts PARAMS_KEYS and META_KEYS, in their order. */
static const key PARAMS_KEYS[3] = {KEY("_meta"), KEY("inputResponses"), KEY("requestState")};
static const key META_KEYS[3] = {KEY("io.modelcontextprotocol/protocolVersion"), KEY("io.modelcontextprotocol/clientCapabilities"), KEY("progressToken")};
static const key META = KEY("_meta");

/** objectMembers' FoundMembers, written straight into the output block (flag set by the caller). */
static void found_clear(int32_t* found) {
  for (int k = 0; k < FOUND_SIZE; k++) found[k] = -1;
  found[FOUND_FLAG] = 0;
}

/**
 * objectMembers(b, start, keys, inner?) for the three keys given, writing the FoundMembers to
 * `found`; with `inner` (the `_meta` block, or NULL) the members of the last `_meta` object are
 * read on the way. Returns 1 when read, 0 where the JavaScript returns undefined.
 */
static int object_members(const frame* f, pos start, const key* keys, int32_t* found, int32_t* inner) {
  found_clear(found);
  pos i = skip_space(f, start);
  if (byte_at(f, i) != 0x7b) return 0;
  pos open = i;
  i = skip_space(f, i + 1);
  int empty = 1;
  if (byte_at(f, i) != 0x7d) {
    for (;;) {
      if (byte_at(f, i) != QUOTE) return 0;
      pos key_end = skip_string(f, i);
      if (key_end == -1) return 0;
      pos first = i + 1;
      pos length = key_end - 1 - first;
      if (has_backslash(f, first, key_end - 1)) return 0; /* escaped keys are left to a parser */
      i = skip_space(f, key_end);
      if (byte_at(f, i) != 0x3a) return 0;
      i = skip_space(f, i + 1);
      empty = 0;
      pos value_start = i;
      pos value_end;
      if (inner != NULL && META.length == length && spells(f, first, META.text, META.length)) {
        if (byte_at(f, value_start) == 0x7b) {
          if (!object_members(f, value_start, META_KEYS, inner, NULL)) return 0;
          inner[FOUND_FLAG] = 1;
          value_end = inner[FOUND_SPAN + 1];
        } else {
          found_clear(inner); /* a later duplicate that is not an object wins */
          value_end = skip_value(f, value_start);
        }
      } else value_end = skip_value(f, value_start);
      if (value_end == -1) return 0;
      for (int k = 0; k < 3; k++) {
        if (keys[k].length == length && spells(f, first, keys[k].text, length)) {
          found[FOUND_SPANS + 2 * k] = (int32_t)value_start;
          found[FOUND_SPANS + 2 * k + 1] = (int32_t)value_end;
        }
      }
      i = skip_space(f, value_end);
      if (byte_at(f, i) == 0x2c) {
        i = skip_space(f, i + 1);
        continue;
      }
      if (byte_at(f, i) != 0x7d) return 0;
      break;
    }
  }
  found[FOUND_EMPTY] = empty;
  found[FOUND_SPAN] = (int32_t)open;
  found[FOUND_SPAN + 1] = (int32_t)(i + 1);
  return 1;
}

/**
 * readModernParams as the proxy's ParamsReader: reads the params object at `start` into the
 * outer and `_meta` blocks; the index just past it, or -1 (then skipped as usual).
 */
static pos read_params(const frame* f, pos start, int32_t* out) {
  int32_t* outer = out + OUT_OUTER;
  int32_t* meta = out + OUT_META;
  found_clear(meta);
  if (!object_members(f, start, PARAMS_KEYS, outer, meta)) {
    found_clear(outer);
    found_clear(meta);
    return -1;
  }
  outer[FOUND_FLAG] = 1;
  return outer[FOUND_SPAN + 1];
}

static void set_span(int32_t* out, int at, pos start, pos end) {
  out[at] = (int32_t)start;
  out[at + 1] = (int32_t)end;
}

/** rpcMembers(b, readParams?) with out as its result; returns the SCAN_* outcome. */
static int rpc_members(const frame* f, int with_params, int32_t* out) {
  const pos n = f->n;
  const uint8_t* b = f->b;
  for (int k = OUT_ID; k < OUT_RESULT; k++) out[k] = -1;
  out[OUT_RESULT] = 0;
  out[OUT_ERROR] = 0;
  found_clear(out + OUT_OUTER);
  found_clear(out + OUT_META);
  pos i = skip_space(f, 0);
  if (byte_at(f, i) != 0x7b) return SCAN_INVALID;
  i = skip_space(f, i + 1);
  if (byte_at(f, i) != 0x7d) {
    for (;;) {
      if (byte_at(f, i) != QUOTE) return SCAN_INVALID;
      pos first = i + 1;
      pos k = first;
      int escaped = 0;
      pos near = min_pos(first + SHORT_STRING, n);
      for (;;) {
        if (k >= near) {
          /* A long key is none of the four, escaped or not. */
          k = k < n ? skip_long_string(f, k) - 1 : -1;
          if (k < 0) return SCAN_INVALID;
          escaped = 0;
          break;
        }
        int c = b[k];
        if (c == QUOTE) break;
        if (c == BACKSLASH) {
          escaped = 1;
          k += 2;
        } else k++;
      }
      pos length = k - first;
      i = skip_space(f, k + 1);
      if (byte_at(f, i) != 0x3a) return SCAN_INVALID;
      i = skip_space(f, i + 1);
      pos value_start = i;
      int first_byte = byte_at(f, first);
      int is_params = length == 6 && first_byte == 'p' && spells(f, first, "params", 6);
      pos read = is_params && with_params ? read_params(f, value_start, out) : -1;
      pos value_end = read == -1 ? skip_value(f, value_start) : read;
      if (value_end == -1) return SCAN_INVALID;
      if (length == 2) {
        if (first_byte == 'i' && byte_at(f, first + 1) == 'd') set_span(out, OUT_ID, value_start, value_end);
      } else if (length == 6) {
        if (is_params) set_span(out, OUT_PARAMS, value_start, value_end);
        else if (first_byte == 'm' && spells(f, first, "method", 6)) set_span(out, OUT_METHOD, value_start, value_end);
        else if (first_byte == 'r' && spells(f, first, "result", 6)) out[OUT_RESULT] = 1;
      } else if (length == 5 && first_byte == 'e' && spells(f, first, "error", 5)) out[OUT_ERROR] = 1;
      if (escaped && length <= MAX_ESCAPED_KEY) return SCAN_ESCAPED_KEY;
      i = skip_space(f, value_end);
      if (byte_at(f, i) == 0x2c) {
        i = skip_space(f, i + 1);
        continue;
      }
      if (byte_at(f, i) != 0x7d) return SCAN_INVALID;
      break;
    }
  }
  i = skip_space(f, i + 1);
  return i == n ? SCAN_MEMBERS : SCAN_INVALID;
}

/**
 * ScanInit's and ScanRpc's callback data: the output array of one Node environment (the main
 * thread and each worker load the addon into their own), kept alive by a reference. Per
 * environment, not a static: a worker's scanInit must not redirect the main thread's results.
 */
void* ScanStateCreate(void) {
  return calloc(1, sizeof(scan_state));
}

void ScanStateFree(napi_env env, void* state, void* hint) {
  (void)env;
  (void)hint;
  free(state);
}

/** scanInit(out: Int32Array): where every scan writes; at least OUT_SIZE elements. Returns OUT_SIZE. */
napi_value ScanInit(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg;
  napi_typedarray_type type;
  size_t length = 0;
  void* data = NULL;
  scan_state* state = NULL;
  napi_value result;
  if (napi_get_cb_info(env, info, &argc, &arg, NULL, (void**)&state) != napi_ok || state == NULL || argc < 1 ||
      napi_get_typedarray_info(env, arg, &type, &length, &data, NULL, NULL) != napi_ok || type != napi_int32_array || length < OUT_SIZE) {
    napi_throw_type_error(env, NULL, "scanInit needs an Int32Array of at least 29 elements");
    return NULL;
  }
  if (state->out_ref != NULL) napi_delete_reference(env, state->out_ref);
  state->out_ref = NULL;
  state->out = NULL;
  if (napi_create_reference(env, arg, 1, &state->out_ref) != napi_ok) {
    napi_throw_error(env, NULL, "scanInit could not keep its array");
    return NULL;
  }
  state->out = data;
  napi_create_int32(env, OUT_SIZE, &result);
  return result;
}

/** scanRpc(frame, withParams): rpcMembers of the Buffer (with the params read when withParams is true), written to the array; the SCAN_* outcome. */
napi_value ScanRpc(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value args[2];
  void* data = NULL;
  size_t length = 0;
  bool with_params = false;
  scan_state* state = NULL;
  napi_value result;
  if (napi_get_cb_info(env, info, &argc, args, NULL, (void**)&state) != napi_ok || state == NULL || state->out == NULL) {
    napi_throw_error(env, NULL, "scanRpc before scanInit");
    return NULL;
  }
  int32_t* scan_out = state->out;
  if (argc < 2 || napi_get_buffer_info(env, args[0], &data, &length) != napi_ok ||
      napi_get_value_bool(env, args[1], &with_params) != napi_ok) {
    napi_throw_type_error(env, NULL, "scanRpc needs a Buffer and a boolean");
    return NULL;
  }
  int status;
  if (length > INT32_MAX - 2) {
    status = SCAN_TOO_LONG; /* offsets are int32: the JavaScript reads such a frame */
  } else {
    frame f = {data != NULL ? data : (const uint8_t*)"", (pos)length};
    status = rpc_members(&f, with_params, scan_out);
  }
  scan_out[OUT_STATUS] = status;
  napi_create_int32(env, status, &result);
  return result;
}
