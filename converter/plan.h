// `griffin-convert plan`: the memory a model and one session will need, from a preset or a
// .griffin header, before any weight is loaded. Uses the runtime's planning function.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "plan/memory_plan.h"

namespace griffin {

struct PlanRequest {
  std::string name;        // preset name or file path, for the heading
  ModelConfig config;
  DtypeOf dtype_of;
  std::string weight_dtype;  // as stored, for the heading
  SessionOptions session;
};

std::string plan_text(const PlanRequest& request, const ModelMemoryPlan& plan);
nlohmann::ordered_json plan_json(const PlanRequest& request, const ModelMemoryPlan& plan);

}  // namespace griffin
