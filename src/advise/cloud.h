// SPDX-License-Identifier: MIT
// Cloud GPU rental prices (data/cloud/<provider>.toml): one offer per rentable instance, each
// mapped onto a catalog device so its speed can be predicted like any other device.
#pragma once

#include <string>
#include <vector>

#include "core/error.h"
#include "hw/catalog.h"

namespace worthit {

/// One rentable instance at one provider, observed at one date.
struct CloudOffer {
  std::string provider;       ///< file id: "lambda", "runpod"
  std::string provider_name;  ///< "Lambda", "RunPod"
  std::string file;
  std::string where;          ///< "file:line: offer[i]" (for later cross-check errors)
  std::string gpu;            ///< as the provider names it: "1x H100 SXM"
  std::string device;         ///< catalog device id: "h100-sxm"
  int gpus = 1;               ///< GPUs in the instance
  double price_per_hour = 0;  ///< whole instance, in `currency`; the low end of a range
  double price_per_hour_max = 0;  ///< high end of a range; 0: a single price
  std::string currency;       ///< "USD" (price_usd_per_hour) or "EUR" (price_eur_per_hour)
  std::string kind;           ///< on_demand | spot | serverless | capacity_block | community
  std::string date;           ///< "2026-05" or "2026-05-07": when the price was observed
  std::string source;         ///< URL or source key of the file's `sources`
  std::string note;
  /// Price of one GPU for one hour.
  double price_per_gpu_hour() const { return price_per_hour / gpus; }
};

/// Reads one provider file; errors name file:line: field.
Result<std::vector<CloudOffer>> load_cloud_file(const std::string& path);
/// Every *.toml of `dir` (sorted by file name).
Result<std::vector<CloudOffer>> load_cloud_catalog(const std::string& dir);
/// Every offer's device exists in the hardware catalog (unknown ids: "did you mean").
Status check_cloud_devices(const std::vector<CloudOffer>& offers, const HwCatalog& hw);
/// The offers for one catalog device, cheapest per GPU-hour first (within one currency).
std::vector<CloudOffer> offers_for_device(const std::vector<CloudOffer>& offers,
                                          const std::string& device);

}  // namespace worthit
