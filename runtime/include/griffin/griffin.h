/*
 * griffin.h: the C API of griffin-rt, the only public surface of the runtime (C99).
 *
 * A model is opened once from a .griffin file (memory-mapped, verified) and is immutable: it
 * may be shared by sessions on several threads. A session holds one sequence's state (recurrent
 * states, attention caches, scratch, logits) and is used by one thread at a time.
 *
 * Every function returns a griffin_status. GRIFFIN_OK is 0; on failure a human-readable message
 * is available from griffin_last_error() on the calling thread (and, for session calls, from
 * griffin_session_last_error()). No C++ exception crosses this boundary and nothing aborts on
 * bad input.
 *
 * Structs carry struct_size, so they can grow without breaking apps built against an older
 * header. Options (inputs): set struct_size = sizeof the struct (the *_default_options()
 * functions do); fields past it keep their defaults. Results (outputs such as
 * griffin_model_info): set struct_size = sizeof the struct before the call; only that many bytes
 * are written, and 0 is refused. Fields never move, and a new one starts at or past the
 * struct's previous sizeof, never in its tail padding (tests/unit/test_c_api_layout.cpp).
 *
 * Thread safety, marked on every function:
 *   [any thread] may be called from any thread at any time, concurrently with any other call.
 *   [model]      reads an open model only: any number of threads may make such calls on one
 *                model at once, also while sessions of that model run on other threads.
 *   [session]    uses one session: calls on the same session must not overlap (use it from one
 *                thread at a time). Sessions of one model may run on different threads at once.
 *                The one exception is griffin_session_cancel, which is [any thread].
 *   [close]      griffin_model_close and griffin_session_destroy: no other call on that handle
 *                may be running, and none may follow. Destroy every session before its model.
 *
 * Typical use:
 *   griffin_model* model;    griffin_model_open("m.griffin", NULL, &model);
 *   griffin_session* s;      griffin_session_create(model, NULL, NULL, 0, &s);
 *   griffin_session_prefill(s, prompt_tokens, n, NULL, 0);
 *   for (;;) { griffin_session_sample(s, &sampler, &token); ...; griffin_session_decode(s, token, NULL); }
 *   griffin_session_destroy(s); griffin_model_close(model);
 */
#ifndef GRIFFIN_GRIFFIN_H_
#define GRIFFIN_GRIFFIN_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#define GRIFFIN_API __declspec(dllexport)
#else
#define GRIFFIN_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define GRIFFIN_VERSION_MAJOR 0
#define GRIFFIN_VERSION_MINOR 1
#define GRIFFIN_VERSION_PATCH 0

/* Status codes. Values are never renumbered. */
typedef enum griffin_status {
  GRIFFIN_OK = 0,
  GRIFFIN_ERR_INVALID_ARGUMENT = 1, /* NULL pointer, bad token id, bad option value */
  GRIFFIN_ERR_NOT_FOUND = 2,        /* file or named item missing */
  GRIFFIN_ERR_IO = 3,               /* the OS refused a read, map or write */
  GRIFFIN_ERR_INVALID_MODEL = 4,    /* the file is truncated, corrupt or inconsistent */
  GRIFFIN_ERR_UNSUPPORTED = 5,      /* well-formed, but not supported by this build */
  GRIFFIN_ERR_OUT_OF_MEMORY = 6,    /* allocation failed, or a buffer/budget is too small */
  GRIFFIN_ERR_OUT_OF_RANGE = 7,     /* position past max_context, output buffer too small */
  GRIFFIN_ERR_INTERNAL = 8          /* a bug in griffin-rt */
} griffin_status;

/* How activations quantized on the fly are scaled (griffin_model_options.activation_scale): int4
 * weights, and int8 weights with int8_activations, multiply int8 activations in integer dot
 * products. PER_GROUP (the default) gives every 32 values their own scale; PER_TOKEN one scale
 * per token (its largest value), which lets AVX-512 VNNI prefill apply it once per output
 * instead of once per group: faster prefill, at some accuracy where a token's values differ
 * widely in size. POWER_OF_TWO gives every 32 values the power of two at or above their own
 * scale (at most twice PER_GROUP's rounding error, whatever the token's other values), which
 * AVX-512 VNNI prefill applies exactly on the integer side: close to PER_TOKEN's prefill speed
 * (docs/quantization.md "Activation scales"). */
typedef enum griffin_activation_scale {
  GRIFFIN_ACTIVATION_SCALE_PER_GROUP = 0,
  GRIFFIN_ACTIVATION_SCALE_PER_TOKEN = 1,
  GRIFFIN_ACTIVATION_SCALE_POWER_OF_TWO = 2
} griffin_activation_scale;

/* Element types (values equal the .griffin file's dtypes). */
typedef enum griffin_dtype { GRIFFIN_DTYPE_F32 = 0, GRIFFIN_DTYPE_F16 = 1, GRIFFIN_DTYPE_BF16 = 2 } griffin_dtype;

typedef struct griffin_model griffin_model;
typedef struct griffin_session griffin_session;

/* "0.1.0". Static storage. */
/* Thread safety: [any thread] */
GRIFFIN_API const char* griffin_version(void);
/* A fixed description of a status code ("invalid argument"). Static storage. */
/* Thread safety: [any thread] */
GRIFFIN_API const char* griffin_status_string(griffin_status status);
/* The message of the last failed call on this thread ("" if none). Valid until the next failing
 * call on this thread. */
/* Thread safety: [any thread] */
GRIFFIN_API const char* griffin_last_error(void);

/* ---------------------------------------------------------------------------------------------
 * Model
 */

typedef struct griffin_model_options {
  size_t struct_size; /* sizeof(griffin_model_options): lets the struct grow */
  int32_t num_threads; /* threads for matrix products; 0 = one per core */
  uint64_t max_memory_bytes; /* refuse to load when the model's planned bytes (weights mapped +
                                packed + prepared) exceed this; 0 = no limit */
  bool force_scalar_kernels; /* debugging: run the portable scalar kernels instead of SIMD */
  bool int8_activations; /* int8 weights: quantize activations to int8 on the fly too (integer
                            dot products: slightly lower accuracy; faster prefill where the CPU
                            has int8 dot products, e.g. AVX-512 VNNI, while on AVX2 alone the
                            default prefills faster; see docs/quantization.md). Default false:
                            f32 activations (x86 rounds them to int16: no measurable accuracy
                            cost). */
  bool copy_weights; /* read the file into private memory instead of mapping it (griffin_model_open
                        and griffin_model_open_fd): costs the file's size in RAM, but a file
                        truncated or rewritten while the model is open can no longer kill the
                        process with SIGBUS (README "Reliability"). Default false: mapped. */
  bool prefault; /* read every weight page into RAM at open (MADV_WILLNEED, then each page
                    touched), so the first tokens do not wait on the disk. Pages can still be
                    evicted later under memory pressure (docs/memory.md). Default false. */
  bool lock_weights; /* mlock the weights until the model closes, so the OS cannot evict them
                        (decode never drops to disk speed). Needs RLIMIT_MEMLOCK (ulimit -l) of
                        at least the weights' size, or CAP_IPC_LOCK; otherwise the open fails
                        with GRIFFIN_ERR_OUT_OF_MEMORY and a message naming RLIMIT_MEMLOCK.
                        Default false. */
  int32_t max_batch; /* the most sessions one griffin_batch_decode call may advance. The model
                        allocates its batch arena for that many at open (stacked activations
                        and logits: about max_batch x (vocab_size + 8 x width) floats, reported
                        in the model's planned bytes); 0 (default) = no batched decode. */
  bool huge_pages;   /* read the file into private memory in 2 MB pages (Linux transparent huge
                        pages, MADV_HUGEPAGE) instead of mapping it: fewer TLB misses, so faster
                        decode, prefill and batches (docs/memory.md "Huge pages"). Costs like
                        copy_weights, which it implies: the file's size in RAM (rounded up to 2 MB),
                        read at open. The kernel grants the pages only when
                        /sys/kernel/mm/transparent_hugepage/enabled is "always" or "madvise", and as
                        memory allows; elsewhere (and on other systems) the copy keeps ordinary
                        pages. griffin_model_info.weights_huge_page_bytes says what was granted.
                        Ignored by griffin_model_open_buffer. Default false. */
  bool sleep_between_steps; /* after a prefill, decode or batch step of 2 ms or more, the matrix
                               threads sleep in the kernel until the next step instead of
                               spinning (the thread pool's default spins for up to tens of ms
                               after each call, holding cores). For apps that run other work
                               between steps on few cores, e.g. a second model: two 2B models
                               decoding in turns on two cores ran 20 % slower each without it.
                               Costs a wake-up at the start of each step. Default false. */
  int32_t activation_scale; /* a griffin_activation_scale: how int4 weights (and int8 weights with
                               int8_activations) scale their int8 activations. Other values fail
                               the open with GRIFFIN_ERR_INVALID_ARGUMENT. Default
                               GRIFFIN_ACTIVATION_SCALE_PER_GROUP. */
  bool repack_weights; /* on a CPU with AVX-512 VNNI: copy the int4 matrices, and the int8 ones
                          with int8_activations, at open into the blocks the kernel computes on
                          (32 rows interleaved), which it otherwise rebuilds for every prefill
                          chunk: faster prefill (docs/quantization.md "Repacked weights"), the
                          same bits in prefill, decode within float rounding of the default.
                          Costs those matrices' size in private memory
                          (griffin_model_info.weights_repacked_bytes; counted against
                          max_memory_bytes); from a mapped file their pages are then given back.
                          Elsewhere (other CPUs, bf16, int8 with f32 activations) nothing
                          happens. Default false. */
} griffin_model_options;

/* Thread safety: [any thread] */
GRIFFIN_API griffin_model_options griffin_model_default_options(void);

/* Maps and verifies a .griffin file and prepares its operators. `options` may be NULL.
 * @retval GRIFFIN_ERR_NOT_FOUND, GRIFFIN_ERR_INVALID_MODEL (corrupt, truncated, shapes that
 *         disagree with the config), GRIFFIN_ERR_UNSUPPORTED, GRIFFIN_ERR_OUT_OF_MEMORY (also:
 *         lock_weights refused by RLIMIT_MEMLOCK) */
/* Thread safety: [any thread] */
GRIFFIN_API griffin_status griffin_model_open(const char* path, const griffin_model_options* options,
                                              griffin_model** model);
/* Closes a model. Every session of the model must be destroyed first. NULL is ignored. */
/* Thread safety: [close] */
GRIFFIN_API void griffin_model_close(griffin_model* model);

typedef enum griffin_block_type {
  GRIFFIN_BLOCK_RECURRENT = 0,
  GRIFFIN_BLOCK_LOCAL_ATTENTION = 1,
  GRIFFIN_BLOCK_GLOBAL_ATTENTION = 2
} griffin_block_type;

typedef struct griffin_model_info {
  size_t struct_size;
  int32_t width, depth, num_heads, num_kv_heads, head_dim, lru_width, mlp_width;
  int32_t conv1d_width, attention_window, vocab_size;
  int32_t num_recurrent_layers, num_local_attention_layers, num_global_attention_layers;
  int32_t bos_id, eos_id, pad_id;
  bool has_tokenizer; /* false: the model is driven by token ids only */
  int32_t num_threads;
  int32_t tokenizer_pieces; /* pieces of the tokenizer (0 without one); ids from here up to
                               vocab_size have no text */
  int32_t start_of_turn_id; /* the file's chat markers as token ids; -1 when not a piece */
  int32_t end_of_turn_id;
  uint64_t weights_huge_page_bytes; /* bytes of the model's private copy that the OS backed with
                                       huge pages at open (huge_pages); 0 for a mapped file */
  uint64_t weights_repacked_bytes; /* bytes of int8 and int4 matrices repacked at open
                                      (repack_weights); 0 when nothing was */
} griffin_model_info;

/* Thread safety: [model] */
GRIFFIN_API griffin_status griffin_model_get_info(const griffin_model* model, griffin_model_info* info);
/* Which kernel variant each kernel family runs on this CPU, e.g. "f32-bf16w-gemm avx512f,
 * qd8-qs8w-gemm avx512vnni, qd8-qs4w-gemm avx512vnni": the ISA, and for a matrix family with
 * several shapes of one ISA the shape after it ("qd8-qs4w-gemm avx512vnni_eight_tokens", chosen
 * on Intel CPUs). Owned by the model. The environment
 * variable GRIFFIN_MAX_ISA ("scalar", "avx2", "avx512f", "avx512vnni"; "neon", "neondot" on
 * aarch64), read by griffin_model_open*, caps the variants chosen; a name the build does not
 * know makes the open fail with GRIFFIN_ERR_INVALID_ARGUMENT. */
/* Thread safety: [model] */
GRIFFIN_API griffin_status griffin_model_kernels(const griffin_model* model, const char** description);
/* The storage of the model's weight matrices, e.g. "matrices=int4 embedding=int8 gates=f32
 * small=f32" (the converter's recipe). Owned by the model. */
/* Thread safety: [model] */
GRIFFIN_API griffin_status griffin_model_dtype_recipe(const griffin_model* model, const char** recipe);

/* Block type of layer `layer` (0-based). */
/* Thread safety: [model] */
GRIFFIN_API griffin_status griffin_model_block_type(const griffin_model* model, int32_t layer,
                                                    griffin_block_type* type);

/* ---------------------------------------------------------------------------------------------
 * Tokenizer (the SentencePiece model embedded in the file)
 */

/* Encodes UTF-8 `text` (`text_len` bytes), with BOS first when `add_bos`. Writes at most
 * `capacity` ids; `*n_tokens` receives the number needed. If it exceeds `capacity` the call
 * returns GRIFFIN_ERR_OUT_OF_RANGE and nothing useful is in `tokens`.
 * @retval GRIFFIN_ERR_UNSUPPORTED when the model has no tokenizer. */
/* Thread safety: [model] */
GRIFFIN_API griffin_status griffin_tokenize(const griffin_model* model, const char* text, size_t text_len,
                                            bool add_bos, int32_t* tokens, size_t capacity,
                                            size_t* n_tokens);
/* Decodes ids to UTF-8 text (control tokens such as BOS, and ids past the tokenizer's pieces,
 * produce nothing; ids outside [0, vocab_size) are an error). `capacity` counts the terminating
 * NUL: at most capacity - 1 bytes of text are written, then a NUL. `*text_len` receives the text
 * length (without the NUL); when text_len + 1 > capacity the call returns
 * GRIFFIN_ERR_OUT_OF_RANGE. */
/* Thread safety: [model] */
GRIFFIN_API griffin_status griffin_detokenize(const griffin_model* model, const int32_t* tokens,
                                              size_t n_tokens, char* text, size_t capacity,
                                              size_t* text_len);
/* The id of a piece such as "<start_of_turn>", or GRIFFIN_ERR_NOT_FOUND. */
/* Thread safety: [model] */
GRIFFIN_API griffin_status griffin_token_id(const griffin_model* model, const char* piece, int32_t* id);

/* ---------------------------------------------------------------------------------------------
 * Session
 */

typedef struct griffin_session_options {
  size_t struct_size;
  int32_t prefill_chunk; /* tokens per prefill step (one matrix product); 0 = 64 */
  int32_t max_context;   /* positions a global-attention layer can hold; 0 = 4096. Models without
                            global attention ignore it: their state never grows. */
  uint64_t seed;         /* sampler random seed; the same seed gives the same samples */
  int32_t history_size;  /* recent tokens kept for the repetition penalty; 0 = 256 */
  griffin_dtype kv_dtype; /* element type of attention K/V caches: F32 (default), F16 or BF16 */
  uint64_t max_memory_bytes; /* refuse to create a session whose arena exceeds this; 0 = none */
} griffin_session_options;

/* Thread safety: [any thread] */
GRIFFIN_API griffin_session_options griffin_session_default_options(void);

/* Creates a session: every byte it will use is allocated here (or taken from `buffer`, which
 * must then hold at least the planned size; `buffer` NULL means the session allocates). The
 * model must outlive the session. `options` may be NULL.
 * @retval GRIFFIN_ERR_INVALID_ARGUMENT, GRIFFIN_ERR_OUT_OF_MEMORY (buffer too small: the message
 *         gives both sizes) */
/* Thread safety: [model] */
GRIFFIN_API griffin_status griffin_session_create(griffin_model* model, const griffin_session_options* options,
                                                  void* buffer, size_t buffer_size,
                                                  griffin_session** session);
/* Thread safety: [close] */
GRIFFIN_API void griffin_session_destroy(griffin_session* session);
/* Back to position 0 with zeroed state; the sampler is reseeded from the options' seed. */
/* Thread safety: [session] */
GRIFFIN_API griffin_status griffin_session_reset(griffin_session* session);
/* Number of tokens the session has consumed. */
/* Thread safety: [session] */
GRIFFIN_API griffin_status griffin_session_position(const griffin_session* session, size_t* position);

/* Feeds `n_tokens` tokens, processed in chunks of `prefill_chunk` tokens. Afterwards the logits
 * of the last token are available from griffin_session_logits(). If `all_logits` is not NULL it
 * receives the logits of every token, row after row: `all_logits_capacity` (in floats) must be
 * at least n_tokens * vocab_size.
 * @retval GRIFFIN_ERR_INVALID_ARGUMENT (token id < 0 or >= vocab, n_tokens 0),
 *         GRIFFIN_ERR_OUT_OF_RANGE (past max_context on a global-attention model; the session
 *         is then unchanged) */
/* Thread safety: [session] */
GRIFFIN_API griffin_status griffin_session_prefill(griffin_session* session, const int32_t* tokens,
                                                   size_t n_tokens, float* all_logits,
                                                   size_t all_logits_capacity);
/* Feeds one token. `logits` (may be NULL) receives a pointer to the vocab_size logits, owned by
 * the session and valid until its next call. */
/* Thread safety: [session] */
GRIFFIN_API griffin_status griffin_session_decode(griffin_session* session, int32_t token,
                                                  const float** logits);
/* Batched decode: feeds tokens[i] to sessions[i] for i < count, all sessions of one model, in a
 * single pass over the weights (each linear map is one matrix-matrix product over the count
 * tokens; conv, RG-LRU and attention run per session on its own state). Afterwards each
 * session is exactly as if griffin_session_decode(sessions[i], tokens[i]) had run, and its
 * logits (griffin_session_logits) equal that call's within the tolerance between prefill and
 * decode (the products sum in another order). The activations live in the model's batch arena,
 * allocated at open for griffin_model_options.max_batch sessions: batched calls on one model
 * take turns on it (an internal lock), calls on other models do not wait.
 * Everything is checked before anything runs, so a refused call changes no session.
 * @retval GRIFFIN_ERR_INVALID_ARGUMENT (sessions or tokens NULL, a NULL session, count 0 or above
 *         max_batch (also when the model was opened without max_batch), sessions of different
 *         models, the same session twice, a token id outside the vocabulary),
 *         GRIFFIN_ERR_OUT_OF_RANGE (a session at max_context of a global-attention model) */
/* Thread safety: [session] for every session in `sessions` (none may be in use on another
 * thread during the call) */
GRIFFIN_API griffin_status griffin_batch_decode(griffin_session* const* sessions,
                                                const int32_t* tokens, size_t count);
/* The logits after the last token fed (vocab_size floats, owned by the session). */
/* Thread safety: [session] */
GRIFFIN_API griffin_status griffin_session_logits(const griffin_session* session, const float** logits,
                                                  size_t* vocab_size);

typedef struct griffin_sampler_options {
  size_t struct_size;
  float temperature;        /* 0 = greedy (argmax) */
  int32_t top_k;            /* keep the k most likely tokens; 0 = off */
  float top_p;              /* keep the smallest set with probability >= p; 1 = off */
  float min_p;              /* drop tokens below min_p * p(most likely); 0 = off */
  float repetition_penalty; /* > 1 discourages recent tokens (CTRL-style); 1 = off */
  int32_t repetition_window; /* recent tokens penalised; 0 = the session's history_size */
} griffin_sampler_options;

/* Thread safety: [any thread] */
GRIFFIN_API griffin_sampler_options griffin_sampler_default_options(void);

/* Draws the next token from the current logits. Does not feed it: call decode with it. */
/* Thread safety: [session] */
GRIFFIN_API griffin_status griffin_session_sample(griffin_session* session,
                                                  const griffin_sampler_options* options,
                                                  int32_t* token);

/* Streaming detokenization: the text that `token` completes. Bytes of an incomplete UTF-8
 * sequence are held in the session until the tokens that complete them arrive, so every call
 * returns whole characters. The leading space of the first piece after reset is dropped, as
 * SentencePiece does. `capacity` counts the terminating NUL: at most capacity - 1 bytes of text,
 * then a NUL; 256 is ample. When the text does not fit: GRIFFIN_ERR_OUT_OF_RANGE, `*text_len`
 * the text length (without the NUL), and nothing consumed, so the call can be repeated with a
 * buffer of at least text_len + 1 bytes. */
/* Thread safety: [session] */
GRIFFIN_API griffin_status griffin_session_token_text(griffin_session* session, int32_t token, char* text,
                                                      size_t capacity, size_t* text_len);

/* ---------------------------------------------------------------------------------------------
 * Memory: every byte is planned before it is allocated
 */

/* The memory a model and one session with the given options will use. Computed from the
 * config alone: no weight is read. Session bytes are exact (the arena); packed bytes are an
 * upper bound (XNNPACK decides its padding). */
typedef struct griffin_memory_plan {
  size_t struct_size;
  uint64_t weights_mapped_bytes;   /* tensor bytes of the file: mapped, file-backed, shared */
  uint64_t weights_packed_bytes;   /* upper bound: XNNPACK's packed f32 weights and operators */
  uint64_t weights_prepared_bytes; /* small f32 arrays made at load (norm scales, conv taps) */
  uint64_t model_bytes;            /* the three above, weights_repacked_bytes and the batch arena */
  uint64_t rglru_state_bytes;      /* per recurrent layer: the RG-LRU state h (f32) */
  uint64_t conv_state_bytes;       /* per recurrent layer: conv1d history (f32) */
  uint64_t kv_cache_bytes;         /* per attention layer: K and V caches (kv_dtype) */
  uint64_t scratch_bytes;          /* activations of one prefill chunk */
  uint64_t logits_bytes;           /* the last token's logits */
  uint64_t sampler_bytes;          /* sampler workspace */
  uint64_t history_bytes;          /* recent tokens for the repetition penalty */
  uint64_t session_bytes;          /* the session arena: the regions above, 64-byte aligned */
  uint64_t total_bytes;            /* model_bytes + session_bytes */
  uint64_t weights_streamed_bytes; /* weight bytes one decode step reads: every matrix once (the
                                      f32 copy for XNNPACK-run ones, the mapped bytes otherwise);
                                      divided by the time per token it gives the bandwidth */
  uint64_t counters_bytes;         /* position, sampler state, held UTF-8 bytes */
  uint64_t session_used_bytes;     /* end of the arena's last region (session_bytes rounds it up
                                      to 64 bytes) */
  uint64_t state_bytes;            /* a snapshot (griffin_session_save) of such a session */
  uint64_t weights_repacked_bytes; /* matrices repacked at open (repack_weights), in private
                                      memory, part of model_bytes; 0 in griffin_file_memory_plan
                                      (known once a model opens on this CPU) */
} griffin_memory_plan;

/* Plan for an open model. `options` may be NULL (defaults). */
/* Thread safety: [model] */
GRIFFIN_API griffin_status griffin_model_memory_plan(const griffin_model* model,
                                                     const griffin_session_options* options,
                                                     griffin_memory_plan* plan);
/* Plan for a .griffin file before opening it: reads and verifies the header only. */
/* Thread safety: [any thread] */
GRIFFIN_API griffin_status griffin_file_memory_plan(const char* path, const griffin_session_options* options,
                                                    griffin_memory_plan* plan);

/* What a model and a session actually use, for comparison with the plan. */
typedef struct griffin_memory_usage {
  size_t struct_size;
  uint64_t xnnpack_bytes;    /* allocated by XNNPACK while the model loaded (packed weights) */
  uint64_t session_bytes;    /* the session's arena (0 when no session is given) */
  uint64_t session_used_bytes; /* bytes of the arena the session's buffers occupy */
} griffin_memory_usage;

/* `session` may be NULL. */
/* Thread safety: [session] */
GRIFFIN_API griffin_status griffin_memory_usage_get(const griffin_model* model,
                                                    const griffin_session* session,
                                                    griffin_memory_usage* usage);

/* The message of the session's last failed call ("" if none). */
/* Thread safety: [session] */
GRIFFIN_API const char* griffin_session_last_error(const griffin_session* session);

/* ---------------------------------------------------------------------------------------------
 * Session state: snapshot, restore and fork (docs/memory.md "Snapshots")
 *
 * A snapshot holds a session's persistent state only: RG-LRU and conv states, the attention
 * K/V caches, the last logits, the position, the sampler's random state, the repetition
 * history and the bytes of an incomplete UTF-8 character, behind a small header (magic, format
 * version, the model's identity, the session options that shape the state, a payload
 * checksum). Its size is fixed by the model and the session options, whatever the position.
 * A snapshot loads only into a session of the same model file (same header and tensor table,
 * so also the same quantization) with the same kv_dtype, max_context and history_size.
 */

/* Bytes griffin_session_save writes for this session (the same at every position). */
/* Thread safety: [session] */
GRIFFIN_API griffin_status griffin_session_state_size(const griffin_session* session, size_t* bytes);
/* Writes the snapshot to `buffer` (`capacity` bytes; 64-byte alignment not needed). Allocates
 * nothing. `*written` receives the snapshot size (also on GRIFFIN_ERR_OUT_OF_RANGE when
 * `capacity` is too small, so the caller can size the buffer). */
/* Thread safety: [session] */
GRIFFIN_API griffin_status griffin_session_save(const griffin_session* session, void* buffer,
                                                size_t capacity, size_t* written);
/* Restores a snapshot. Allocates nothing. Everything is checked before anything is copied: a
 * truncated, corrupt, wrong-version or other-model snapshot, one made with other session
 * options, or one whose checksums match but whose position, history or held text bytes are out
 * of range, is refused (GRIFFIN_ERR_INVALID_ARGUMENT, the message says which check failed) and
 * the session is left exactly as it was. */
/* Thread safety: [session] */
GRIFFIN_API griffin_status griffin_session_load(griffin_session* session, const void* data, size_t size);
/* The snapshot to a file, atomically: the file appears complete under `path` or not at all. */
/* Thread safety: [session] */
GRIFFIN_API griffin_status griffin_session_save_file(const griffin_session* session, const char* path);
/* griffin_session_load from a file (GRIFFIN_ERR_NOT_FOUND / GRIFFIN_ERR_IO when it cannot be read). */
/* Thread safety: [session] */
GRIFFIN_API griffin_status griffin_session_load_file(griffin_session* session, const char* path);
/* A new session of the same model with the same options and a copy of `source`'s state: both
 * continue independently, with bit-identical results for the same input. Allocates the new
 * session's arena; destroy it with griffin_session_destroy. */
/* Thread safety: [session] */
GRIFFIN_API griffin_status griffin_session_fork(const griffin_session* source, griffin_session** copy);

/* The chat markers stored in the file (Gemma: "<start_of_turn>", "<end_of_turn>"). Owned by the
 * model. `start` or `end` may be NULL. */
/* Thread safety: [model] */
GRIFFIN_API griffin_status griffin_model_chat_markers(const griffin_model* model, const char** start,
                                                      const char** end);

/* ---------------------------------------------------------------------------------------------
 * Generation: one call for prompt -> streamed text
 */

/* Receives each piece of generated text: complete UTF-8 (a character is never split), not
 * NUL-terminated, `piece_len` bytes (may be 0 for a token with no text). `token` is the token
 * that completed it (-1 for bytes flushed at the end). Return 0 to go on, non-zero to stop
 * (stop reason GRIFFIN_STOP_CALLBACK). */
typedef int (*griffin_piece_callback)(const char* piece, size_t piece_len, int32_t token, void* user);

typedef enum griffin_stop_reason {
  GRIFFIN_STOP_LENGTH = 0,          /* max_tokens generated */
  GRIFFIN_STOP_END_OF_SEQUENCE = 1, /* EOS, or the file's end-of-turn token */
  GRIFFIN_STOP_SEQUENCE = 2,        /* a stop sequence appeared (it is not emitted) */
  GRIFFIN_STOP_CALLBACK = 3,        /* the callback returned non-zero */
  GRIFFIN_STOP_CANCELLED = 4        /* griffin_session_cancel */
} griffin_stop_reason;

typedef struct griffin_generate_options {
  size_t struct_size;
  int32_t max_tokens;              /* tokens to generate at most; 0 = 256 (< 0 is invalid) */
  griffin_sampler_options sampler; /* greedy by default */
  const char* const* stop_sequences; /* NUL-terminated, valid UTF-8, 1..256 bytes each (else
                                        GRIFFIN_ERR_INVALID_ARGUMENT); borrowed for the call;
                                        may be NULL when stop_sequence_count is 0 */
  size_t stop_sequence_count;
  bool reseed;   /* true: the sampler's generator restarts from `seed` before the first sample,
                    so the same session state, options and seed give the same reply; false
                    (default): the session's generator runs on (griffin_session_options.seed) */
  uint64_t seed;
} griffin_generate_options;

typedef struct griffin_generate_result {
  size_t struct_size;
  griffin_stop_reason stop_reason;
  int32_t prompt_tokens;    /* prompt tokens fed (BOS included; fewer when cancelled in prefill) */
  int32_t generated_tokens; /* tokens sampled, each also fed (EOS/end-of-turn included): the
                               session's position grew by prompt_tokens + generated_tokens */
  double prefill_seconds;
  double decode_seconds;
} griffin_generate_result;

/* Thread safety: [any thread] */
GRIFFIN_API griffin_generate_options griffin_generate_default_options(void);

/* Feeds the prompt (with BOS first on a fresh session; on a session that already has tokens the
 * prompt continues the conversation) and generates until a stop condition, streaming pieces to
 * `callback` (may be NULL). `options` may be NULL; `result` may be NULL (else its struct_size
 * must be set: only that many bytes are written). An empty prompt on a session that has tokens
 * continues from its last logits.
 *
 * Every sampled token is fed to the session before the call returns, the last one too (one
 * decode step more than strictly needed): afterwards the session holds the whole reply, its
 * logits follow the last token, and the next call continues the conversation correctly.
 * The callback is called once per generated token (with an empty piece while text is held back
 * because it may start a stop sequence, or for tokens without text), except for EOS and the
 * end-of-turn token, which have no text; bytes still held at the end (an unfinished character,
 * as U+FFFD per byte, or the start of a stop sequence that never completed) come as one last
 * piece with token -1. Text before a matched stop sequence is emitted, the match and anything
 * after it are not. The session's streaming detokenizer is flushed at the end, so
 * griffin_session_token_text starts clean afterwards. Reaching max_context on a
 * global-attention model ends the reply with GRIFFIN_STOP_LENGTH.
 * Cancelled or stopped early, the session keeps every token fed so far and stays usable.
 * Allocates only to tokenize the prompt.
 * @retval GRIFFIN_ERR_INVALID_ARGUMENT (bad options or stop sequences),
 *         GRIFFIN_ERR_UNSUPPORTED (the model has no tokenizer),
 *         GRIFFIN_ERR_OUT_OF_RANGE (the prompt would pass max_context; nothing is fed) */
/* Thread safety: [session] */
GRIFFIN_API griffin_status griffin_session_generate(griffin_session* session, const char* prompt,
                                                    size_t prompt_len,
                                                    const griffin_generate_options* options,
                                                    griffin_piece_callback callback, void* user,
                                                    griffin_generate_result* result);
/* Asks a running griffin_session_generate on `session` to stop; it returns GRIFFIN_OK with
 * GRIFFIN_STOP_CANCELLED within one prefill chunk or one decode step. Thread-safe: may be called
 * from any thread at any time while the session exists. Async-signal-safe: it only stores to a
 * lock-free atomic flag (no lock, no allocation, no message), so a SIGINT handler may call it.
 * A cancel that arrives while no generation runs is forgotten when the next one starts.
 * @retval GRIFFIN_ERR_INVALID_ARGUMENT when `session` is NULL (no message is recorded) */
/* Thread safety: [any thread] */
GRIFFIN_API griffin_status griffin_session_cancel(griffin_session* session);

/* ---------------------------------------------------------------------------------------------
 * Loading for apps
 */

/* Opens a model stored at `offset` (any alignment) for `length` bytes inside the regular file
 * open as `fd` (for example an uncompressed APK asset from AAssetManager_openFileDescriptor);
 * `length` 0 = to the end of the file. `fd` is not closed and may be closed once this returns.
 * Verified exactly like griffin_model_open. An offset that is a multiple of 64 is memory-mapped
 * (zero copies, like a path). Any other offset would misalign the tensors, so the `length`
 * bytes are then read into an allocated copy: align large models to 64 bytes (zipalign -p
 * aligns to pages).
 * @retval GRIFFIN_ERR_INVALID_ARGUMENT (bad fd, not a regular file, range past the end of the
 *         file), GRIFFIN_ERR_INVALID_MODEL (the bytes are not a valid model), GRIFFIN_ERR_IO,
 *         GRIFFIN_ERR_OUT_OF_MEMORY */
/* Thread safety: [any thread] */
GRIFFIN_API griffin_status griffin_model_open_fd(int fd, uint64_t offset, uint64_t length,
                                                 const griffin_model_options* options,
                                                 griffin_model** model);
/* Opens a model from caller-owned memory (for example an mmapped NSData), which must stay valid
 * and unchanged until griffin_model_close; it is neither copied nor freed. `data` must be 64-byte
 * aligned (the tensors' alignment; mapped memory is). Verified exactly like griffin_model_open.
 * @retval GRIFFIN_ERR_INVALID_ARGUMENT (NULL or misaligned `data`), GRIFFIN_ERR_INVALID_MODEL */
/* Thread safety: [any thread] */
GRIFFIN_API griffin_status griffin_model_open_buffer(const void* data, size_t size,
                                                     const griffin_model_options* options,
                                                     griffin_model** model);

#ifdef __cplusplus
}
#endif

#endif /* GRIFFIN_GRIFFIN_H_ */
