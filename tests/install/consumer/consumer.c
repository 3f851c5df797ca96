/* consumer.c: an app's view of the installed griffin-rt (tests/install/run.sh). Opens a model,
 * tokenizes a prompt with BOS, prefills, decodes greedily and checks the text against the one
 * given (what the in-tree griffin-generate printed), and that the library is the version the
 * header describes. Exits 0 on a match, 1 on any mismatch or error.
 *   griffin-consumer MODEL PROMPT N_TOKENS EXPECTED_TEXT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "griffin/griffin.h"

#define TEXT_CAPACITY 4096

static int fail(const char* what, griffin_status status) {
  fprintf(stderr, "griffin-consumer: %s: %s: %s\n", what, griffin_status_string(status),
          griffin_last_error());
  return 1;
}

/* The header's version macros and the library's griffin_version() must agree, or the app was
 * compiled against another griffin-rt than the one it loads. */
static int check_version(void) {
  char expected[32];
  snprintf(expected, sizeof expected, "%d.%d.%d", GRIFFIN_VERSION_MAJOR, GRIFFIN_VERSION_MINOR,
           GRIFFIN_VERSION_PATCH);
  if (strcmp(expected, griffin_version()) != 0) {
    fprintf(stderr, "griffin-consumer: header says %s, library says %s\n", expected,
            griffin_version());
    return 1;
  }
  return 0;
}

/* Greedy generation as griffin-generate does it: the prompt primes the streaming detokenizer
 * (so the first generated piece keeps its leading space), the first token comes from the
 * prefill logits, and the last one is not decoded. Appends the text to `out`. */
static int generate(griffin_session* session, const griffin_model_info* info, const int32_t* prompt,
                    size_t n_prompt, int n_tokens, char* out, size_t out_capacity) {
  griffin_sampler_options greedy = griffin_sampler_default_options(); /* temperature 0 */
  griffin_status status;
  size_t out_len = 0, i;
  char piece[256];
  size_t piece_len;
  int generated;

  for (i = 0; i < n_prompt; ++i) {
    status = griffin_session_token_text(session, prompt[i], piece, sizeof piece, &piece_len);
    if (status != GRIFFIN_OK) return fail("prompt text", status);
  }
  status = griffin_session_prefill(session, prompt, n_prompt, NULL, 0);
  if (status != GRIFFIN_OK) return fail("prefill", status);
  for (generated = 0; generated < n_tokens; ++generated) {
    int32_t token;
    status = griffin_session_sample(session, &greedy, &token);
    if (status != GRIFFIN_OK) return fail("sample", status);
    if (token == info->eos_id) break;
    status = griffin_session_token_text(session, token, piece, sizeof piece, &piece_len);
    if (status != GRIFFIN_OK) return fail("token text", status);
    if (out_len + piece_len >= out_capacity) {
      fprintf(stderr, "griffin-consumer: more than %zu bytes of text\n", out_capacity);
      return 1;
    }
    memcpy(out + out_len, piece, piece_len);
    out_len += piece_len;
    out[out_len] = '\0';
    if (generated + 1 == n_tokens) break; /* its logits would never be used */
    status = griffin_session_decode(session, token, NULL);
    if (status != GRIFFIN_OK) return fail("decode", status);
  }
  return 0;
}

static int run(griffin_model* model, const char* prompt, int n_tokens, char* text) {
  griffin_model_info info;
  griffin_session* session = NULL;
  int32_t* tokens = NULL;
  size_t n_prompt = 0;
  griffin_status status;
  int result = 1;

  info.struct_size = sizeof info;
  status = griffin_model_get_info(model, &info);
  if (status != GRIFFIN_OK) return fail("model info", status);
  /* Ask for the number of ids first, then tokenize into a buffer of that size. */
  status = griffin_tokenize(model, prompt, strlen(prompt), true, NULL, 0, &n_prompt);
  if (status != GRIFFIN_OK && status != GRIFFIN_ERR_OUT_OF_RANGE) return fail("tokenize", status);
  tokens = malloc(n_prompt * sizeof *tokens);
  if (tokens == NULL) return fail("prompt buffer", GRIFFIN_ERR_OUT_OF_MEMORY);
  status = griffin_tokenize(model, prompt, strlen(prompt), true, tokens, n_prompt, &n_prompt);
  if (status != GRIFFIN_OK) {
    result = fail("tokenize", status);
  } else if ((status = griffin_session_create(model, NULL, NULL, 0, &session)) != GRIFFIN_OK) {
    result = fail("create session", status);
  } else {
    result = generate(session, &info, tokens, n_prompt, n_tokens, text, TEXT_CAPACITY);
    griffin_session_destroy(session);
  }
  free(tokens);
  return result;
}

int main(int argc, char** argv) {
  static char text[TEXT_CAPACITY];
  griffin_model* model = NULL;
  griffin_status status;
  char* end = NULL;
  long n_tokens;
  int result;

  if (argc != 5) {
    fprintf(stderr, "usage: %s MODEL PROMPT N_TOKENS EXPECTED_TEXT\n", argv[0]);
    return 2;
  }
  n_tokens = strtol(argv[3], &end, 10);
  if (*end != '\0' || n_tokens < 1 || n_tokens > 256) {
    fprintf(stderr, "griffin-consumer: N_TOKENS must be 1..256, got '%s'\n", argv[3]);
    return 2;
  }
  if (check_version() != 0) return 1;
  status = griffin_model_open(argv[1], NULL, &model);
  if (status != GRIFFIN_OK) return fail("open model", status);
  result = run(model, argv[2], (int)n_tokens, text);
  griffin_model_close(model);
  if (result != 0) return result;
  if (strcmp(text, argv[4]) != 0) {
    fprintf(stderr, "griffin-consumer: MISMATCH\n  expected: \"%s\"\n  got:      \"%s\"\n", argv[4],
            text);
    return 1;
  }
  printf("griffin-consumer %s: \"%s\" + \"%s\" as expected\n", griffin_version(), argv[2], text);
  return 0;
}
