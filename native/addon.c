// mcp-route's Node-API addon: the hardening (harden.c) and the proxy's frame scanner (scan.c)
// in one .node, so the proxy's start-up opens one file for both.
#include "addon.h"
#include <stdlib.h>

static void export_function(napi_env env, napi_value exports, const char* name, napi_callback cb, void* data) {
  napi_value fn;
  if (napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, data, &fn) == napi_ok) napi_set_named_property(env, exports, name, fn);
}

NAPI_MODULE_INIT() {
  export_function(env, exports, "setNonDumpable", SetNonDumpable, NULL);
  // The scanner's state belongs to this environment (a worker has its own), freed with it.
  void* state = ScanStateCreate();
  if (state != NULL && napi_set_instance_data(env, state, ScanStateFree, NULL) == napi_ok) {
    export_function(env, exports, "scanInit", ScanInit, state);
    export_function(env, exports, "scanRpc", ScanRpc, state);
  } else {
    free(state);
  }
  return exports;
}
