{
  "targets": [
    {
      "target_name": "mcp_route_native",
      "sources": ["native/addon.c", "native/harden.c", "native/scan.c"]
    },
    {
      "target_name": "mcp_route_engine",
      "sources": ["native/engine.cc"]
    }
  ]
}
