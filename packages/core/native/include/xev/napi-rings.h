// N-API glue for reading the loop's shared rings (layout.ts): the `sq` and `cq` Float64Arrays and the
// parallel `objects` array of data and auxiliary buffers. Only a backend's addon file includes this.
//
// Pointers come from napi_get_typedarray_info / napi_get_dataview_info, which move an on-heap typed
// array's bytes off the V8 heap the first time, so the pointer stays valid while the loop keeps the
// view referenced (it does, until the completion is reported).
#pragma once

#include <errno.h>
#include <node_api.h>
#include <stddef.h>
#include <stdint.h>

#include "layout.h"

namespace xev {

// What ViewAt found in one slot of `objects`.
struct View {
  void* data = nullptr;
  size_t bytes = 0;
  // The element type of a typed array; -1 for a DataView.
  int type = -1;
};

inline size_t TypedArrayElementSize(napi_typedarray_type type) {
  switch (type) {
    case napi_int8_array: case napi_uint8_array: case napi_uint8_clamped_array: return 1;
    case napi_int16_array: case napi_uint16_array: return 2;
    case napi_int32_array: case napi_uint32_array: case napi_float32_array: return 4;
    default: return 8;  // float64, bigint64, biguint64
  }
}

// Reads `value` as a byte view. Returns 0; 1 when the value is null or undefined; -EINVAL when it is
// not an ArrayBufferView; -EFAULT when its buffer has been detached (transferred).
inline int ViewOf(napi_env env, napi_value value, View* out) {
  napi_valuetype vt;
  if (napi_typeof(env, value, &vt) != napi_ok) return -EINVAL;
  if (vt == napi_null || vt == napi_undefined) return 1;
  if (vt != napi_object) return -EINVAL;
  bool is = false;
  napi_value arrayBuffer = nullptr;
  if (napi_is_typedarray(env, value, &is) == napi_ok && is) {
    napi_typedarray_type type;
    size_t length;
    if (napi_get_typedarray_info(env, value, &type, &length, &out->data, &arrayBuffer, nullptr) != napi_ok)
      return -EINVAL;
    out->bytes = length * TypedArrayElementSize(type);
    out->type = type;
  } else if (napi_is_dataview(env, value, &is) == napi_ok && is) {
    if (napi_get_dataview_info(env, value, &out->bytes, &out->data, &arrayBuffer, nullptr) != napi_ok)
      return -EINVAL;
    out->type = -1;
  } else {
    return -EINVAL;
  }
  if (out->data == nullptr || out->bytes == 0) {
    // A detached buffer reads as empty: tell it apart from a genuinely empty view.
    bool detached = false;
    if (arrayBuffer != nullptr && napi_is_detached_arraybuffer(env, arrayBuffer, &detached) == napi_ok && detached)
      return -EFAULT;
  }
  return 0;
}

// Reads objects[index] (see ViewOf).
inline int ViewAt(napi_env env, napi_value objects, uint32_t index, View* out) {
  napi_value value;
  if (napi_get_element(env, objects, index, &value) != napi_ok) return -EINVAL;
  return ViewOf(env, value, out);
}

// Reads a Float64Array (the sq or cq ring). Returns false if `value` is anything else.
inline bool Float64ArrayOf(napi_env env, napi_value value, double** data, size_t* count) {
  bool is = false;
  if (napi_is_typedarray(env, value, &is) != napi_ok || !is) return false;
  napi_typedarray_type type;
  void* raw;
  if (napi_get_typedarray_info(env, value, &type, count, &raw, nullptr, nullptr) != napi_ok) return false;
  if (type != napi_float64_array) return false;
  *data = static_cast<double*>(raw);
  return true;
}

}  // namespace xev
