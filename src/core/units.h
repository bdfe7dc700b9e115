// SPDX-License-Identifier: MIT
// Typed physical quantities. Every value is stored in base SI units: bytes, seconds, FLOP,
// bytes/s, FLOP/s, watts. Decimal prefixes (kB, MB, GB, TB) are powers of 1000; binary
// prefixes (KiB, MiB, GiB, TiB) are powers of 1024. Bandwidth is always decimal.
#pragma once

#include <compare>
#include <string>
#include <string_view>

#include "core/error.h"

namespace worthit {

/// A quantity of one physical dimension, stored in base units.
template <class Dim>
class Quantity {
 public:
  constexpr Quantity() = default;
  constexpr explicit Quantity(double base) : v_(base) {}
  /// The value in base units (bytes, seconds, FLOP, B/s, FLOP/s, W).
  constexpr double base() const { return v_; }

  constexpr Quantity operator+(Quantity o) const { return Quantity{v_ + o.v_}; }
  constexpr Quantity operator-(Quantity o) const { return Quantity{v_ - o.v_}; }
  constexpr Quantity operator*(double k) const { return Quantity{v_ * k}; }
  constexpr Quantity operator/(double k) const { return Quantity{v_ / k}; }
  /// Ratio of two quantities of the same dimension.
  constexpr double operator/(Quantity o) const { return v_ / o.v_; }
  constexpr Quantity& operator+=(Quantity o) {
    v_ += o.v_;
    return *this;
  }
  constexpr Quantity& operator-=(Quantity o) {
    v_ -= o.v_;
    return *this;
  }
  constexpr auto operator<=>(const Quantity&) const = default;

 private:
  double v_ = 0.0;
};

template <class Dim>
constexpr Quantity<Dim> operator*(double k, Quantity<Dim> q) {
  return q * k;
}

using Bytes = Quantity<struct BytesDim>;
using Seconds = Quantity<struct SecondsDim>;
using Flops = Quantity<struct FlopsDim>;
using BytesPerSec = Quantity<struct BandwidthDim>;
using FlopsPerSec = Quantity<struct FlopRateDim>;
using Watts = Quantity<struct WattsDim>;

// Cross-dimension operators, listed one by one so that nonsense does not compile.
constexpr Seconds operator/(Bytes b, BytesPerSec r) { return Seconds{b.base() / r.base()}; }
constexpr Seconds operator/(Flops f, FlopsPerSec r) { return Seconds{f.base() / r.base()}; }
constexpr Bytes operator*(BytesPerSec r, Seconds s) { return Bytes{r.base() * s.base()}; }
constexpr BytesPerSec operator/(Bytes b, Seconds s) { return BytesPerSec{b.base() / s.base()}; }

/// Binary sizes (capacity of memory chips): 1 GiB = 2^30 bytes.
constexpr Bytes kib(double n) { return Bytes{n * 1024.0}; }
constexpr Bytes mib(double n) { return Bytes{n * 1048576.0}; }
constexpr Bytes gib(double n) { return Bytes{n * 1073741824.0}; }
/// Decimal sizes (file sizes, marketing): 1 GB = 10^9 bytes.
constexpr Bytes gb(double n) { return Bytes{n * 1e9}; }
/// Decimal bandwidth: 1 GB/s = 10^9 bytes/s.
constexpr BytesPerSec gb_per_s(double n) { return BytesPerSec{n * 1e9}; }
constexpr FlopsPerSec tflop_per_s(double n) { return FlopsPerSec{n * 1e12}; }
constexpr Watts watts(double n) { return Watts{n}; }
constexpr Seconds seconds(double n) { return Seconds{n}; }

constexpr double to_gib(Bytes b) { return b.base() / 1073741824.0; }
constexpr double to_mib(Bytes b) { return b.base() / 1048576.0; }
constexpr double to_gb(Bytes b) { return b.base() / 1e9; }
constexpr double to_gbs(BytesPerSec r) { return r.base() / 1e9; }
constexpr double to_tflops(FlopsPerSec r) { return r.base() / 1e12; }

/// Parses a size with its unit: "24 GiB", "4.92 GB", "512 MiB", "1024 B". A bare number
/// is an error. Accepted units: B, kB/KB, MB, GB, TB (decimal); KiB, MiB, GiB, TiB (binary).
Result<Bytes> parse_bytes(std::string_view text);
/// Parses a bandwidth: "273 GB/s", "1.8 TB/s", "900 MB/s", "200 Gb/s" (bits), "50 GiB/s".
Result<BytesPerSec> parse_bandwidth(std::string_view text);
/// Parses a compute rate: "209 TFLOP/s", "82.6 TFLOPS", "1 PFLOP/s", "500 GFLOP/s",
/// "1000 TOPS" (integer ops are accepted as the same dimension).
Result<FlopsPerSec> parse_flop_rate(std::string_view text);
/// Parses a power: "450 W", "1.2 kW".
Result<Watts> parse_watts(std::string_view text);
/// Parses a duration: "30 s", "250 ms", "2 min", "1.5 h".
Result<Seconds> parse_seconds(std::string_view text);

/// "4.92 GB (4.58 GiB)": decimal first, binary in parentheses.
std::string format_bytes(Bytes b);
/// "9270 MiB"
std::string format_mib(Bytes b);
/// "273 GB/s"
std::string format_bandwidth(BytesPerSec r);
/// "209.5 TFLOP/s"
std::string format_flop_rate(FlopsPerSec r);

}  // namespace worthit
