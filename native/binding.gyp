{
  "targets": [
    {
      "target_name": "interposer_fuse",
      "sources": [
        "src/addon.c",
        "src/passthrough.c",
        "src/dispatch.c",
        "src/inode_table.c",
        "src/trace_buffer.c",
        "src/proc_cache.c",
        "src/task_events.c",
        "src/overlay_bridge.c",
        "src/scratch.c",
        "src/splice_pipe.c",
        "src/path_scopes.c",
        "src/transport.c",
        "src/offload.c",
        "src/detach.c",
        "src/peer_cred.c",
        "src/fuse_options.c"
      ],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-std=gnu11", "<!@(bash fuse-config.sh cflags)"],
      "include_dirs": ["<!@(bash fuse-config.sh include_dirs)"],
      "libraries": ["<!@(bash fuse-config.sh libs)", "-lpthread"],
      "defines": ["FUSE_USE_VERSION=312", "_GNU_SOURCE", "NAPI_VERSION=8"]
    },
    {
      "target_name": "interposer_creds",
      "sources": ["src/creds.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-std=gnu11"],
      "defines": ["_GNU_SOURCE", "NAPI_VERSION=8"]
    },
    {
      "target_name": "interposer_parquet",
      "sources": ["src/parquet_pages.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-std=gnu11"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
