// SPDX-License-Identifier: MIT
// `worthit train`: memory and time of full, LoRA and QLoRA fine-tuning on a system.
#include <fmt/format.h>

#include <iostream>

#include "advise/train.h"
#include "advise/train_data.h"
#include "common.h"

namespace worthit::app {
namespace {

struct TrainArgs {
  GlobalOptions g;
  std::string system, model, method = "lora", optimizer = "adamw", precision = "bf16";
  int64_t seq = 2048, batch = 1;
  int lora_rank = 16;
  double tokens = 1e6;
  bool grad_ckpt = false;
};

Result<TrainRequest> to_request(const TrainArgs& a) {
  TrainRequest r;
  WORTHIT_TRY(method, parse_train_method(a.method));
  WORTHIT_TRY(opt, parse_train_optimizer(a.optimizer));
  WORTHIT_TRY(prec, parse_train_precision(a.precision));
  if (a.tokens <= 0) return fail("--tokens", "must be positive");
  r.method = method;
  r.optimizer = opt;
  r.precision = prec;
  r.seq_tokens = a.seq;
  r.batch = a.batch;
  r.grad_checkpointing = a.grad_ckpt;
  r.lora_rank = a.lora_rank;
  r.tokens = a.tokens;
  return r;
}

nlohmann::json memory_json(const TrainMemory& m) {
  return {{"weights_bytes", m.weights.base()},
          {"master_weights_bytes", m.master_weights.base()},
          {"gradients_bytes", m.gradients.base()},
          {"optimizer_bytes", m.optimizer.base()},
          {"adapters_bytes", m.adapters.base()},
          {"activations_bytes", m.activations.base()},
          {"logits_bytes", m.logits.base()},
          {"dequant_buffer_bytes", m.dequant_buffer.base()},
          {"overhead_bytes", m.overhead.base()},
          {"total_bytes", m.total().base()}};
}

nlohmann::json train_json(const TrainArgs& a, const ModelArch& arch, const System& sys,
                          const TrainRequest& r, const TrainConstants& k, const TrainEstimate& e) {
  nlohmann::json pools = nlohmann::json::array();
  for (const auto& p : e.pools)
    pools.push_back({{"id", p.id}, {"kind", p.kind}, {"device", p.device},
                     {"capacity_bytes", p.capacity.base()}, {"usable_bytes", p.usable.base()},
                     {"peak_flops_per_s", p.peak.base()}, {"trains", p.trains}, {"fits", p.fits}});
  nlohmann::json j = {
      {"system", sys.id}, {"model", arch.id.empty() ? a.model : arch.id},
      {"method", train_method_name(r.method)}, {"optimizer", train_optimizer_name(r.optimizer)},
      {"precision", train_precision_name(r.precision)}, {"seq_tokens", r.seq_tokens},
      {"batch", r.batch}, {"grad_checkpointing", r.grad_checkpointing},
      {"lora_rank", r.lora_rank},
      {"params_total", e.params.total}, {"params_trainable",
                                          r.method == TrainMethod::Full ? e.params.total : e.params.lora},
      {"memory", memory_json(e.memory)}, {"pools", pools}, {"fits", e.fits},
      {"gpus_needed", e.gpus_needed}, {"placement", e.placement},
      {"flops_per_token", e.flops_per_token}, {"mfu", k.mfu},
      {"achieved_flops_per_s", e.achieved.base()}, {"tokens_per_s", e.tokens_per_s},
      {"time_per_million_tokens_s", e.time_per_million_tokens.base()},
      {"tokens", r.tokens}, {"time_total_s", e.time_total.base()},
      {"notes", e.notes}, {"sources", k.sources}};
  if (!e.fits) j["reason"] = e.reason;
  return j;
}

std::string human_time(Seconds s) {
  const double v = s.base();
  if (v < 120) return fmt::format("{:.0f} s", v);
  if (v < 7200) return fmt::format("{:.1f} min", v / 60);
  return fmt::format("{:.1f} h", v / 3600);
}

void print_memory(const TrainRequest& r, const TrainEstimate& e) {
  const TrainMemory& m = e.memory;
  const char* w = r.method == TrainMethod::Qlora ? "NF4 base, embeddings/lm head bf16"
                  : r.precision == TrainPrecision::Bf16 ? "bf16" : "fp32";
  const auto row = [](const char* name, Bytes b, const std::string& what) {
    std::cout << fmt::format("  {:<16} {:>9.2f} GB  {}\n", name, to_gb(b), what);
  };
  std::cout << "memory on one device:\n";
  row("weights", m.weights, w);
  row("master weights", m.master_weights, "fp32 copy of trainable weights");
  row("gradients", m.gradients, "fp32, trainable weights only");
  row("optimizer", m.optimizer, train_optimizer_name(r.optimizer));
  if (r.method != TrainMethod::Full) row("adapters", m.adapters, "LoRA A and B matrices");
  row("activations", m.activations, r.grad_checkpointing ? "checkpointed" : "all blocks");
  row("logits", m.logits, "fp32 logits + log-softmax");
  if (r.method == TrainMethod::Qlora) row("dequant buffer", m.dequant_buffer, "one matrix in bf16");
  row("overhead", m.overhead, "CUDA context and kernels");
  row("total", m.total(), "");
}

void print_train(const ModelArch& arch, const System& sys, const TrainRequest& r,
                 const TrainConstants& k, const TrainEstimate& e) {
  const double trainable = r.method == TrainMethod::Full ? e.params.total : e.params.lora;
  std::cout << fmt::format("{} on {}: {} fine-tune{}, {} {}, seq {} x batch {}, gradient "
                           "checkpointing {}\n", arch.name, sys.name, train_method_name(r.method),
                           r.method == TrainMethod::Full ? "" : fmt::format(" (rank {})", r.lora_rank),
                           train_precision_name(r.precision), train_optimizer_name(r.optimizer),
                           r.seq_tokens, r.batch, r.grad_checkpointing ? "on" : "off");
  std::cout << fmt::format("parameters: {:.2f} B, trainable {:.1f} M ({:.2f} %)\n",
                           e.params.total / 1e9, trainable / 1e6, 100 * trainable / e.params.total);
  print_memory(r, e);
  std::cout << "pools:\n";
  for (const auto& p : e.pools)
    std::cout << fmt::format("  {:<6} {:<8} {:<40} {:>7.1f} GB usable  {}\n", p.id, p.kind,
                             p.device, to_gb(p.usable),
                             !p.trains ? "(not a training device)" : p.fits ? "fits" : "too small");
  if (!e.fits) {
    std::cout << "fits: NO: " << e.reason << "\n";
  } else {
    std::cout << fmt::format("fits: yes, on {}\n", e.placement);
    std::cout << fmt::format("time: {:.1f} GFLOP per token at {:.1f} TFLOP/s (MFU {:.2f}) -> {:.0f} "
                             "tokens/s, {} per million tokens\n", e.flops_per_token / 1e9,
                             to_tflops(e.achieved), k.mfu, e.tokens_per_s,
                             human_time(e.time_per_million_tokens));
  }
  for (const auto& n : e.notes) std::cout << "note: " << n << "\n";
}

int run(const TrainArgs& a) {
  if (a.system.empty() || a.model.empty())
    return report_error(Error{"--system/--model", "both are required", "worthit train --help"});
  auto req = to_request(a);
  if (!req) return report_error(req.error());
  auto k = load_train_constants(data_dir(a.g) + "/train.toml");
  if (!k) return report_error(k.error());
  auto cat = load_hw_catalog(data_dir(a.g));
  if (!cat) return report_error(cat.error());
  auto sys = resolve_system(*cat, a.system);
  if (!sys) return report_error(sys.error());
  auto m = load_model_source(a.g, a.model, "");
  if (!m) return report_error(m.error());
  auto e = estimate_training(m->arch, *sys, *req, *k);
  if (!e) return report_error(e.error());
  if (a.g.json) print_json("train", train_json(a, m->arch, *sys, *req, *k, *e));
  else print_train(m->arch, *sys, *req, *k, *e);
  return kExitOk;
}

}  // namespace

void register_train(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<TrainArgs>();
  CLI::App* cmd = app.add_subcommand("train", "Memory and time of fine-tuning a model on a system");
  cmd->add_option("--system", args->system, "System id, device id, A+B, Nx A, or a TOML file");
  cmd->add_option("--model", args->model, "Catalog model id, .gguf or config.json");
  cmd->add_option("--method", args->method, "full, lora or qlora (default lora)");
  cmd->add_option("--seq", args->seq, "Sequence length in tokens (default 2048)");
  cmd->add_option("--batch", args->batch, "Sequences per micro-batch (default 1)");
  cmd->add_flag("--grad-checkpointing", args->grad_ckpt, "Recompute activations (full layers)");
  cmd->add_option("--optimizer", args->optimizer, "adamw, adamw8bit or sgd (momentum; default adamw)");
  cmd->add_option("--lora-rank", args->lora_rank, "LoRA rank on every projection (default 16)");
  cmd->add_option("--precision", args->precision, "bf16 (mixed precision) or fp32 (default bf16)");
  cmd->add_option("--tokens", args->tokens, "Training tokens for the total time (default 1e6)");
  add_global_options(cmd, args->g);
  cmd->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace worthit::app
