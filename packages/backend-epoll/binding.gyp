# The epoll backend addon. Include paths are resolved through Node's module resolution, so the build works
# from this workspace and from an installed package alike. Release builds are optimised; the Debug
# configuration is the sanitizer build (`npm run build:asan`), which the tests load when XEV_EPOLL_DEBUG=1.
{
  "targets": [
    {
      "target_name": "xev_epoll",
      "sources": [
        "src/addon.cc",
        "src/attach.cc",
        "src/engine.cc",
        "src/ops.cc",
        "src/poller.cc",
        "src/pool.cc",
        "src/probe.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<!(node -p \"require('path').join(require('path').dirname(require.resolve('@xev/core/package.json')), 'native', 'include')\")"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "_GNU_SOURCE"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17"],
      "cflags_cc": ["-std=gnu++17", "-fno-exceptions", "-Wall", "-Wextra", "-Wno-unused-parameter", "-fvisibility=hidden"],
      "ldflags": ["-pthread"],
      "configurations": {
        "Release": {
          "cflags_cc": ["-O2"]
        },
        "Debug": {
          "cflags_cc": ["-O1", "-g", "-fsanitize=address,undefined", "-fno-omit-frame-pointer", "-fno-sanitize-recover=undefined"],
          "ldflags": ["-fsanitize=address,undefined"]
        }
      }
    }
  ]
}
