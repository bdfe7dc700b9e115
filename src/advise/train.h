// SPDX-License-Identifier: MIT
// Fine-tuning estimates: the memory of full, LoRA and QLoRA training (weights, master weights,
// gradients, optimizer states, adapters, activations, overhead), where it fits on a system, and
// the time per million training tokens. Pure: no I/O. Formulas and sources: docs/fine-tuning.md.
#pragma once

#include <string>
#include <vector>

#include "core/error.h"
#include "core/units.h"
#include "hw/device.h"
#include "model/arch.h"

namespace worthit {

/// What is trained: every weight, low-rank adapters on a 16-bit base, or adapters on a
/// 4-bit NF4 base (QLoRA).
enum class TrainMethod { Full, Lora, Qlora };

/// Optimizer, by the bytes of state it keeps per trainable parameter: AdamW 8 (two fp32
/// moments), 8-bit AdamW 2 (bitsandbytes), SGD with momentum 4 (one fp32 buffer).
enum class TrainOptimizer { AdamW, AdamW8bit, Sgd };

/// Bf16: mixed precision (bf16 compute copy, fp32 master weights and gradients, the
/// convention of Hugging Face's "model memory anatomy"); Fp32: everything in fp32.
enum class TrainPrecision { Bf16, Fp32 };

/// Constants of the estimate, from data/train.toml (one value each, not per device).
struct TrainConstants {
  double mfu = 0.40;              ///< achieved fraction of the unit's peak FLOP/s
  Bytes framework_overhead;       ///< per GPU: CUDA context, kernels, allocator slack
  double nf4_bits_per_param = 4.127;  ///< NF4 + double-quantized constants (QLoRA paper)
  std::vector<std::string> sources;
};

/// One training setup.
struct TrainRequest {
  TrainMethod method = TrainMethod::Lora;
  TrainOptimizer optimizer = TrainOptimizer::AdamW;
  TrainPrecision precision = TrainPrecision::Bf16;
  int64_t seq_tokens = 2048;   ///< sequence length
  int64_t batch = 1;           ///< sequences per micro-batch
  bool grad_checkpointing = false;
  int lora_rank = 16;
  double tokens = 1e6;         ///< training tokens to time (time_total)
};

/// Parameter counts of a model by what training does with them.
struct ParamCounts {
  double total = 0;        ///< every weight of the text model
  double embedding = 0;    ///< token embedding (a lookup, no matmul)
  double output = 0;       ///< lm head (0 when tied to the embedding)
  double linear = 0;       ///< weight matrices inside the blocks (what QLoRA quantizes)
  double matmul_active = 0;  ///< matmul weights used per token (experts scaled, lm head in)
  double lora = 0;         ///< adapter parameters at the requested rank
  int lora_matrices = 0;   ///< adapted matrices
  double largest_linear = 0;  ///< elements of the largest block matrix (QLoRA dequant buffer)
};

/// Every memory term of one training process on one device, in bytes.
struct TrainMemory {
  Bytes weights;          ///< base/compute weights (bf16, fp32 or NF4 + constants)
  Bytes master_weights;   ///< fp32 copy of trainable weights (mixed precision)
  Bytes gradients;        ///< gradients of trainable weights (fp32)
  Bytes optimizer;        ///< optimizer states of trainable weights
  Bytes adapters;         ///< LoRA adapter weights (compute copy)
  Bytes activations;      ///< saved activations of the blocks
  Bytes logits;           ///< fp32 logits and log-softmax kept for the loss
  Bytes dequant_buffer;   ///< QLoRA: one block matrix dequantized to bf16
  Bytes overhead;         ///< framework overhead (per GPU)
  Bytes total() const;
};

/// Whether the job fits on one memory pool of the system alone.
struct TrainPoolFit {
  std::string id;        ///< "GPU0", "GPU1", "unified0", "host"
  std::string kind;      ///< "vram", "unified" or "host"
  std::string device;    ///< device name
  Bytes capacity;
  Bytes usable;          ///< what a training process may use
  FlopsPerSec peak;      ///< dense 16-bit tensor peak (or FP32 when that is all we know)
  bool trains = false;   ///< a GPU or unified pool (host memory is not a training device)
  bool fits = false;
};

/// The answer of estimate_training.
struct TrainEstimate {
  ParamCounts params;
  TrainMemory memory;            ///< single-device footprint
  std::vector<TrainPoolFit> pools;
  bool fits = false;             ///< on one device, or sharded over several
  int gpus_needed = 0;           ///< 1 on one device; >1: sharded (FSDP/ZeRO-3); 0: nowhere
  std::string placement;         ///< the pool ids used
  std::string reason;            ///< when !fits: the shortfall
  double flops_per_token = 0;    ///< training FLOPs per token (forward + backward + recompute)
  FlopsPerSec achieved;          ///< sum of peaks used x MFU
  double tokens_per_s = 0;
  Seconds time_per_million_tokens;
  Seconds time_total;            ///< for TrainRequest::tokens
  std::vector<std::string> notes;
};

/// "full", "lora", "qlora" and back.
Result<TrainMethod> parse_train_method(const std::string& s);
const char* train_method_name(TrainMethod m);
/// "adamw", "adamw8bit", "sgd" and back.
Result<TrainOptimizer> parse_train_optimizer(const std::string& s);
const char* train_optimizer_name(TrainOptimizer o);
/// "bf16", "fp32" and back.
Result<TrainPrecision> parse_train_precision(const std::string& s);
const char* train_precision_name(TrainPrecision p);

/// Counts the parameters of `arch` by role; LoRA adapters of rank `lora_rank` on every
/// attention and dense/shared MLP projection (routed experts are not adapted).
ParamCounts count_train_params(const ModelArch& arch, int lora_rank);

/// Saved activation bytes per token of one block, without gradient checkpointing, with
/// `bytes_per_value` per stored element (2 for bf16).
double activation_bytes_per_token_layer(const ModelArch& arch, int layer, double bytes_per_value);

/// Memory of one training process holding the whole job.
TrainMemory train_memory(const ModelArch& arch, const ParamCounts& p, const TrainRequest& r,
                         const TrainConstants& k);

/// Training FLOPs per token: forward 2N + attention, backward 2x forward for full training;
/// for LoRA/QLoRA only the activation gradients (no weight gradients of frozen weights) plus the
/// adapters; one more forward with gradient checkpointing.
double train_flops_per_token(const ModelArch& arch, const ParamCounts& p, const TrainRequest& r);

/// The whole estimate on `sys`. Errors only for invalid requests (non-positive sizes).
Result<TrainEstimate> estimate_training(const ModelArch& arch, const System& sys,
                                        const TrainRequest& r, const TrainConstants& k);

}  // namespace worthit
