/* minimal.c: the smallest complete griffin-rt program, in C99 against griffin.h alone. Opens a
 * model, tokenizes a prompt, generates up to 32 tokens greedily and streams the text, checking
 * every status. Usage: griffin-minimal MODEL.griffin ["prompt"] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "griffin/griffin.h"

#define MAX_NEW_TOKENS 32

/* Prints what failed and why; returns 1 (the exit status) so callers can `return fail(...)`. */
static int fail(const char* what, griffin_status status) {
  fprintf(stderr, "griffin-minimal: %s: %s: %s\n", what, griffin_status_string(status),
          griffin_last_error());
  return 1;
}

static int generate(griffin_model* model, griffin_session* session, const char* prompt) {
  griffin_model_info info;
  griffin_sampler_options greedy = griffin_sampler_default_options(); /* temperature 0 */
  int32_t* tokens;
  size_t n_tokens = 0;
  griffin_status status;
  int i;

  info.struct_size = sizeof info;
  status = griffin_model_get_info(model, &info);
  if (status != GRIFFIN_OK) return fail("model info", status);

  /* First ask how many ids the prompt needs, then tokenize into a buffer of that size. */
  status = griffin_tokenize(model, prompt, strlen(prompt), true, NULL, 0, &n_tokens);
  if (status != GRIFFIN_OK && status != GRIFFIN_ERR_OUT_OF_RANGE) return fail("tokenize", status);
  tokens = malloc(n_tokens * sizeof *tokens);
  if (tokens == NULL) {
    fprintf(stderr, "griffin-minimal: out of memory for %zu prompt tokens\n", n_tokens);
    return 1;
  }
  status = griffin_tokenize(model, prompt, strlen(prompt), true, tokens, n_tokens, &n_tokens);
  if (status == GRIFFIN_OK) status = griffin_session_prefill(session, tokens, n_tokens, NULL, 0);
  free(tokens);
  if (status != GRIFFIN_OK) return fail("prefill", status);

  for (i = 0; i < MAX_NEW_TOKENS; ++i) {
    int32_t token;
    char text[256];
    size_t text_len;
    status = griffin_session_sample(session, &greedy, &token);
    if (status != GRIFFIN_OK) return fail("sample", status);
    if (token == info.eos_id) break;
    /* Control tokens and ids past the tokenizer's pieces (a padded vocabulary) succeed with no
     * text (text_len 0). Any error is real: a sampled id always lies inside the vocabulary. */
    status = griffin_session_token_text(session, token, text, sizeof text, &text_len);
    if (status != GRIFFIN_OK) return fail("token text", status);
    fwrite(text, 1, text_len, stdout);
    fflush(stdout);
    status = griffin_session_decode(session, token, NULL);
    if (status != GRIFFIN_OK) return fail("decode", status);
  }
  printf("\n");
  return 0;
}

int main(int argc, char** argv) {
  griffin_model* model = NULL;
  griffin_session* session = NULL;
  griffin_status status;
  int result;

  if (argc < 2 || argc > 3) {
    fprintf(stderr, "usage: %s MODEL.griffin [\"prompt\"]\n", argv[0]);
    return 2;
  }
  status = griffin_model_open(argv[1], NULL, &model);
  if (status != GRIFFIN_OK) return fail("open model", status);
  status = griffin_session_create(model, NULL, NULL, 0, &session);
  if (status != GRIFFIN_OK) {
    result = fail("create session", status);
    griffin_model_close(model);
    return result;
  }
  result = generate(model, session, argc == 3 ? argv[2] : "In the beginning");
  griffin_session_destroy(session);
  griffin_model_close(model);
  return result;
}
