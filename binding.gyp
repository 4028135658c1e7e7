{
  "targets": [
    {
      "target_name": "mcp_route_harden",
      "sources": ["native/harden.c"]
    },
    {
      "target_name": "mcp_route_memory",
      "sources": ["native/memory.cc"]
    }
  ]
}
