#include <griffin/griffin.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
int main(int argc, char** argv) {
  int steps = atoi(argv[2]), batch = 8;
  griffin_model_options mo = griffin_model_default_options();
  mo.prefault = true; mo.num_threads = 2; mo.max_batch = 8;
  griffin_model* model; if (griffin_model_open(argv[1], &mo, &model)) { printf("open failed\n"); return 1; }
  griffin_session* s[8]; int32_t prompt[8] = {2, 100, 200, 300, 400, 500, 600, 700}; int32_t tok[8];
  for (int i = 0; i < batch; ++i) { if (griffin_session_create(model, NULL, NULL, 0, &s[i])) return 2; prompt[1] = 100 + i; if (griffin_session_prefill(s[i], prompt, 8, NULL, 0)) return 3; tok[i] = 1000 + i; }
  double t0 = now();
  for (int k = 0; k < steps; ++k) { if (griffin_batch_decode(s, tok, batch)) { printf("batch failed\n"); return 4; } for (int i = 0; i < batch; ++i) tok[i] = (tok[i] * 7 + 13) % 200000; }
  double t = now() - t0;
  printf("%.1f ms a step, %.1f tokens/s\n", t / steps * 1e3, steps * batch / t);
  return 0;
}
