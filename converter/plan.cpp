// Text and JSON renderings of a memory plan (see plan.h).
#include "converter/plan.h"

#include <cstdio>

#include "converter/inspect.h"
#include "converter/progress.h"

namespace griffin {

namespace {

const RegionKind kSessionKinds[] = {
    RegionKind::kRglruState, RegionKind::kConvState, RegionKind::kKvCache, RegionKind::kScratch,
    RegionKind::kLogits,     RegionKind::kSampler,   RegionKind::kHistory, RegionKind::kCounters};

std::string row(const std::string& label, uint64_t bytes) {
  char line[160];
  std::snprintf(line, sizeof line, "  %-34s %18s B  %10s  %9.1f MiB\n", label.c_str(),
                with_thousands(static_cast<int64_t>(bytes)).c_str(), human_bytes(bytes).c_str(),
                static_cast<double>(bytes) / (1024.0 * 1024.0));
  return line;
}

}  // namespace

std::string plan_text(const PlanRequest& r, const ModelMemoryPlan& plan) {
  std::string out = "memory plan for " + r.name + ": weights " + r.weight_dtype + ", KV cache " +
                    dtype_name(r.session.kv_dtype) + ", prefill chunk " +
                    std::to_string(r.session.prefill_chunk);
  if (r.config.count_layers(BlockType::kGlobalAttention) > 0) {
    out += ", max context " + std::to_string(r.session.max_context);
  }
  out += "\nmodel (shared by all sessions):\n";
  out += row("weights mapped (file-backed)", plan.weights_mapped);
  out += row("weights packed (XNNPACK, bound)", plan.weights_packed);
  out += row("weights prepared (f32 arrays)", plan.weights_prepared);
  out += row("model total", plan.model_bytes());
  out += "session (one arena, fixed for any length):\n";
  for (RegionKind kind : kSessionKinds) {
    out += row(region_kind_name(kind), layout_bytes(plan.session, kind));
  }
  out += row("session total", plan.session.total_bytes);
  out += row("snapshot (persistent state)", snapshot_bytes(plan.session));
  out += row("total (model + one session)", plan.total_bytes());
  return out;
}

nlohmann::ordered_json plan_json(const PlanRequest& r, const ModelMemoryPlan& plan) {
  nlohmann::ordered_json json;
  json["model"] = r.name;
  json["weight_dtype"] = r.weight_dtype;
  json["kv_dtype"] = dtype_name(r.session.kv_dtype);
  json["prefill_chunk"] = r.session.prefill_chunk;
  json["max_context"] = r.session.max_context;
  json["weights_mapped_bytes"] = plan.weights_mapped;
  json["weights_packed_bytes"] = plan.weights_packed;
  json["weights_prepared_bytes"] = plan.weights_prepared;
  json["model_bytes"] = plan.model_bytes();
  nlohmann::ordered_json session;
  for (RegionKind kind : kSessionKinds) {
    session[std::string(region_kind_name(kind)) + "_bytes"] = layout_bytes(plan.session, kind);
  }
  json["session"] = session;
  json["session_bytes"] = plan.session.total_bytes;
  json["state_bytes"] = snapshot_bytes(plan.session);
  json["total_bytes"] = plan.total_bytes();
  return json;
}

}  // namespace griffin
