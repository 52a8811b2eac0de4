{
  "targets": [
    {
      "target_name": "xev_iouring",
      "sources": [
        "src/addon.cc",
        "src/attach.cc",
        "src/engine.cc",
        "src/ops.cc",
        "src/probe.cc",
        "src/ring.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<!(node -p \"require('path').join(require('path').dirname(require.resolve('@xev/core/package.json')), 'native', 'include')\")",
        "src"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags_cc": ["-std=c++17", "-fno-exceptions", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-missing-field-initializers"],
      "cflags_cc!": ["-fno-rtti"],
      "conditions": [
        ["OS!='linux'", { "type": "none", "sources": [] }],
        ["xev_sanitize=='true'", {
          "cflags_cc": ["-fsanitize=address,undefined", "-fno-omit-frame-pointer", "-O1", "-g"],
          "ldflags": ["-fsanitize=address,undefined"]
        }]
      ]
    }
  ],
  "variables": { "xev_sanitize%": "false" }
}
