// SPDX-License-Identifier: MIT
// Host memory read bandwidth with every thread: each thread sums its own slice of one buffer much
// larger than the last-level cache, all threads start together, and a pass ends when the slowest
// is done. The best pass is reported, in decimal GB/s, as STREAM does. It measures reads only
// (decode streams weights, it does not write them), so it lands between STREAM's Copy and a pure
// read kernel's figure. On a busy machine the figure is lower than the hardware can give.
#pragma once

#include "core/error.h"
#include "core/units.h"

namespace worthit::probe {

/// How to measure.
struct BandwidthOptions {
  Bytes buffer = gib(1);  ///< total buffer, split evenly across threads
  int threads = 1;
  int passes = 5;         ///< timed passes after one untimed warm-up pass
  /// Ask for transparent huge pages (madvise). Fewer TLB misses, but the first touch may wait
  /// for the kernel to compact memory, so quick runs go without.
  bool huge_pages = true;
};

/// What one measurement gave.
struct BandwidthResult {
  BytesPerSec best;   ///< fastest pass
  BytesPerSec mean;   ///< mean over the timed passes
  Bytes buffer;
  int threads = 0;
  int passes = 0;
  Seconds elapsed;    ///< wall time including allocation and first touch
};

/// Buffer and passes for this host: max(1 GiB, 8 x LLC) and 8 passes, or with `quick`
/// max(256 MiB, 4 x LLC), 3 passes and no huge pages; capped at a quarter of the available memory.
/// `llc` 0 means unknown; `available` 0 means unknown (no cap).
BandwidthOptions default_bandwidth_options(Bytes llc, Bytes available, int threads, bool quick);

/// Runs the measurement. Fails when the buffer cannot be allocated or the options are invalid.
Result<BandwidthResult> measure_read_bandwidth(const BandwidthOptions& opt);

}  // namespace worthit::probe
