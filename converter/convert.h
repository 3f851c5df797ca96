// griffin-convert's main job: a Hugging Face RecurrentGemma checkpoint -> one .griffin file.
#pragma once

#include <optional>
#include <string>

#include "converter/tensor_stream.h"
#include "format/dtype.h"

namespace griffin {

extern const char kConverterVersion[];

struct ConvertOptions {
  DType weight_dtype = DType::kF32;  // for matrices; small tensors stay f32 (tensor_specs.h)
  std::optional<DType> embed_dtype;  // for the tied embedding; default: weight_dtype
  std::string created_by;            // the command line, recorded in the metadata
  StreamOptions stream;
};

// Checks the whole checkpoint (config, every tensor's presence, shape and dtype, the
// tokenizer) before writing a byte, then streams the tensors. On any error the output path is
// left as it was.
Status convert_checkpoint(const std::string& checkpoint_dir, const std::string& output_path,
                          const ConvertOptions& options);

// The dtype recipe string stored in the metadata, e.g. "matrices=int4 embedding=int8 gates=f32
// small=f32".
std::string dtype_recipe(DType weight_dtype, DType embed_dtype);

}  // namespace griffin
