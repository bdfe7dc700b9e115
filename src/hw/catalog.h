// SPDX-License-Identifier: MIT
// The hardware catalog (data/devices, data/systems) and the resolution of a system spec
// ("seed-desktop+rtx-5090", "2x dgx-spark", "my-box.toml") into a System.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "hw/device.h"

namespace worthit {

/// A system file as written, with device references not yet resolved.
struct SystemDef {
  std::string id, name, file;
  std::vector<std::string> aliases, sources;
  std::optional<HostSpec> host;
  struct GpuRef {
    std::string device, link;
    std::optional<MeasuredGpu> measured;
  };
  std::vector<GpuRef> gpus;
  std::string device;           ///< unified-memory device id (a SoC system)
  std::optional<Bytes> memory;  ///< memory configuration of that device
  std::vector<std::string> nodes;  ///< cluster: ids of systems or devices
  std::string link;
  std::optional<BytesPerSec> link_bandwidth;
  std::vector<Price> prices;
  std::optional<MeasuredHost> measured;  ///< the optional [measured] table
  std::optional<BytesPerSec> storage_read;  ///< the optional [storage] table's `read`
  std::string storage_source;
};

/// Devices and systems of a data directory.
struct HwCatalog {
  std::vector<Device> devices;
  std::vector<SystemDef> systems;
};

class TomlReader;
/// Reads the [[price]] tables of a device or system file.
Status read_price_list(TomlReader& r, std::vector<Price>& out);

/// Reads one device file.
Result<Device> load_device_file(const std::string& path);
/// Reads one system file (references unresolved).
Result<SystemDef> load_system_file(const std::string& path);
/// Loads data_dir/devices and data_dir/systems; checks ids and aliases are unique.
Result<HwCatalog> load_hw_catalog(const std::string& data_dir);

/// Finds a device by id or alias.
Result<Device> find_device(const HwCatalog& cat, const std::string& id);

/// Resolves a system spec: a system id, a device id (a GPU goes into the reference desktop),
/// a TOML file path, `A+B` (add GPU B to system A), `Nx A` (N nodes of A over 200 GbE).
Result<System> resolve_system(const HwCatalog& cat, const std::string& spec);

/// Every id usable as a system: system files first, then devices.
std::vector<std::string> system_ids(const HwCatalog& cat);

}  // namespace worthit
