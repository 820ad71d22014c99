{
  "targets": [
    {
      "target_name": "interposer_fuse",
      "sources": [
        "src/addon.c",
        "src/passthrough.c",
        "src/inode_table.c",
        "src/trace_buffer.c",
        "src/proc_cache.c",
        "src/overlay_bridge.c",
        "src/scratch.c",
        "src/path_scopes.c"
      ],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-std=gnu11", "<!@(pkg-config fuse3 --cflags-only-other)"],
      "include_dirs": ["<!@(pkg-config fuse3 --cflags-only-I | sed 's/-I//g')"],
      "libraries": ["<!@(pkg-config fuse3 --libs)", "-lpthread"],
      "defines": ["FUSE_USE_VERSION=312", "_GNU_SOURCE", "NAPI_VERSION=8"]
    }
  ]
}
