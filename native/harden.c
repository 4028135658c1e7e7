// mcp-route's hardening: prctl(PR_SET_DUMPABLE, 0) on Linux. A non-dumpable
// process's /proc/<pid>/environ, mem, maps... belong to root, so a server running as the same
// user cannot read the provider keys mcp-route was started with. Elsewhere it reports false.
#include "addon.h"
#ifdef __linux__
#include <sys/prctl.h>
#endif

napi_value SetNonDumpable(napi_env env, napi_callback_info info) {
  (void)info;
  int ok = 0;
#ifdef __linux__
  ok = prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0 && prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0;
#endif
  napi_value result;
  napi_get_boolean(env, ok, &result);
  return result;
}
