// mcp-route's second native function: give back, once the router is idle after start-up, the
// memory start-up used and no longer needs (see the README's Start-up section, and
// src/util/release-memory.ts for when it is called).
// - V8: Isolate::LowMemoryNotification() runs the full collections V8's memory reducer runs
//   after some 10 s idle (memory-reducing mode: compaction, bytecode of functions not running
//   flushed, the new space shrunk, pooled pages unmapped). Node 20 offers no way to ask for it
//   from JavaScript: gc() from --expose-gc and its 'last-resort' flavour gave nothing back here.
// - glibc: malloc_trim(0) returns the free pages of the C heap's arenas (parsing, compiling,
//   module loading) to the kernel; glibc otherwise keeps them mapped.
// Separate from harden.c on purpose: this uses the V8 C++ API, not the stable Node-API, so a
// Node upgrade without a rebuild may leave it unloadable; the hardening addon must not fail
// with it.
#include <node_api.h>
#include <v8.h>
#if defined(__linux__) && defined(__GLIBC__)
#include <malloc.h>
#endif

static napi_value ReleaseMemory(napi_env env, napi_callback_info info) {
  (void)info;
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  if (isolate != nullptr) isolate->LowMemoryNotification();
#if defined(__linux__) && defined(__GLIBC__)
  malloc_trim(0);
#endif
  napi_value result;
  napi_get_undefined(env, &result);
  return result;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "releaseMemory", NAPI_AUTO_LENGTH, ReleaseMemory, nullptr, &fn);
  napi_set_named_property(env, exports, "releaseMemory", fn);
  return exports;
}
