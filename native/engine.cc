// mcp-route's second addon: two things asked of V8 and glibc that Node offers no JavaScript
// for without loading more of itself (node:v8 and the modules it brings held about 0.3 MiB
// more in an idle router, seventh wave). src/util/engine.ts loads it and says when each is called.
// - releaseMemory(): once the router is idle after start-up, give back the memory start-up used
//   and no longer needs (see the README's Start-up section, and src/util/release-memory.ts).
//   V8: Isolate::LowMemoryNotification() runs the full collections V8's memory reducer runs
//   after some 10 s idle (memory-reducing mode: compaction, bytecode of functions not running
//   flushed, the new space shrunk, pooled pages unmapped). Node 20 offers no way to ask for it
//   from JavaScript: gc() from --expose-gc and its 'last-resort' flavour gave nothing back here.
//   glibc: malloc_trim(0) returns the free pages of the C heap's arenas (parsing, compiling,
//   module loading) to the kernel; glibc otherwise keeps them mapped.
// - setFlags(text): V8::SetFlagsFromString, what node:v8's setFlagsFromString calls (Node
//   leaves V8's flags unfrozen after start for it). Used for the JIT's tier-up budget
//   (src/util/engine.ts, tierUpSooner).
// Separate from harden.c on purpose: this uses the V8 C++ API, not the stable Node-API, so a
// Node upgrade without a rebuild may leave it unloadable; the hardening addon must not fail
// with it.
#include <node_api.h>
#include <v8.h>
#include <string>
#if defined(__linux__) && defined(__GLIBC__)
#include <malloc.h>
#endif

static napi_value Undefined(napi_env env) {
  napi_value result;
  napi_get_undefined(env, &result);
  return result;
}

static napi_value ReleaseMemory(napi_env env, napi_callback_info info) {
  (void)info;
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  if (isolate != nullptr) isolate->LowMemoryNotification();
#if defined(__linux__) && defined(__GLIBC__)
  malloc_trim(0);
#endif
  return Undefined(env);
}

/** setFlags(text): hands `text` (V8 command-line flags) to V8; a non-string is ignored. */
static napi_value SetFlags(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 1) return Undefined(env);
  size_t length = 0;
  if (napi_get_value_string_utf8(env, argv[0], nullptr, 0, &length) != napi_ok) return Undefined(env);
  std::string flags(length, '\0');
  napi_get_value_string_utf8(env, argv[0], flags.data(), length + 1, &length);
  v8::V8::SetFlagsFromString(flags.c_str(), length);
  return Undefined(env);
}

static void Export(napi_env env, napi_value exports, const char* name, napi_callback cb) {
  napi_value fn;
  if (napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, nullptr, &fn) == napi_ok) napi_set_named_property(env, exports, name, fn);
}

NAPI_MODULE_INIT() {
  Export(env, exports, "releaseMemory", ReleaseMemory);
  Export(env, exports, "setFlags", SetFlags);
  return exports;
}
