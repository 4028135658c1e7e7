// native/scan.c under AddressSanitizer and UBSan, outside Node: its walk fed millions of
// mutated JSON-RPC frames (byte changes, insertions, deletions, duplicated runs, truncation),
// each copied into a heap block of exactly its size, so any read past a frame's end is
// reported. Run: tools/asan-scan/run.sh [frames] (needs gcc; not part of npm test).
// The Node-API functions scan.c's glue calls are stubbed: only the walk (rpc_members) runs.
#include "../../native/scan.c"
#include <stdio.h>

napi_status napi_get_cb_info(napi_env e, napi_callback_info i, size_t* a, napi_value* v, napi_value* t, void** d) { return napi_generic_failure; }
napi_status napi_get_typedarray_info(napi_env e, napi_value v, napi_typedarray_type* t, size_t* l, void** d, napi_value* b, size_t* o) { return napi_generic_failure; }
napi_status napi_get_buffer_info(napi_env e, napi_value v, void** d, size_t* l) { return napi_generic_failure; }
napi_status napi_get_value_bool(napi_env e, napi_value v, bool* r) { return napi_generic_failure; }
napi_status napi_create_reference(napi_env e, napi_value v, uint32_t c, napi_ref* r) { return napi_generic_failure; }
napi_status napi_delete_reference(napi_env e, napi_ref r) { return napi_generic_failure; }
napi_status napi_create_int32(napi_env e, int32_t v, napi_value* r) { return napi_generic_failure; }
napi_status napi_throw_error(napi_env e, const char* c, const char* m) { return napi_generic_failure; }
napi_status napi_throw_type_error(napi_env e, const char* c, const char* m) { return napi_generic_failure; }
/** xorshift64: the same frames on every run. */
static unsigned long long s = 88172645463325252ULL;
static unsigned rnd(void) { s ^= s << 13; s ^= s >> 7; s ^= s << 17; return (unsigned)s; }
/** Frames every mutation starts from: 2025 and 2026 requests, a response, escaped and duplicate keys, blanks, a batch. */
static const char* seeds[] = {
  "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"a\\\"b\\\\\"},\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\",\"io.modelcontextprotocol/clientCapabilities\":{\"sampling\":{}},\"progressToken\":\"t\"}}}",
  "{\"id\":\"a\",\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"hi\"}]},\"jsonrpc\":\"2.0\"}",
  "{\"m\\u0065thod\":\"x\",\"id\":1,\"method\":\"y\",\"params\":[1,2,{\"a\":[[[]]]}],\"error\":{}}",
  " { \"params\" : { \"_meta\" : { } , \"inputResponses\" : {\"k\":{}} , \"requestState\" : \"zz\" } } ",
  "[{\"id\":1},{\"id\":2}]",
};
/** The bytes mutations write: JSON structure, blanks, backslashes and letters of the keys scan.c looks for. */
static const char alphabet[] = "{}[]\",:\\ \t\r\nabcdeimnoprstu0123456789_/.-";
int main(int argc, char** argv) {
  long iters = argc > 1 ? atol(argv[1]) : 1000000;
  static uint8_t buf[4096];
  int32_t out[OUT_SIZE];
  long members = 0;
  for (long it = 0; it < iters; it++) {
    const char* seed = seeds[rnd() % 5];
    size_t n = strlen(seed);
    memcpy(buf, seed, n);
    int muts = rnd() % 6;
    for (int m = 0; m < muts; m++) {
      unsigned op = rnd() % 4;
      size_t at = n ? rnd() % n : 0;
      if (op == 0 && n) buf[at] = alphabet[rnd() % (sizeof alphabet - 1)];
      else if (op == 1 && n + 1 < sizeof buf) { memmove(buf + at + 1, buf + at, n - at); buf[at] = alphabet[rnd() % (sizeof alphabet - 1)]; n++; }
      else if (op == 2 && n) { memmove(buf + at, buf + at + 1, n - at - 1); n--; }
      else if (op == 3 && n * 2 < sizeof buf && n) { size_t len = rnd() % (n - at + 1); memmove(buf + n, buf + at, len); n += len; }
    }
    if (rnd() % 4 == 0) n = n ? rnd() % (n + 1) : 0; /* truncation */
    uint8_t* exact = malloc(n ? n : 1);
    memcpy(exact, buf, n);
    frame f = {exact, (pos)n};
    memset(out, 0x55, sizeof out);
    int r1 = rpc_members(&f, 0, out);
    int r2 = rpc_members(&f, 1, out);
    if (r1 == SCAN_MEMBERS) members++;
    (void)r2;
    free(exact);
  }
  printf("%ld frames, %ld read as members\n", iters, members);
  return 0;
}
