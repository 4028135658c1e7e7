// The functions of mcp-route's Node-API addon (build/Release/mcp_route_native.node), one
// module init for all of them (native/addon.c): the proxy loads it once at start-up.
#ifndef MCP_ROUTE_ADDON_H
#define MCP_ROUTE_ADDON_H
#include <node_api.h>
#include <stdint.h>

/** native/harden.c: prctl(PR_SET_DUMPABLE, 0). */
napi_value SetNonDumpable(napi_env env, napi_callback_info info);
/** native/scan.c: the proxy's frame scanner. */
typedef struct {
  int32_t* out;
  napi_ref out_ref;
} scan_state;
void* ScanStateCreate(void);
void ScanStateFree(napi_env env, void* state, void* hint);
napi_value ScanInit(napi_env env, napi_callback_info info);
napi_value ScanRpc(napi_env env, napi_callback_info info);

#endif
