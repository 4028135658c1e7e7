{
  "targets": [
    {
      "target_name": "mcp_route_harden",
      "sources": ["native/harden.c"]
    }
  ]
}
