/*
 * Byte-exact string tensors for ONNX Runtime's Java API (see OrtStringsJni.java).
 *
 * ONNX Runtime's Java API creates and reads string tensors only through java.lang.String, converted
 * as modified UTF-8, which cannot carry NUL bytes, invalid UTF-8 or four-byte UTF-8 sequences
 * unchanged. ONNX Runtime's C API has calls that take and give each element's bytes as they are;
 * this file reaches them on the OrtValues the Java API owns.
 *
 * Same library, never a second copy: the ONNX Runtime that the Java API already loaded is found
 * with dlopen(RTLD_NOLOAD), which returns a library only when it is loaded and never loads one.
 *
 * ABI note. The OrtApi struct is a table of function pointers that ONNX Runtime only ever appends
 * to ("the order of the functions in OrtApi must never change", onnxruntime_c_api.h), so a member's
 * index is the same in every release that has it. The indices below were read with offsetof() from
 * onnxruntime_c_api.h of ONNX Runtime 1.23.2 (ORT_API_VERSION 23) and are unchanged in 1.29.0. The
 * newest member used, GetResizedStringTensorElementBuffer, exists since API version 15: GetApi(15)
 * answers NULL on an older runtime, and the caller then falls back to the Java API. The signatures
 * are those of the same header.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <jni.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "io_tensorgate_backend_onnxruntime_OrtStringsJni.h"

typedef struct OrtStatus OrtStatus;
typedef struct OrtValue OrtValue;
typedef struct OrtAllocator OrtAllocator;

typedef void (*OrtFunction)(void);

typedef struct {
  const OrtFunction *(*GetApi)(uint32_t version);
  const char *(*GetVersionString)(void);
} OrtApiBase;

typedef const OrtApiBase *(*OrtGetApiBaseFunction)(void);

enum {
  API_VERSION = 15,
  ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING = 8,
  /* Indices into OrtApi, see the ABI note above. */
  GET_ERROR_MESSAGE = 2,
  CREATE_TENSOR_AS_ORT_VALUE = 48,
  GET_STRING_TENSOR_DATA_LENGTH = 53,
  GET_ALLOCATOR_WITH_DEFAULT_OPTIONS = 78,
  RELEASE_STATUS = 93,
  RELEASE_VALUE = 96,
  GET_STRING_TENSOR_ELEMENT_LENGTH = 127,
  GET_STRING_TENSOR_ELEMENT = 128,
  GET_RESIZED_STRING_TENSOR_ELEMENT_BUFFER = 252,
};

typedef const char *(*GetErrorMessageFunction)(const OrtStatus *status);
typedef void (*ReleaseStatusFunction)(OrtStatus *status);
typedef void (*ReleaseValueFunction)(OrtValue *value);
typedef OrtStatus *(*GetAllocatorWithDefaultOptionsFunction)(OrtAllocator **out);
typedef OrtStatus *(*CreateTensorAsOrtValueFunction)(OrtAllocator *allocator, const int64_t *shape,
                                                     size_t shape_len, int type, OrtValue **out);
typedef OrtStatus *(*GetStringTensorDataLengthFunction)(const OrtValue *value, size_t *len);
typedef OrtStatus *(*GetStringTensorElementLengthFunction)(const OrtValue *value, size_t index,
                                                           size_t *out);
typedef OrtStatus *(*GetStringTensorElementFunction)(const OrtValue *value, size_t s_len,
                                                     size_t index, void *s);
typedef OrtStatus *(*GetResizedStringTensorElementBufferFunction)(OrtValue *value, size_t index,
                                                                  size_t length_in_bytes,
                                                                  char **buffer);

#define API(handle) ((const OrtFunction *)(intptr_t)(handle))
#define CALL(handle, type, index) ((type)API(handle)[index])

/* Bytes copied to the Java output array per JNI call. */
#define CHUNK_BYTES 65536

static void throw_new(JNIEnv *env, const char *class_name, const char *message) {
  jclass cls = (*env)->FindClass(env, class_name);
  if (cls != NULL) {
    (*env)->ThrowNew(env, cls, message);
  }
}

/* Throws IllegalStateException with ONNX Runtime's message and releases the status. */
static void throw_status(JNIEnv *env, jlong api, OrtStatus *status, const char *what) {
  char message[512];
  const char *reason = CALL(api, GetErrorMessageFunction, GET_ERROR_MESSAGE)(status);
  snprintf(message, sizeof message, "ONNX Runtime failed to %s: %s", what,
           reason != NULL ? reason : "no reason given");
  CALL(api, ReleaseStatusFunction, RELEASE_STATUS)(status);
  throw_new(env, "java/lang/IllegalStateException", message);
}

static uint32_t read_le32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void write_le32(unsigned char *p, uint32_t v) {
  p[0] = (unsigned char)v;
  p[1] = (unsigned char)(v >> 8);
  p[2] = (unsigned char)(v >> 16);
  p[3] = (unsigned char)(v >> 24);
}

struct library_search {
  char prefix[256];
  char path[4096];
};

static int find_loaded(struct dl_phdr_info *info, size_t size, void *data) {
  (void)size;
  struct library_search *search = data;
  const char *name = info->dlpi_name;
  const char *base = name != NULL ? strrchr(name, '/') : NULL;
  if (base != NULL && strncmp(base + 1, search->prefix, strlen(search->prefix)) == 0 &&
      strlen(name) < sizeof search->path) {
    strcpy(search->path, name);
    return 1;
  }
  return 0;
}

JNIEXPORT jlong JNICALL Java_io_tensorgate_backend_onnxruntime_OrtStringsJni_findApi(
    JNIEnv *env, jclass cls, jstring library_name) {
  (void)cls;
  const char *name = (*env)->GetStringUTFChars(env, library_name, NULL);
  if (name == NULL) {
    return 0;
  }
  /* By soname first; else the loaded object whose file name starts with it (the Java API loads
   * the library from a path of its choosing). RTLD_NOLOAD: only ever a library already loaded. */
  void *library = dlopen(name, RTLD_LAZY | RTLD_NOLOAD);
  if (library == NULL) {
    /* "libonnxruntime.so.1" is looked for as any loaded "libonnxruntime.so*". */
    struct library_search search = {.prefix = "", .path = ""};
    const char *suffix = strstr(name, ".so");
    size_t prefix_length = suffix != NULL ? (size_t)(suffix - name) + 3 : strlen(name);
    if (prefix_length > 0 && prefix_length < sizeof search.prefix) {
      memcpy(search.prefix, name, prefix_length);
      search.prefix[prefix_length] = '\0';
      if (dl_iterate_phdr(find_loaded, &search) != 0) {
        library = dlopen(search.path, RTLD_LAZY | RTLD_NOLOAD);
      }
    }
  }
  char message[512];
  if (library == NULL) {
    snprintf(message, sizeof message, "no loaded %s in this process", name);
    (*env)->ReleaseStringUTFChars(env, library_name, name);
    throw_new(env, "java/lang/IllegalStateException", message);
    return 0;
  }
  (*env)->ReleaseStringUTFChars(env, library_name, name);
  /* The handle stays open: the library must outlive every call made through the table. */
  OrtGetApiBaseFunction get_api_base = (OrtGetApiBaseFunction)dlsym(library, "OrtGetApiBase");
  if (get_api_base == NULL) {
    throw_new(env, "java/lang/IllegalStateException",
              "the loaded ONNX Runtime exports no OrtGetApiBase");
    return 0;
  }
  const OrtApiBase *base = get_api_base();
  const OrtFunction *api = base != NULL ? base->GetApi(API_VERSION) : NULL;
  if (api == NULL) {
    snprintf(message, sizeof message, "ONNX Runtime %s has no C API version %d",
             base != NULL ? base->GetVersionString() : "(unknown)", API_VERSION);
    throw_new(env, "java/lang/IllegalStateException", message);
    return 0;
  }
  return (jlong)(intptr_t)api;
}

JNIEXPORT jlong JNICALL Java_io_tensorgate_backend_onnxruntime_OrtStringsJni_defaultAllocator(
    JNIEnv *env, jclass cls, jlong api) {
  (void)cls;
  OrtAllocator *allocator = NULL;
  OrtStatus *status = CALL(api, GetAllocatorWithDefaultOptionsFunction,
                           GET_ALLOCATOR_WITH_DEFAULT_OPTIONS)(&allocator);
  if (status != NULL) {
    throw_status(env, api, status, "get its default allocator");
    return 0;
  }
  return (jlong)(intptr_t)allocator;
}

JNIEXPORT jlong JNICALL Java_io_tensorgate_backend_onnxruntime_OrtStringsJni_createStringTensor(
    JNIEnv *env, jclass cls, jlong api, jlong allocator, jobject data, jint offset, jint length,
    jlongArray shape, jlong count) {
  (void)cls;
  const unsigned char *bytes = (*env)->GetDirectBufferAddress(env, data);
  jlong capacity = (*env)->GetDirectBufferCapacity(env, data);
  if (bytes == NULL || offset < 0 || length < 0 || (jlong)offset + length > capacity) {
    throw_new(env, "java/lang/IllegalArgumentException", "not a direct buffer of that size");
    return 0;
  }
  bytes += offset;
  /* The framing is checked whole before ONNX Runtime allocates anything; the messages are those
   * of StringTensors.decode. */
  char message[256];
  size_t at = 0;
  for (jlong i = 0; i < count; i++) {
    size_t left = (size_t)length - at;
    if (left < 4) {
      snprintf(message, sizeof message, "its buffer ends before element %lld's length",
               (long long)i);
      throw_new(env, "java/lang/IllegalArgumentException", message);
      return 0;
    }
    uint32_t claimed = read_le32(bytes + at);
    if (claimed > left - 4) {
      snprintf(message, sizeof message, "element %lld claims %lu bytes but %zu are left",
               (long long)i, (unsigned long)claimed, left - 4);
      throw_new(env, "java/lang/IllegalArgumentException", message);
      return 0;
    }
    at += 4 + (size_t)claimed;
  }
  if (at != (size_t)length) {
    snprintf(message, sizeof message, "%zu bytes follow its %lld elements", (size_t)length - at,
             (long long)count);
    throw_new(env, "java/lang/IllegalArgumentException", message);
    return 0;
  }
  jsize rank = (*env)->GetArrayLength(env, shape);
  jlong *dims = (*env)->GetLongArrayElements(env, shape, NULL);
  if (dims == NULL) {
    return 0;
  }
  OrtValue *value = NULL;
  OrtStatus *status = CALL(api, CreateTensorAsOrtValueFunction, CREATE_TENSOR_AS_ORT_VALUE)(
      (OrtAllocator *)(intptr_t)allocator, (const int64_t *)dims, (size_t)rank,
      ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING, &value);
  (*env)->ReleaseLongArrayElements(env, shape, dims, JNI_ABORT);
  if (status != NULL) {
    throw_status(env, api, status, "create a string tensor");
    return 0;
  }
  GetResizedStringTensorElementBufferFunction resize = CALL(
      api, GetResizedStringTensorElementBufferFunction, GET_RESIZED_STRING_TENSOR_ELEMENT_BUFFER);
  at = 0;
  for (jlong i = 0; i < count; i++) {
    size_t element_length = read_le32(bytes + at);
    char *target = NULL;
    status = resize(value, (size_t)i, element_length, &target);
    if (status != NULL) {
      CALL(api, ReleaseValueFunction, RELEASE_VALUE)(value);
      throw_status(env, api, status, "set a string tensor element");
      return 0;
    }
    if (element_length > 0) {
      memcpy(target, bytes + at + 4, element_length);
    }
    at += 4 + element_length;
  }
  return (jlong)(intptr_t)value;
}

JNIEXPORT jlong JNICALL Java_io_tensorgate_backend_onnxruntime_OrtStringsJni_stringDataLength(
    JNIEnv *env, jclass cls, jlong api, jlong value) {
  (void)cls;
  size_t length = 0;
  OrtStatus *status = CALL(api, GetStringTensorDataLengthFunction, GET_STRING_TENSOR_DATA_LENGTH)(
      (const OrtValue *)(intptr_t)value, &length);
  if (status != NULL) {
    throw_status(env, api, status, "measure a string tensor");
    return 0;
  }
  return length > INT64_MAX ? INT64_MAX : (jlong)length;
}

JNIEXPORT void JNICALL Java_io_tensorgate_backend_onnxruntime_OrtStringsJni_readStringTensor(
    JNIEnv *env, jclass cls, jlong api, jlong value, jlong count, jbyteArray out) {
  (void)cls;
  const OrtValue *tensor = (const OrtValue *)(intptr_t)value;
  GetStringTensorElementLengthFunction element_length_of = CALL(
      api, GetStringTensorElementLengthFunction, GET_STRING_TENSOR_ELEMENT_LENGTH);
  GetStringTensorElementFunction element_of =
      CALL(api, GetStringTensorElementFunction, GET_STRING_TENSOR_ELEMENT);
  jsize capacity = (*env)->GetArrayLength(env, out);
  unsigned char chunk[CHUNK_BYTES];
  size_t used = 0;
  jsize written = 0;
  for (jlong i = 0; i < count; i++) {
    size_t length = 0;
    OrtStatus *status = element_length_of(tensor, (size_t)i, &length);
    if (status != NULL) {
      throw_status(env, api, status, "read a string tensor element's length");
      return;
    }
    if (length > UINT32_MAX || length + 4 > (size_t)(capacity - written) - used) {
      throw_new(env, "java/lang/IllegalStateException",
                "a string tensor's elements do not fit the buffer measured for them");
      return;
    }
    if (used + 4 + length > sizeof chunk) {
      (*env)->SetByteArrayRegion(env, out, written, (jsize)used, (const jbyte *)chunk);
      written += (jsize)used;
      used = 0;
    }
    write_le32(chunk + used, (uint32_t)length);
    used += 4;
    if (length == 0) {
      continue;
    }
    if (length <= sizeof chunk - used) {
      status = element_of(tensor, length, (size_t)i, chunk + used);
      used += length;
    } else {
      /* Too large for the chunk: through a region of the array itself. */
      (*env)->SetByteArrayRegion(env, out, written, (jsize)used, (const jbyte *)chunk);
      written += (jsize)used;
      used = 0;
      jbyte *target = (*env)->GetPrimitiveArrayCritical(env, out, NULL);
      if (target == NULL) {
        return;
      }
      status = element_of(tensor, length, (size_t)i, target + written);
      (*env)->ReleasePrimitiveArrayCritical(env, out, target, 0);
      written += (jsize)length;
    }
    if (status != NULL) {
      throw_status(env, api, status, "read a string tensor element");
      return;
    }
  }
  (*env)->SetByteArrayRegion(env, out, written, (jsize)used, (const jbyte *)chunk);
  written += (jsize)used;
  if (written != capacity) {
    throw_new(env, "java/lang/IllegalStateException",
              "a string tensor's elements do not fill the buffer measured for them");
  }
}

JNIEXPORT void JNICALL Java_io_tensorgate_backend_onnxruntime_OrtStringsJni_releaseValue(
    JNIEnv *env, jclass cls, jlong api, jlong value) {
  (void)env;
  (void)cls;
  CALL(api, ReleaseValueFunction, RELEASE_VALUE)((OrtValue *)(intptr_t)value);
}
