/*
 * Node-API binding of Intel ISA-L's igzip deflate (libisal, https://github.com/intel/isa-l): a zlib stream of bytes
 * in one synchronous call, ended by a sync flush (the top half of a PNG's rows) or finished, and ISA-L's Adler-32.
 * Used by the map workers' PNG writer (lib/service/deflater.ts); nothing else of ISA-L is exposed.
 */
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <isa-l/igzip_lib.h>

/* Level buffers of this thread's instance (ISA-L's levels 1-3 need one; level 0 none), made on first use. */
typedef struct {
  uint8_t *level_buf[4];
} Instance;

static const uint32_t LEVEL_BUF_SIZE[4] = {ISAL_DEF_LVL0_DEFAULT, ISAL_DEF_LVL1_DEFAULT, ISAL_DEF_LVL2_DEFAULT,
                                           ISAL_DEF_LVL3_DEFAULT};

static void free_instance(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  Instance *inst = data;
  for (int i = 0; i < 4; i++) free(inst->level_buf[i]);
  free(inst);
}

static napi_value throw_type(napi_env env, const char *message) {
  napi_throw_type_error(env, NULL, message);
  return NULL;
}

/* The bytes of a typed array argument (any kind; its byte length). */
static int bytes_of(napi_env env, napi_value value, uint8_t **data, size_t *length) {
  bool is_typed = false;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed) return 0;
  napi_typedarray_type type;
  size_t count;
  void *ptr;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, value, &type, &count, &ptr, &buffer, &offset) != napi_ok) return 0;
  size_t unit = 1;
  switch (type) {
    case napi_int16_array: case napi_uint16_array: unit = 2; break;
    case napi_int32_array: case napi_uint32_array: case napi_float32_array: unit = 4; break;
    case napi_float64_array: case napi_bigint64_array: case napi_biguint64_array: unit = 8; break;
    default: unit = 1;
  }
  *data = ptr;
  *length = count * unit;
  return 1;
}

/*
 * deflate(input, out, level, finish): a zlib stream of `input` written at the start of `out` (header, blocks, and
 * with `finish` the final block and Adler-32; without it, blocks up to a sync flush, no trailer). Returns the bytes
 * written, or -1 when `out` was too small (nothing usable was written).
 */
static napi_value deflate_zlib(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 4)
    return throw_type(env, "deflate(input, out, level, finish) takes four arguments");
  uint8_t *in, *out;
  size_t in_len, out_len;
  if (!bytes_of(env, argv[0], &in, &in_len) || !bytes_of(env, argv[1], &out, &out_len))
    return throw_type(env, "input and out must be typed arrays");
  int32_t level;
  bool finish;
  if (napi_get_value_int32(env, argv[2], &level) != napi_ok || level < 0 || level > 3)
    return throw_type(env, "level must be 0, 1, 2 or 3");
  if (napi_get_value_bool(env, argv[3], &finish) != napi_ok) return throw_type(env, "finish must be a boolean");
  if (in_len > UINT32_MAX || out_len > UINT32_MAX) return throw_type(env, "input or out over 4 GB");
  Instance *inst;
  if (napi_get_instance_data(env, (void **)&inst) != napi_ok || inst == NULL) return throw_type(env, "not initialised");
  if (level > 0 && inst->level_buf[level] == NULL) {
    inst->level_buf[level] = malloc(LEVEL_BUF_SIZE[level]);
    if (inst->level_buf[level] == NULL) {
      napi_throw_error(env, NULL, "out of memory for the deflate level buffer");
      return NULL;
    }
  }
  struct isal_zstream s;
  isal_deflate_init(&s);
  s.level = (uint32_t)level;
  s.level_buf = level > 0 ? inst->level_buf[level] : NULL;
  s.level_buf_size = level > 0 ? LEVEL_BUF_SIZE[level] : 0;
  s.gzip_flag = IGZIP_ZLIB;
  s.end_of_stream = finish ? 1 : 0;
  s.flush = finish ? NO_FLUSH : SYNC_FLUSH;
  s.next_in = in;
  s.avail_in = (uint32_t)in_len;
  s.next_out = out;
  s.avail_out = (uint32_t)out_len;
  int rc = isal_deflate(&s);
  /* Done when all input was taken and the stream reached its end or its flush (nothing left pending). */
  int done = rc == COMP_OK && s.avail_in == 0 &&
             (finish ? s.internal_state.state == ZSTATE_END : s.internal_state.state == ZSTATE_NEW_HDR);
  napi_value result;
  napi_create_int64(env, done ? (int64_t)s.total_out : -1, &result);
  return result;
}

/* adler32(input, init = 1): ISA-L's Adler-32 of `input` continued from `init`. */
static napi_value adler32(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1)
    return throw_type(env, "adler32(input, init) takes one or two arguments");
  uint8_t *in;
  size_t in_len;
  if (!bytes_of(env, argv[0], &in, &in_len)) return throw_type(env, "input must be a typed array");
  uint32_t init = 1;
  if (argc > 1 && napi_get_value_uint32(env, argv[1], &init) != napi_ok) return throw_type(env, "init must be a number");
  napi_value result;
  napi_create_uint32(env, isal_adler32(init, in, in_len), &result);
  return result;
}

NAPI_MODULE_INIT() {
  Instance *inst = calloc(1, sizeof(Instance));
  if (inst == NULL || napi_set_instance_data(env, inst, free_instance, NULL) != napi_ok) {
    free(inst);
    napi_throw_error(env, NULL, "could not initialise the ISA-L binding");
    return NULL;
  }
  napi_property_descriptor props[] = {
      {"deflate", NULL, deflate_zlib, NULL, NULL, NULL, napi_enumerable, NULL},
      {"adler32", NULL, adler32, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, 2, props);
  return exports;
}
