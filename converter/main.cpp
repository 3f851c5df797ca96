// griffin-convert: Hugging Face RecurrentGemma checkpoint -> .griffin, plus `inspect` and
// `synthetic`. Usage: docs/converter.md, or griffin-convert --help.
#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>
#include <iostream>

#include "converter/checkpoint.h"
#include "converter/convert.h"
#include "converter/inspect.h"
#include "converter/plan.h"
#include "converter/synthetic.h"

namespace {

volatile std::sig_atomic_t g_interrupted = 0;

void on_signal(int) { g_interrupted = 1; }

std::string command_line(int argc, char** argv) {
  std::string text;
  for (int i = 0; i < argc; ++i) text += (i ? " " : "") + std::string(argv[i]);
  return text;
}

int report(const griffin::Status& status) {
  if (status.ok()) return 0;
  std::fprintf(stderr, "griffin-convert: error: %s\n", status.message().c_str());
  return 1;
}

griffin::Progress::Mode progress_mode(bool quiet) {
  return quiet ? griffin::Progress::Mode::kQuiet : griffin::Progress::Mode::kAuto;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);

  CLI::App app{
      "griffin-convert: packs a Hugging Face RecurrentGemma checkpoint (config.json, "
      "*.safetensors, tokenizer.model) into one .griffin file.\n"
      "  griffin-convert CHECKPOINT_DIR -o OUT.griffin [--dtype f32|f16|bf16|int8|int4] "
      "[--embed-dtype D]\n"
      "  griffin-convert inspect FILE [--json] [--tensors]\n"
      "  griffin-convert synthetic (--preset NAME | --config CONFIG.json) [--seed N] [--dtype D] "
      "-o OUT\n"
      "  griffin-convert plan (--preset NAME | FILE) [--dtype D] [--chunk N] [--kv-dtype D] "
      "[--max-context N] [--json]",
      "griffin-convert"};
  app.set_version_flag("--version", std::string(griffin::kConverterVersion));

  std::string checkpoint_dir, output_path, dtype_name = "f32", embed_dtype_name;
  bool quiet = false;
  app.add_option("checkpoint", checkpoint_dir, "Hugging Face checkpoint directory");
  app.add_option("-o,--output", output_path, "output .griffin file (written atomically)");
  app.add_option("--dtype", dtype_name,
                 "dtype of weight matrices: f32 (default), f16, bf16, int8 (one scale per row) or "
                 "int4 (groups of 32); norms, biases, conv taps and RG-LRU parameters stay f32");
  app.add_option("--embed-dtype", embed_dtype_name,
                 "dtype of the tied embedding (default: --dtype), e.g. int8 with --dtype int4");
  app.add_flag("-q,--quiet", quiet, "no progress output");

  CLI::App* inspect = app.add_subcommand("inspect", "describe a .griffin file");
  std::string inspect_path;
  bool inspect_as_json = false, list_tensors = false;
  inspect->add_option("file", inspect_path, ".griffin file")->required();
  inspect->add_flag("--json", inspect_as_json, "print JSON (always includes the tensor table)");
  inspect->add_flag("--tensors", list_tensors, "list every tensor in the text output");

  CLI::App* synthetic = app.add_subcommand(
      "synthetic", "write a model with exact shapes and seeded random weights");
  std::string preset, config_path, synthetic_output, synthetic_dtype = "f32", synthetic_embed;
  uint64_t seed = 1;
  bool hf_checkpoint = false;
  std::string presets_help = "one of:";
  for (const std::string& name : griffin::preset_names()) presets_help += " " + name;
  auto* preset_option = synthetic->add_option("--preset", preset, presets_help);
  auto* config_option =
      synthetic->add_option("--config", config_path, "HF-style config.json to take shapes from");
  preset_option->excludes(config_option);
  synthetic->add_option("--seed", seed, "random seed (default 1)");
  synthetic->add_option("--dtype", synthetic_dtype,
                        "dtype of weight matrices: f32 (default), f16, bf16, int8, int4");
  synthetic->add_option("--embed-dtype", synthetic_embed, "dtype of the embedding (default: --dtype)");
  synthetic->add_option("-o,--output", synthetic_output, "output .griffin file (or directory)")
      ->required();
  synthetic->add_flag("--hf", hf_checkpoint,
                      "write a Hugging Face checkpoint directory (config.json + "
                      "model.safetensors) instead of a .griffin file");
  synthetic->add_flag("-q,--quiet", quiet, "no progress output");

  CLI::App* plan = app.add_subcommand(
      "plan", "memory a model and one session need, before anything is loaded");
  std::string plan_file, plan_preset, plan_dtype = "f32", plan_kv_dtype = "f32", plan_embed_dtype;
  int64_t plan_chunk = 64, plan_max_context = 4096;
  bool plan_as_json = false;
  auto* plan_file_option = plan->add_option("file", plan_file, ".griffin file (header only is read)");
  plan->add_option("--preset", plan_preset, presets_help)->excludes(plan_file_option);
  plan->add_option("--dtype", plan_dtype,
                   "weight dtype of a preset: f32 (default), f16, bf16, int8, int4");
  plan->add_option("--embed-dtype", plan_embed_dtype, "embedding dtype of a preset (default: --dtype)");
  plan->add_option("--chunk", plan_chunk, "prefill chunk in tokens (default 64)");
  plan->add_option("--kv-dtype", plan_kv_dtype, "attention cache dtype: f32 (default), f16, bf16");
  plan->add_option("--max-context", plan_max_context,
                   "positions of a global-attention cache (default 4096)");
  plan->add_flag("--json", plan_as_json, "print JSON");

  CLI11_PARSE(app, argc, argv);

  if (plan->parsed()) {
    griffin::PlanRequest request;
    std::unique_ptr<griffin::GriffinFile> plan_source;  // outlives request.dtype_of
    auto kv_dtype = griffin::parse_dtype(plan_kv_dtype);
    auto weight_dtype = griffin::parse_dtype(plan_dtype);
    if (!kv_dtype || !weight_dtype) {
      return report(griffin::make_status(griffin::StatusCode::kInvalidArgument,
                                         "unknown dtype '%s' (f32, f16, bf16, int8, int4)",
                                         (kv_dtype ? plan_dtype : plan_kv_dtype).c_str()));
    }
    request.session.kv_dtype = *kv_dtype;
    request.session.prefill_chunk = plan_chunk;
    request.session.max_context = plan_max_context;
    griffin::Status valid = griffin::validate_session_options(request.session);
    if (!valid.ok()) return report(valid);
    if (!plan_preset.empty()) {
      auto config = griffin::preset_config(plan_preset);
      if (!config.ok()) return report(config.status());
      request.name = plan_preset;
      request.config = config.value();
      const griffin::DType embed = plan_embed_dtype.empty() ? *weight_dtype
                                                            : griffin::parse_dtype(plan_embed_dtype).value_or(*weight_dtype);
      request.weight_dtype = griffin::dtype_recipe(*weight_dtype, embed);
      request.dtype_of = griffin::recipe_dtypes(*weight_dtype, embed);
    } else if (!plan_file.empty()) {
      auto file = griffin::GriffinFile::open(plan_file);
      if (!file.ok()) return report(file.status());
      plan_source = std::move(file).value();
      request.name = plan_file;
      request.config = plan_source->config();
      request.weight_dtype = plan_source->header().metadata.dtype_recipe;
      const griffin::GriffinFile* opened = plan_source.get();
      request.dtype_of = [opened](const griffin::TensorSpec& spec) {
        return opened->find(spec.name)->record->dtype;
      };
    } else {
      return report(griffin::make_status(griffin::StatusCode::kInvalidArgument,
                                         "plan needs --preset NAME or a .griffin FILE"));
    }
    const griffin::ModelMemoryPlan memory =
        griffin::plan_model_memory(request.config, request.dtype_of, request.session);
    if (plan_as_json) {
      std::cout << griffin::plan_json(request, memory).dump(2) << "\n";
    } else {
      std::cout << griffin::plan_text(request, memory);
    }
    return 0;
  }

  if (inspect->parsed()) {
    auto file = griffin::GriffinFile::open(inspect_path);
    if (!file.ok()) return report(file.status());
    if (inspect_as_json) {
      std::cout << griffin::inspect_json(*file.value()).dump(2) << "\n";
    } else {
      std::cout << griffin::inspect_text(*file.value(), list_tensors);
    }
    return 0;
  }

  if (synthetic->parsed()) {
    auto dtype = griffin::parse_dtype(synthetic_dtype);
    if (!dtype) return report(griffin::make_status(griffin::StatusCode::kInvalidArgument,
                                                   "unknown --dtype '%s' (f32, f16, bf16, int8, int4)",
                                                   synthetic_dtype.c_str()));
    griffin::Result<griffin::ModelConfig> config = griffin::make_status(
        griffin::StatusCode::kInvalidArgument, "synthetic needs --preset NAME or --config FILE");
    if (!preset.empty()) config = griffin::preset_config(preset);
    if (!config_path.empty()) {
      auto json = griffin::read_json_file(config_path);
      config = json.ok() ? griffin::config_from_hf_json(json.value()) : json.status();
      if (!config.ok()) return report(config.status().with_context(config_path));
    }
    if (!config.ok()) return report(config.status());
    griffin::Progress progress(progress_mode(quiet));
    griffin::SyntheticOptions options;
    options.seed = seed;
    options.weight_dtype = *dtype;
    if (!synthetic_embed.empty()) {
      auto embed = griffin::parse_dtype(synthetic_embed);
      if (!embed) return report(griffin::make_status(griffin::StatusCode::kInvalidArgument,
                                                     "unknown --embed-dtype '%s'",
                                                     synthetic_embed.c_str()));
      options.embed_dtype = *embed;
    }
    options.source = preset.empty() ? config_path : "preset " + preset;
    options.created_by = command_line(argc, argv);
    options.stream = {&progress, &g_interrupted};
    return report(hf_checkpoint
                      ? griffin::write_synthetic_checkpoint(config.value(), synthetic_output, options)
                      : griffin::write_synthetic_griffin(config.value(), synthetic_output, options));
  }

  if (checkpoint_dir.empty() || output_path.empty()) {
    std::cerr << app.help() << "\ngriffin-convert: error: give a CHECKPOINT_DIR and -o OUT\n";
    return 2;
  }
  auto dtype = griffin::parse_dtype(dtype_name);
  if (!dtype) return report(griffin::make_status(griffin::StatusCode::kInvalidArgument,
                                                 "unknown --dtype '%s' (f32, f16, bf16, int8, int4)",
                                                 dtype_name.c_str()));
  griffin::Progress progress(progress_mode(quiet));
  griffin::ConvertOptions options;
  options.weight_dtype = *dtype;
  if (!embed_dtype_name.empty()) {
    auto embed = griffin::parse_dtype(embed_dtype_name);
    if (!embed) return report(griffin::make_status(griffin::StatusCode::kInvalidArgument,
                                                   "unknown --embed-dtype '%s'",
                                                   embed_dtype_name.c_str()));
    options.embed_dtype = *embed;
  }
  options.created_by = command_line(argc, argv);
  options.stream = {&progress, &g_interrupted};
  return report(griffin::convert_checkpoint(checkpoint_dir, output_path, options));
}
