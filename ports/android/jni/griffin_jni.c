/*
 * griffin_jni.c: the JNI half of the Java binding (org.griffinrt.GriffinNative), a thin layer over
 * griffin.h. Handles cross as jlong; strings cross as UTF-8 byte arrays (JNI's NewStringUTF and
 * GetStringUTFChars use modified UTF-8, which mangles characters outside the BMP). Every failure
 * throws org.griffinrt.GriffinException(status, C message); nothing else leaves this file.
 */
#include <jni.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "griffin/griffin.h"

#define GRIFFIN_JNI_FN(name) JNICALL Java_org_griffinrt_GriffinNative_##name

/* ---- errors ------------------------------------------------------------------------------ */

/* Throws GriffinException(status, message). Returns nothing useful: callers return right after. */
static void throw_griffin(JNIEnv* env, int status, const char* message) {
  if ((*env)->ExceptionCheck(env)) return; /* keep the first exception */
  jclass cls = (*env)->FindClass(env, "org/griffinrt/GriffinException");
  if (cls == NULL) return; /* NoClassDefFoundError pending */
  jmethodID ctor = (*env)->GetMethodID(env, cls, "<init>", "(I[B)V");
  if (ctor == NULL) return;
  const jsize len = (jsize)strlen(message);
  jbyteArray bytes = (*env)->NewByteArray(env, len);
  if (bytes == NULL) return; /* OutOfMemoryError pending */
  (*env)->SetByteArrayRegion(env, bytes, 0, len, (const jbyte*)message);
  jobject exception = (*env)->NewObject(env, cls, ctor, (jint)status, bytes);
  if (exception != NULL) (*env)->Throw(env, (jthrowable)exception);
}

/* Throws for a failed C call (its message is on this thread). Returns true when `status` failed. */
static int failed(JNIEnv* env, griffin_status status) {
  if (status == GRIFFIN_OK) return 0;
  throw_griffin(env, (int)status, griffin_last_error());
  return 1;
}

/* ---- conversions ------------------------------------------------------------------------- */

/* A Java byte[] as a malloc'd NUL-terminated C string (free() it), or NULL with an exception. */
static char* c_string(JNIEnv* env, jbyteArray bytes, const char* what) {
  if (bytes == NULL) {
    throw_griffin(env, GRIFFIN_ERR_INVALID_ARGUMENT, what);
    return NULL;
  }
  const jsize len = (*env)->GetArrayLength(env, bytes);
  char* text = (char*)malloc((size_t)len + 1);
  if (text == NULL) {
    throw_griffin(env, GRIFFIN_ERR_OUT_OF_MEMORY, "out of memory copying a string for JNI");
    return NULL;
  }
  (*env)->GetByteArrayRegion(env, bytes, 0, len, (jbyte*)text);
  text[len] = '\0';
  return text;
}

static jbyteArray byte_array(JNIEnv* env, const void* data, size_t size) {
  if (size > (size_t)INT32_MAX) {
    throw_griffin(env, GRIFFIN_ERR_OUT_OF_RANGE, "more than 2 GiB do not fit a Java byte[]");
    return NULL;
  }
  jbyteArray array = (*env)->NewByteArray(env, (jsize)size);
  if (array != NULL) (*env)->SetByteArrayRegion(env, array, 0, (jsize)size, (const jbyte*)data);
  return array;
}

static jfloatArray float_array(JNIEnv* env, const float* data, size_t count) {
  jfloatArray array = (*env)->NewFloatArray(env, (jsize)count);
  if (array != NULL) (*env)->SetFloatArrayRegion(env, array, 0, (jsize)count, data);
  return array;
}

/* The Java Options' flags, in GriffinNative.OPTION_* order. */
enum {
  OPTION_SCALAR = 1,
  OPTION_INT8_ACTIVATIONS = 2,
  OPTION_COPY_WEIGHTS = 4,
  OPTION_PREFAULT = 8,
  OPTION_LOCK_WEIGHTS = 16,
  OPTION_HUGE_PAGES = 32,
  OPTION_SLEEP_BETWEEN_STEPS = 64,
  OPTION_PER_TOKEN_ACTIVATION_SCALES = 128,
  OPTION_POWER_OF_TWO_ACTIVATION_SCALES = 256,
  OPTION_REPACK_WEIGHTS = 512
};

static griffin_model_options model_options(jint num_threads, jlong max_memory, jint flags,
                                           jint max_batch) {
  griffin_model_options options = griffin_model_default_options();
  options.num_threads = num_threads;
  options.max_batch = max_batch;
  options.max_memory_bytes = (uint64_t)max_memory;
  options.force_scalar_kernels = (flags & OPTION_SCALAR) != 0;
  options.int8_activations = (flags & OPTION_INT8_ACTIVATIONS) != 0;
  options.copy_weights = (flags & OPTION_COPY_WEIGHTS) != 0;
  options.prefault = (flags & OPTION_PREFAULT) != 0;
  options.lock_weights = (flags & OPTION_LOCK_WEIGHTS) != 0;
  options.huge_pages = (flags & OPTION_HUGE_PAGES) != 0;
  options.sleep_between_steps = (flags & OPTION_SLEEP_BETWEEN_STEPS) != 0;
  options.repack_weights = (flags & OPTION_REPACK_WEIGHTS) != 0;
  const int per_token = (flags & OPTION_PER_TOKEN_ACTIVATION_SCALES) != 0;
  const int power_of_two = (flags & OPTION_POWER_OF_TWO_ACTIVATION_SCALES) != 0;
  /* Both: a value the open refuses with INVALID_ARGUMENT and its message. */
  options.activation_scale = per_token && power_of_two ? -1
                             : per_token               ? GRIFFIN_ACTIVATION_SCALE_PER_TOKEN
                             : power_of_two            ? GRIFFIN_ACTIVATION_SCALE_POWER_OF_TWO
                                                       : GRIFFIN_ACTIVATION_SCALE_PER_GROUP;
  return options;
}

static griffin_session_options session_options(jint prefill_chunk, jint max_context, jlong seed,
                                               jint history_size, jint kv_dtype, jlong max_memory) {
  griffin_session_options options = griffin_session_default_options();
  options.prefill_chunk = prefill_chunk;
  options.max_context = max_context;
  options.seed = (uint64_t)seed;
  options.history_size = history_size;
  options.kv_dtype = (griffin_dtype)kv_dtype;
  options.max_memory_bytes = (uint64_t)max_memory;
  return options;
}

static griffin_model* as_model(jlong handle) {
  return (griffin_model*)(intptr_t)handle;
}
static griffin_session* as_session(jlong handle) {
  return (griffin_session*)(intptr_t)handle;
}

/* ---- model ------------------------------------------------------------------------------- */

JNIEXPORT jbyteArray GRIFFIN_JNI_FN(version)(JNIEnv* env, jclass cls) {
  const char* version = griffin_version();
  return byte_array(env, version, strlen(version));
}

JNIEXPORT jlong GRIFFIN_JNI_FN(modelOpen)(JNIEnv* env, jclass cls, jbyteArray path, jint threads,
                                          jlong max_memory, jint flags, jint max_batch) {
  char* c_path = c_string(env, path, "model path is null");
  if (c_path == NULL) return 0;
  const griffin_model_options options = model_options(threads, max_memory, flags, max_batch);
  griffin_model* model = NULL;
  const griffin_status status = griffin_model_open(c_path, &options, &model);
  free(c_path);
  if (failed(env, status)) return 0;
  return (jlong)(intptr_t)model;
}

JNIEXPORT jlong GRIFFIN_JNI_FN(modelOpenFd)(JNIEnv* env, jclass cls, jint fd, jlong offset,
                                            jlong length, jint threads, jlong max_memory,
                                            jint flags, jint max_batch) {
  if (offset < 0 || length < 0) {
    throw_griffin(env, GRIFFIN_ERR_INVALID_ARGUMENT, "offset and length must not be negative");
    return 0;
  }
  const griffin_model_options options = model_options(threads, max_memory, flags, max_batch);
  griffin_model* model = NULL;
  if (failed(env,
             griffin_model_open_fd(fd, (uint64_t)offset, (uint64_t)length, &options, &model))) {
    return 0;
  }
  return (jlong)(intptr_t)model;
}

/* java.io.FileDescriptor keeps the descriptor in a private int: "descriptor" on Android, "fd" on
 * OpenJDK. Read through JNI, so no reflection access checks apply. */
JNIEXPORT jint GRIFFIN_JNI_FN(descriptorOf)(JNIEnv* env, jclass cls, jobject fd) {
  jclass fd_class = (*env)->GetObjectClass(env, fd);
  static const char* const kFieldNames[] = {"descriptor", "fd"};
  for (size_t i = 0; i < sizeof kFieldNames / sizeof kFieldNames[0]; ++i) {
    jfieldID field = (*env)->GetFieldID(env, fd_class, kFieldNames[i], "I");
    if (field != NULL) return (*env)->GetIntField(env, fd, field);
    (*env)->ExceptionClear(env); /* NoSuchFieldError: try the next name */
  }
  throw_griffin(env, GRIFFIN_ERR_UNSUPPORTED,
                "java.io.FileDescriptor has neither a 'descriptor' nor an 'fd' int field");
  return -1;
}

JNIEXPORT void GRIFFIN_JNI_FN(modelClose)(JNIEnv* env, jclass cls, jlong model) {
  griffin_model_close(as_model(model));
}

/* griffin_model_get_info into `info`; 0 with GriffinException pending on failure. */
static int model_info(JNIEnv* env, jlong model, griffin_model_info* info) {
  memset(info, 0, sizeof *info);
  info->struct_size = sizeof *info;
  return !failed(env, griffin_model_get_info(as_model(model), info));
}

JNIEXPORT jintArray GRIFFIN_JNI_FN(modelInfo)(JNIEnv* env, jclass cls, jlong model) {
  griffin_model_info info;
  if (!model_info(env, model, &info)) return NULL;
  const jint values[] = {info.vocab_size, info.bos_id, info.eos_id,
                         info.pad_id,     info.depth,  info.width};
  const jsize count = (jsize)(sizeof values / sizeof values[0]);
  jintArray array = (*env)->NewIntArray(env, count);
  if (array != NULL) (*env)->SetIntArrayRegion(env, array, 0, count, values);
  return array;
}

JNIEXPORT jlong GRIFFIN_JNI_FN(modelWeightsHugePageBytes)(JNIEnv* env, jclass cls, jlong model) {
  griffin_model_info info;
  return model_info(env, model, &info) ? (jlong)info.weights_huge_page_bytes : 0;
}

JNIEXPORT jlong GRIFFIN_JNI_FN(modelWeightsRepackedBytes)(JNIEnv* env, jclass cls, jlong model) {
  griffin_model_info info;
  return model_info(env, model, &info) ? (jlong)info.weights_repacked_bytes : 0;
}

JNIEXPORT jbyteArray GRIFFIN_JNI_FN(modelKernels)(JNIEnv* env, jclass cls, jlong model) {
  const char* description = NULL;
  if (failed(env, griffin_model_kernels(as_model(model), &description))) return NULL;
  return byte_array(env, description, strlen(description));
}

/* The order MemoryPlan.java reads. */
JNIEXPORT jlongArray GRIFFIN_JNI_FN(modelMemoryPlan)(JNIEnv* env, jclass cls, jlong model,
                                                     jint prefill_chunk, jint max_context,
                                                     jlong seed, jint history_size, jint kv_dtype,
                                                     jlong max_memory) {
  const griffin_session_options options =
      session_options(prefill_chunk, max_context, seed, history_size, kv_dtype, max_memory);
  griffin_memory_plan plan;
  memset(&plan, 0, sizeof plan);
  plan.struct_size = sizeof plan;
  if (failed(env, griffin_model_memory_plan(as_model(model), &options, &plan))) return NULL;
  const jlong values[] = {(jlong)plan.weights_mapped_bytes,
                          (jlong)plan.weights_packed_bytes,
                          (jlong)plan.weights_prepared_bytes,
                          (jlong)plan.model_bytes,
                          (jlong)plan.rglru_state_bytes,
                          (jlong)plan.conv_state_bytes,
                          (jlong)plan.kv_cache_bytes,
                          (jlong)plan.scratch_bytes,
                          (jlong)plan.logits_bytes,
                          (jlong)plan.sampler_bytes,
                          (jlong)plan.history_bytes,
                          (jlong)plan.session_bytes,
                          (jlong)plan.total_bytes,
                          (jlong)plan.weights_streamed_bytes,
                          (jlong)plan.counters_bytes,
                          (jlong)plan.session_used_bytes,
                          (jlong)plan.state_bytes};
  const jsize count = (jsize)(sizeof values / sizeof values[0]);
  jlongArray array = (*env)->NewLongArray(env, count);
  if (array != NULL) (*env)->SetLongArrayRegion(env, array, 0, count, values);
  return array;
}

JNIEXPORT jintArray GRIFFIN_JNI_FN(tokenize)(JNIEnv* env, jclass cls, jlong model, jbyteArray text,
                                             jboolean add_bos) {
  char* c_text = c_string(env, text, "text is null");
  if (c_text == NULL) return NULL;
  const size_t text_len = (size_t)(*env)->GetArrayLength(env, text);
  size_t needed = 0;
  int32_t probe[1]; /* first call: only the count */
  griffin_status status =
      griffin_tokenize(as_model(model), c_text, text_len, add_bos == JNI_TRUE, probe, 0, &needed);
  jintArray result = NULL;
  if (status == GRIFFIN_OK || status == GRIFFIN_ERR_OUT_OF_RANGE) {
    int32_t* tokens = (int32_t*)malloc((needed > 0 ? needed : 1) * sizeof(int32_t));
    if (tokens == NULL) {
      throw_griffin(env, GRIFFIN_ERR_OUT_OF_MEMORY, "out of memory for token ids");
    } else {
      status = griffin_tokenize(as_model(model), c_text, text_len, add_bos == JNI_TRUE, tokens,
                                needed, &needed);
      if (!failed(env, status)) {
        result = (*env)->NewIntArray(env, (jsize)needed);
        if (result != NULL) (*env)->SetIntArrayRegion(env, result, 0, (jsize)needed, tokens);
      }
      free(tokens);
    }
  } else {
    failed(env, status);
  }
  free(c_text);
  return result;
}

JNIEXPORT jbyteArray GRIFFIN_JNI_FN(detokenize)(JNIEnv* env, jclass cls, jlong model,
                                                jintArray tokens) {
  if (tokens == NULL) {
    throw_griffin(env, GRIFFIN_ERR_INVALID_ARGUMENT, "tokens is null");
    return NULL;
  }
  const jsize count = (*env)->GetArrayLength(env, tokens);
  int32_t* ids = (int32_t*)malloc(((size_t)count + 1) * sizeof(int32_t));
  if (ids == NULL) {
    throw_griffin(env, GRIFFIN_ERR_OUT_OF_MEMORY, "out of memory for token ids");
    return NULL;
  }
  (*env)->GetIntArrayRegion(env, tokens, 0, count, (jint*)ids);
  size_t needed = 0;
  char empty[1];
  griffin_status status =
      griffin_detokenize(as_model(model), ids, (size_t)count, empty, 0, &needed);
  jbyteArray result = NULL;
  if (status == GRIFFIN_OK || status == GRIFFIN_ERR_OUT_OF_RANGE) {
    char* text = (char*)malloc(needed + 1);
    if (text == NULL) {
      throw_griffin(env, GRIFFIN_ERR_OUT_OF_MEMORY, "out of memory for text");
    } else {
      /* The capacity given counts the NUL too (the library checks needed + 1 <= capacity). */
      status = griffin_detokenize(as_model(model), ids, (size_t)count, text, needed + 1, &needed);
      if (!failed(env, status)) result = byte_array(env, text, needed);
      free(text);
    }
  } else {
    failed(env, status);
  }
  free(ids);
  return result;
}

/* ---- session ----------------------------------------------------------------------------- */

JNIEXPORT jlong GRIFFIN_JNI_FN(sessionCreate)(JNIEnv* env, jclass cls, jlong model,
                                              jint prefill_chunk, jint max_context, jlong seed,
                                              jint history_size, jint kv_dtype, jlong max_memory) {
  const griffin_session_options options =
      session_options(prefill_chunk, max_context, seed, history_size, kv_dtype, max_memory);
  griffin_session* session = NULL;
  if (failed(env, griffin_session_create(as_model(model), &options, NULL, 0, &session))) return 0;
  return (jlong)(intptr_t)session;
}

JNIEXPORT void GRIFFIN_JNI_FN(sessionDestroy)(JNIEnv* env, jclass cls, jlong session) {
  griffin_session_destroy(as_session(session));
}

JNIEXPORT void GRIFFIN_JNI_FN(sessionReset)(JNIEnv* env, jclass cls, jlong session) {
  failed(env, griffin_session_reset(as_session(session)));
}

JNIEXPORT jlong GRIFFIN_JNI_FN(sessionPosition)(JNIEnv* env, jclass cls, jlong session) {
  size_t position = 0;
  if (failed(env, griffin_session_position(as_session(session), &position))) return -1;
  return (jlong)position;
}

JNIEXPORT void GRIFFIN_JNI_FN(sessionPrefill)(JNIEnv* env, jclass cls, jlong session,
                                              jintArray tokens) {
  if (tokens == NULL) {
    throw_griffin(env, GRIFFIN_ERR_INVALID_ARGUMENT, "tokens is null");
    return;
  }
  const jsize count = (*env)->GetArrayLength(env, tokens);
  int32_t* ids = (int32_t*)malloc(((size_t)count + 1) * sizeof(int32_t));
  if (ids == NULL) {
    throw_griffin(env, GRIFFIN_ERR_OUT_OF_MEMORY, "out of memory for token ids");
    return;
  }
  (*env)->GetIntArrayRegion(env, tokens, 0, count, (jint*)ids);
  failed(env, griffin_session_prefill(as_session(session), ids, (size_t)count, NULL, 0));
  free(ids);
}

JNIEXPORT jfloatArray GRIFFIN_JNI_FN(sessionLogits)(JNIEnv* env, jclass cls, jlong session) {
  const float* logits = NULL;
  size_t vocab = 0;
  if (failed(env, griffin_session_logits(as_session(session), &logits, &vocab))) return NULL;
  return float_array(env, logits, vocab);
}

/* GriffinModel.batchDecode has checked the sessions (none null, all of its model) and holds
 * every session's monitor. The lengths are checked again here: a short token array would leave
 * ids unread. */
JNIEXPORT void GRIFFIN_JNI_FN(batchDecode)(JNIEnv* env, jclass cls, jlongArray sessions,
                                           jintArray tokens) {
  const jsize count = (*env)->GetArrayLength(env, sessions);
  if (count != (*env)->GetArrayLength(env, tokens)) {
    throw_griffin(env, GRIFFIN_ERR_INVALID_ARGUMENT, "sessions and tokens differ in length");
    return;
  }
  /* One block: count session pointers, then count token ids (+1: malloc(0) may return NULL). */
  const size_t n = (size_t)count;
  void* block = malloc(n * (sizeof(griffin_session*) + sizeof(int32_t)) + 1);
  if (block == NULL) {
    throw_griffin(env, GRIFFIN_ERR_OUT_OF_MEMORY, "out of memory for the batch's arrays");
    return;
  }
  griffin_session** handles = (griffin_session**)block;
  int32_t* ids = (int32_t*)(handles + n);
  jlong* raw = (*env)->GetLongArrayElements(env, sessions, NULL);
  if (raw == NULL) { /* OutOfMemoryError pending */
    free(block);
    return;
  }
  for (size_t i = 0; i < n; ++i) handles[i] = as_session(raw[i]);
  (*env)->ReleaseLongArrayElements(env, sessions, raw, JNI_ABORT);
  (*env)->GetIntArrayRegion(env, tokens, 0, count, (jint*)ids);
  failed(env, griffin_batch_decode(handles, ids, n));
  free(block);
}

JNIEXPORT jfloatArray GRIFFIN_JNI_FN(sessionDecode)(JNIEnv* env, jclass cls, jlong session,
                                                    jint token) {
  if (failed(env, griffin_session_decode(as_session(session), token, NULL))) return NULL;
  return Java_org_griffinrt_GriffinNative_sessionLogits(env, cls, session);
}

/* What the piece callback needs to reach Java. */
typedef struct piece_sink {
  JNIEnv* env;
  jobject sink;    /* GriffinSession.PieceSink */
  jmethodID piece; /* boolean piece(byte[]) */
} piece_sink;

/* Runs on the thread that called generate, so `env` is valid. Stops generation (non-zero) when
 * the listener says so or throws; the pending exception then surfaces when the native returns. */
static int on_piece(const char* piece, size_t piece_len, int32_t token, void* user) {
  piece_sink* sink = (piece_sink*)user;
  JNIEnv* env = sink->env;
  if (piece_len == 0) return 0; /* held text or a token without text */
  jbyteArray bytes = byte_array(env, piece, piece_len);
  if (bytes == NULL) return 1;
  const jboolean go_on = (*env)->CallBooleanMethod(env, sink->sink, sink->piece, bytes);
  (*env)->DeleteLocalRef(env, bytes);
  if ((*env)->ExceptionCheck(env)) return 1;
  return go_on == JNI_TRUE ? 0 : 1;
}

static void free_strings(char** strings, jsize count) {
  for (jsize i = 0; i < count; ++i) free(strings[i]);
  free(strings);
}

JNIEXPORT jdoubleArray GRIFFIN_JNI_FN(sessionGenerate)(
    JNIEnv* env, jclass cls, jlong session, jbyteArray prompt, jint max_tokens, jfloat temperature,
    jint top_k, jfloat top_p, jfloat min_p, jfloat repetition_penalty, jint repetition_window,
    jobjectArray stop_sequences, jboolean reseed, jlong seed, jobject sink_object) {
  jclass sink_class = (*env)->GetObjectClass(env, sink_object);
  jmethodID piece = (*env)->GetMethodID(env, sink_class, "piece", "([B)Z");
  if (piece == NULL) return NULL;

  const jsize stop_count = stop_sequences ? (*env)->GetArrayLength(env, stop_sequences) : 0;
  char** stops = (char**)calloc((size_t)stop_count + 1, sizeof(char*));
  if (stops == NULL) {
    throw_griffin(env, GRIFFIN_ERR_OUT_OF_MEMORY, "out of memory for stop sequences");
    return NULL;
  }
  for (jsize i = 0; i < stop_count; ++i) {
    jbyteArray stop = (jbyteArray)(*env)->GetObjectArrayElement(env, stop_sequences, i);
    stops[i] = c_string(env, stop, "stop sequence is null");
    (*env)->DeleteLocalRef(env, stop);
    if (stops[i] == NULL) {
      free_strings(stops, i);
      return NULL;
    }
  }
  char* c_prompt = c_string(env, prompt, "prompt is null");
  if (c_prompt == NULL) {
    free_strings(stops, stop_count);
    return NULL;
  }

  griffin_generate_options options = griffin_generate_default_options();
  options.max_tokens = max_tokens;
  options.sampler.temperature = temperature;
  options.sampler.top_k = top_k;
  options.sampler.top_p = top_p;
  options.sampler.min_p = min_p;
  options.sampler.repetition_penalty = repetition_penalty;
  options.sampler.repetition_window = repetition_window;
  options.stop_sequences = (const char* const*)stops;
  options.stop_sequence_count = (size_t)stop_count;
  options.reseed = reseed == JNI_TRUE;
  options.seed = (uint64_t)seed;
  griffin_generate_result result;
  memset(&result, 0, sizeof result);
  result.struct_size = sizeof result;
  piece_sink sink = {env, sink_object, piece};

  const griffin_status status = griffin_session_generate(
      as_session(session), c_prompt, (size_t)(*env)->GetArrayLength(env, prompt), &options,
      on_piece, &sink, &result);
  free(c_prompt);
  free_strings(stops, stop_count);
  if ((*env)->ExceptionCheck(env)) return NULL; /* the listener threw: rethrow that */
  if (failed(env, status)) return NULL;
  const jdouble values[] = {(jdouble)result.stop_reason, (jdouble)result.prompt_tokens,
                            (jdouble)result.generated_tokens, result.prefill_seconds,
                            result.decode_seconds};
  jdoubleArray array = (*env)->NewDoubleArray(env, 5);
  if (array != NULL) (*env)->SetDoubleArrayRegion(env, array, 0, 5, values);
  return array;
}

JNIEXPORT void GRIFFIN_JNI_FN(sessionCancel)(JNIEnv* env, jclass cls, jlong session) {
  griffin_session_cancel(as_session(session));
}

JNIEXPORT jbyteArray GRIFFIN_JNI_FN(sessionSave)(JNIEnv* env, jclass cls, jlong session) {
  size_t size = 0;
  if (failed(env, griffin_session_state_size(as_session(session), &size))) return NULL;
  void* buffer = malloc(size > 0 ? size : 1);
  if (buffer == NULL) {
    throw_griffin(env, GRIFFIN_ERR_OUT_OF_MEMORY, "out of memory for the session state");
    return NULL;
  }
  size_t written = 0;
  jbyteArray result = NULL;
  if (!failed(env, griffin_session_save(as_session(session), buffer, size, &written))) {
    result = byte_array(env, buffer, written);
  }
  free(buffer);
  return result;
}

JNIEXPORT void GRIFFIN_JNI_FN(sessionLoad)(JNIEnv* env, jclass cls, jlong session,
                                           jbyteArray state) {
  const jsize size = (*env)->GetArrayLength(env, state);
  jbyte* data = (*env)->GetByteArrayElements(env, state, NULL);
  if (data == NULL) return; /* OutOfMemoryError pending */
  const griffin_status status = griffin_session_load(as_session(session), data, (size_t)size);
  (*env)->ReleaseByteArrayElements(env, state, data, JNI_ABORT);
  failed(env, status);
}

JNIEXPORT jlong GRIFFIN_JNI_FN(sessionFork)(JNIEnv* env, jclass cls, jlong session) {
  griffin_session* copy = NULL;
  if (failed(env, griffin_session_fork(as_session(session), &copy))) return 0;
  return (jlong)(intptr_t)copy;
}
