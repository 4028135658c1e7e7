// mcp-route's Node-API addon: the hardening (harden.c) and the proxy's frame scanner (scan.c)
// in one .node, so the proxy's start-up opens one file for both.
#include "addon.h"

static void export_function(napi_env env, napi_value exports, const char* name, napi_callback cb) {
  napi_value fn;
  if (napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, NULL, &fn) == napi_ok) napi_set_named_property(env, exports, name, fn);
}

NAPI_MODULE_INIT() {
  export_function(env, exports, "setNonDumpable", SetNonDumpable);
  export_function(env, exports, "scanInit", ScanInit);
  export_function(env, exports, "scanRpc", ScanRpc);
  return exports;
}
