// Opening a Hugging Face checkpoint directory (see checkpoint.h).
#include "converter/checkpoint.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

namespace griffin {

namespace {

bool file_exists(const std::string& path) {
  struct stat info;
  return stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

}  // namespace

Result<std::string> read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  GRF_CHECK(in.good(), kNotFound, "%s: cannot open: %s", path.c_str(), std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  GRF_CHECK(!in.bad(), kIoError, "%s: read failed", path.c_str());
  return text.str();
}

Result<nlohmann::json> read_json_file(const std::string& path) {
  GRF_ASSIGN_OR_RETURN(std::string text, read_text_file(path));
  nlohmann::json value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  GRF_CHECK(!value.is_discarded(), kInvalidFile, "%s: bad JSON", path.c_str());
  GRF_CHECK(value.is_object(), kInvalidFile, "%s: expected a JSON object", path.c_str());
  return value;
}

Result<std::unique_ptr<Checkpoint>> Checkpoint::open(const std::string& directory) {
  struct stat info;
  GRF_CHECK(stat(directory.c_str(), &info) == 0 && S_ISDIR(info.st_mode), kNotFound,
            "%s: not a checkpoint directory", directory.c_str());
  auto checkpoint = std::make_unique<Checkpoint>();
  checkpoint->directory_ = directory;
  GRF_ASSIGN_OR_RETURN(checkpoint->config_json_, read_json_file(directory + "/config.json"));
  const std::string tokenizer_path = directory + "/tokenizer.model";
  if (file_exists(tokenizer_path)) {
    GRF_ASSIGN_OR_RETURN(checkpoint->tokenizer_model_, read_text_file(tokenizer_path));
  }
  GRF_RETURN_IF_ERROR(checkpoint->load_shards());
  return checkpoint;
}

Status Checkpoint::load_shards() {
  const std::string single = directory_ + "/model.safetensors";
  const std::string index_path = directory_ + "/model.safetensors.index.json";
  std::vector<std::string> shard_names;
  nlohmann::json weight_map;
  if (file_exists(index_path)) {
    GRF_ASSIGN_OR_RETURN(nlohmann::json index, read_json_file(index_path));
    GRF_CHECK(index.contains("weight_map") && index["weight_map"].is_object(), kInvalidFile,
              "%s: no \"weight_map\" object", index_path.c_str());
    weight_map = index["weight_map"];
    std::set<std::string> seen;
    for (const auto& [name, shard] : weight_map.items()) {
      GRF_CHECK(shard.is_string(), kInvalidFile, "%s: tensor %s maps to a non-string",
                index_path.c_str(), name.c_str());
      const std::string shard_name = shard.get<std::string>();
      GRF_CHECK(shard_name.find('/') == std::string::npos, kInvalidFile,
                "%s: shard name '%s' must be a file in the checkpoint directory",
                index_path.c_str(), shard_name.c_str());
      if (seen.insert(shard_name).second) shard_names.push_back(shard_name);
    }
  } else if (file_exists(single)) {
    shard_names.push_back("model.safetensors");
  } else {
    return make_status(StatusCode::kNotFound,
                       "%s: no model.safetensors and no model.safetensors.index.json",
                       directory_.c_str());
  }

  for (const std::string& shard_name : shard_names) {
    GRF_ASSIGN_OR_RETURN(auto file, SafetensorsFile::open(directory_ + "/" + shard_name));
    for (const auto& [name, entry] : file->entries()) {
      if (!weight_map.is_null()) {
        // A tensor stored in a shard the index does not name for it is ambiguous: refuse it.
        GRF_CHECK(weight_map.contains(name) && weight_map[name] == shard_name, kInvalidFile,
                  "%s: tensor %s is in %s but the index does not map it there",
                  index_path.c_str(), name.c_str(), shard_name.c_str());
      }
      GRF_CHECK(tensors_.find(name) == tensors_.end(), kInvalidFile,
                "tensor %s appears in more than one shard (%s)", name.c_str(), shard_name.c_str());
      tensors_.emplace(name, CheckpointTensor{file.get(), &entry});
    }
    files_.push_back(std::move(file));
  }
  if (!weight_map.is_null()) {
    for (const auto& [name, shard] : weight_map.items()) {
      GRF_CHECK(tensors_.count(name) == 1, kInvalidFile,
                "%s: index maps tensor %s to %s, which does not contain it", index_path.c_str(),
                name.c_str(), shard.get<std::string>().c_str());
    }
  }
  return Status::ok_status();
}

const CheckpointTensor* Checkpoint::find(const std::string& name) const {
  auto found = tensors_.find(name);
  return found == tensors_.end() ? nullptr : &found->second;
}

std::vector<int64_t> Checkpoint::shape_of(const std::string& name) const {
  const CheckpointTensor* tensor = find(name);
  return tensor ? tensor->entry->shape : std::vector<int64_t>{};
}

}  // namespace griffin
