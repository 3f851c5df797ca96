# scripts/bench_targets.py over griffin-bench results written here, with values chosen so each
# verdict is known: a target met in some runs and not others, a value exactly at the line,
# a roof other than int8's, and the errors a user can hit (no results, a truncated file).
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/runs ${WORK}/empty ${WORK}/corrupt)

# One --roofline result: decode fraction, read GB/s, decode tok/s, prefill int8-roof fraction,
# prefill tok/s, the roof the prefill ran on and the fraction of it.
function(speed_result name decode bandwidth decode_tps int8_fraction prefill_tps roof fraction)
  file(WRITE ${WORK}/runs/${name}.json "{\"decode_bandwidth_fraction\": ${decode},
    \"read_bandwidth_gb_per_s\": ${bandwidth}, \"decode_tokens_per_s\": ${decode_tps},
    \"prefill_int8_roof_fraction\": ${int8_fraction}, \"prefill_tokens_per_s\": ${prefill_tps},
    \"prefill_roof\": \"${roof}\", \"prefill_roof_fraction\": ${fraction}}")
endfunction()

speed_result(speed-int4-1 0.91 34.2 18.5 0.62 140 int8_dot 0.62)
speed_result(speed-int4-2 0.70 57.6 23.4 0.55 124 int8_dot 0.55)
speed_result(speed-int4-3 0.85 50.0 26.0 0.60 131 int8_dot 0.60)
speed_result(speed-int8-1 0.93 45.0 15.2 0.37 83 int16_dot 0.73)
speed_result(speed-bf16-1 0.82 47.0 7.1 0.0 45 f32_fma 0.83)
file(WRITE ${WORK}/runs/batch8-int8-1.json "{\"batch_interleaved_speedup\": 4.66,
  \"batch_ms_per_step\": 100.6, \"batch_lone_tokens_per_s\": 17.07}")
file(WRITE ${WORK}/runs/sessions-int8.json "{\"sessions_interleaved_speedup\": 1.69}")
file(WRITE ${WORK}/runs/versus-int4-int8-1.json "{\"versus_speedup\": 1.75}")
file(WRITE ${WORK}/runs/notes.txt "not a result")
# bench-llamacpp.sh's pairs: each run a llama.cpp row, then griffin-rt's.
set(llamacpp_header "runtime,config,run,weight_bytes_per_token,prefill_macs_per_token,prefill_tokens_per_s,decode_tokens_per_s,decode_weight_gb_per_s,read_bandwidth_gb_per_s,decode_bandwidth_fraction,prefill_gmacs_per_s")
file(WRITE ${WORK}/runs/llamacpp.csv "${llamacpp_header}
llama.cpp,q4_0,1,1545150464,1981808640,64.0,17.2,26.6,33.5,0.79,127.0
griffin-rt,int4,1,1594091520,2028933120,125.0,17.5,28.0,33.5,0.83,254.0
llama.cpp,q4_0,2,1545150464,1981808640,62.5,17.1,26.4,57.0,0.46,124.0
griffin-rt,int4,2,1594091520,2028933120,111.1,15.0,26.4,57.0,0.46,93.0
")

execute_process(COMMAND ${PYTHON} ${SCRIPT} ${WORK}/runs RESULT_VARIABLE code OUTPUT_VARIABLE out
                ERROR_VARIABLE err)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "bench_targets.py failed (${code}):\n${out}\n${err}")
endif()
foreach(expected
    "\\| int4 \\| 0\\.910 \\(34 GB/s, 18\\.5 tok/s\\) / 0\\.700 \\(58 GB/s, 23\\.4 tok/s\\) / 0\\.850 \\(50 GB/s, 26\\.0 tok/s\\) \\| 2 of 3 \\|"
    "\\| bf16 \\| 0\\.820 \\(47 GB/s, 7\\.1 tok/s\\) \\| 0 of 1 \\|"
    "\\| int4 \\| 0\\.620 \\(140 tok/s\\) / 0\\.550 \\(124 tok/s\\) / 0\\.600 \\(131 tok/s\\) \\| 2 of 3 \\|"
    "\\| int8 \\| 0\\.370 \\(83 tok/s\\), 0\\.73 of its int16_dot roof \\| 0 of 1 \\|"
    "\\| int8 \\| 4\\.66 × \\(101 ms a step, lone 17\\.1 tok/s\\) \\| 1 of 1 \\|"
    "two sessions ≥ 1\\.7 × one \\(in turns\\) \\| int8 \\| 1\\.69 × \\| 0 of 1 \\|"
    "int4 decode ≥ 1\\.4 × int8 \\(in turns\\) \\| int4-int8 \\| 1\\.75 × \\| 1 of 1 \\|"
    # Level is not ahead: 26.4 against 26.4 GB/s counts as not met.
    "decode ahead of llama\\.cpp \\(weight GB/s\\) \\| int4 against q4_0 \\| 1\\.05 × \\(28\\.0 / 26\\.6 GB/s\\) / 1\\.00 × \\(26\\.4 / 26\\.4 GB/s\\) \\| 1 of 2 \\|"
    "prefill ahead of llama\\.cpp \\(GMAC/s\\) \\| int4 against q4_0 \\| 2\\.00 × \\(254\\.0 / 127\\.0 GMAC/s\\) / 0\\.75 × \\(93\\.0 / 124\\.0 GMAC/s\\) \\| 1 of 2 \\|")
  if(NOT out MATCHES "${expected}")
    message(FATAL_ERROR "expected a row matching\n  ${expected}\ngot:\n${out}")
  endif()
endforeach()
if(out MATCHES "bf16 \\| 0\\.000")
  message(FATAL_ERROR "bf16 has no int8 prefill target, but got a prefill row:\n${out}")
endif()

execute_process(COMMAND ${PYTHON} ${SCRIPT} ${WORK}/empty RESULT_VARIABLE code ERROR_VARIABLE err)
if(code EQUAL 0 OR NOT err MATCHES "no griffin-bench results in")
  message(FATAL_ERROR "an empty directory should fail with a message, got ${code}: ${err}")
endif()

file(WRITE ${WORK}/corrupt/speed-int8-1.json "{\"decode_bandwidth_fraction\": 0.9")
execute_process(COMMAND ${PYTHON} ${SCRIPT} ${WORK}/corrupt RESULT_VARIABLE code ERROR_VARIABLE err)
if(code EQUAL 0 OR NOT err MATCHES "speed-int8-1.json: not a griffin-bench JSON result")
  message(FATAL_ERROR "a truncated result should fail with its name, got ${code}: ${err}")
endif()

file(WRITE ${WORK}/corrupt/speed-int8-1.json "{\"decode_tokens_per_s\": 15.2}")
execute_process(COMMAND ${PYTHON} ${SCRIPT} ${WORK}/corrupt RESULT_VARIABLE code ERROR_VARIABLE err)
if(code EQUAL 0 OR NOT err MATCHES "no decode_bandwidth_fraction \\(run griffin-bench with --roofline\\)")
  message(FATAL_ERROR "a result without --roofline should fail saying so, got ${code}: ${err}")
endif()

# Files named one by one (scripts/bench.sh passes the runs it wrote): only those count.
execute_process(COMMAND ${PYTHON} ${SCRIPT} ${WORK}/runs/speed-int4-2.json ${WORK}/runs/batch8-int8-1.json
                RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "bench_targets.py on two files failed (${code}):\n${out}\n${err}")
endif()
if(NOT out MATCHES "\\| int4 \\| 0\\.700 \\(58 GB/s, 23\\.4 tok/s\\) \\| 0 of 1 \\|" OR out MATCHES "bf16|0\\.910")
  message(FATAL_ERROR "expected the named int4 run alone, got:\n${out}")
endif()
execute_process(COMMAND ${PYTHON} ${SCRIPT} ${WORK}/runs/nonexistent.json RESULT_VARIABLE code ERROR_VARIABLE err)
if(code EQUAL 0 OR NOT err MATCHES "nonexistent.json: no such file or directory")
  message(FATAL_ERROR "a missing path should fail naming it, got ${code}: ${err}")
endif()

# bench-llamacpp.sh's CSV alone is enough, and a CSV that is not its pairs fails naming the line.
file(MAKE_DIRECTORY ${WORK}/llamacpp)
file(WRITE ${WORK}/llamacpp/llamacpp.csv "${llamacpp_header}
llama.cpp,q8_0,1,2663030784,1981808640,55.4,11.5,30.7,61.7,0.50,109.8
griffin-rt,int8,1,2760648704,2028933120,84.3,16.0,44.2,61.7,0.72,171.1
")
execute_process(COMMAND ${PYTHON} ${SCRIPT} ${WORK}/llamacpp RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT code EQUAL 0 OR NOT out MATCHES "\\| int8 against q8_0 \\| 1\\.44 × \\(44\\.2 / 30\\.7 GB/s\\) \\| 1 of 1 \\|")
  message(FATAL_ERROR "expected the int8 pair from llamacpp.csv alone, got ${code}:\n${out}\n${err}")
endif()
file(WRITE ${WORK}/llamacpp/llamacpp.csv "${llamacpp_header}
griffin-rt,int8,1,2760648704,2028933120,84.3,16.0,44.2,61.7,0.72,171.1
llama.cpp,q8_0,1,2663030784,1981808640,55.4,11.5,30.7,61.7,0.50,109.8
")
execute_process(COMMAND ${PYTHON} ${SCRIPT} ${WORK}/llamacpp RESULT_VARIABLE code ERROR_VARIABLE err)
if(code EQUAL 0 OR NOT err MATCHES "llamacpp.csv:2: expected a llama.cpp row and then the griffin-rt row")
  message(FATAL_ERROR "rows out of order should fail naming the line, got ${code}: ${err}")
endif()
file(WRITE ${WORK}/llamacpp/llamacpp.csv "${llamacpp_header}
llama.cpp,q8_0,1,2663030784,1981808640,55.4,11.5,,61.7,0.50,109.8
griffin-rt,int8,1,2760648704,2028933120,84.3,16.0,44.2,61.7,0.72,171.1
")
execute_process(COMMAND ${PYTHON} ${SCRIPT} ${WORK}/llamacpp RESULT_VARIABLE code ERROR_VARIABLE err)
if(code EQUAL 0 OR NOT err MATCHES "llamacpp.csv:2: no decode_weight_gb_per_s")
  message(FATAL_ERROR "a row without its decode rate should fail naming it, got ${code}: ${err}")
endif()
file(WRITE ${WORK}/llamacpp/llamacpp.csv "${llamacpp_header}
llama.cpp,q8_0,1,2663030784,1981808640,55.4,11.5,30.7,61.7,0.50,109.8
")
execute_process(COMMAND ${PYTHON} ${SCRIPT} ${WORK}/llamacpp RESULT_VARIABLE code ERROR_VARIABLE err)
if(code EQUAL 0 OR NOT err MATCHES "1 rows, not llama.cpp and griffin-rt pairs")
  message(FATAL_ERROR "a run without its griffin-rt row should fail, got ${code}: ${err}")
endif()
