# The kqueue backend addon. Include paths are resolved through Node's module resolution, so the build works
# from this workspace and from an installed package alike. Release builds are optimised; the Debug
# configuration is the sanitizer build (`npm run build:asan`), which the tests load when XEV_KQUEUE_DEBUG=1.
# On Linux there is no kqueue: the same sources build against emul/ (kqueue emulated on epoll) with
# XEV_KQUEUE_EMULATED, a target for tests only.
{
  "targets": [
    {
      "target_name": "xev_kqueue",
      "sources": [
        "src/addon.cc",
        "src/attach.cc",
        "src/engine.cc",
        "src/ops.cc",
        "src/poller.cc",
        "src/pool.cc",
        "src/probe.cc",
        "src/process.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<!(node -p \"require('path').join(require('path').dirname(require.resolve('@xev/core/package.json')), 'native', 'include')\")"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "conditions": [
        ["OS=='linux'", {
          "sources": ["emul/kqueue.cc", "emul/knotes.cc"],
          "include_dirs": ["emul"],
          "defines": ["XEV_KQUEUE_EMULATED", "_GNU_SOURCE"]
        }],
        ["OS=='mac'", {
          "xcode_settings": {
            "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
            "GCC_ENABLE_CPP_EXCEPTIONS": "NO",
            "MACOSX_DEPLOYMENT_TARGET": "10.15",
            "OTHER_CPLUSPLUSFLAGS": ["-Wall", "-Wextra", "-Wno-unused-parameter", "-fvisibility=hidden"]
          },
          "configurations": {
            "Debug": {
              "xcode_settings": {
                "OTHER_CPLUSPLUSFLAGS": ["-O1", "-g", "-fsanitize=address,undefined", "-fno-omit-frame-pointer", "-fno-sanitize-recover=undefined"],
                "OTHER_LDFLAGS": ["-fsanitize=address,undefined"]
              }
            }
          }
        }]
      ],
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
