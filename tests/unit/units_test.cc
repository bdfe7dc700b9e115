// SPDX-License-Identifier: MIT
// Typed quantities: parsing with units (decimal vs binary never confused), whole error
// messages, and which cross-dimension operations compile.
#include "core/units.h"

#include <gtest/gtest.h>

#include <string>
#include <type_traits>
#include <vector>

namespace worthit {
namespace {

/// The message of a failed result, or "<ok>".
template <class T>
std::string err(const Result<T>& r) {
  return r ? "<ok>" : r.error().message();
}

struct Good {
  const char* text;
  double base;  ///< expected value in base units
};

struct Bad {
  const char* text;
  const char* message;  ///< the whole message
};

template <class Q>
void expect_good(Result<Q> (*parse)(std::string_view), const std::vector<Good>& cases) {
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    auto r = parse(c.text);
    ASSERT_TRUE(r) << err(r);
    EXPECT_DOUBLE_EQ(r->base(), c.base);
  }
}

template <class Q>
void expect_bad(Result<Q> (*parse)(std::string_view), const std::vector<Bad>& cases) {
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(err(parse(c.text)), c.message);
  }
}

TEST(ParseBytes, DecimalAndBinaryPrefixesAreDistinct) {
  expect_good(parse_bytes, {
                               {"24 GiB", 25769803776.0},
                               {"4.92 GB", 4.92e9},
                               {"1024 B", 1024.0},
                               {"1 kB", 1e3},
                               {"1 KB", 1e3},
                               {"1 KiB", 1024.0},
                               {"512 MiB", 536870912.0},
                               {"1 MB", 1e6},
                               {"2 TB", 2e12},
                               {"1 TiB", 1099511627776.0},
                               {"128 GiB", 137438953472.0},
                               {"80 GB", 80e9},
                               {"24GiB", 25769803776.0},     // no space
                               {"  24 GiB  ", 25769803776.0},  // surrounding blanks
                               {"1.5e3 MB", 1.5e9},          // exponent
                               {"0 B", 0.0},
                           });
}

TEST(ParseBytes, GbAndGibNeverConfused) {
  auto gib24 = parse_bytes("24 GiB");
  auto gb24 = parse_bytes("24 GB");
  ASSERT_TRUE(gib24 && gb24);
  EXPECT_EQ(gib24->base(), gib(24).base());
  EXPECT_EQ(gb24->base(), gb(24).base());
  EXPECT_NEAR(*gib24 / *gb24, 1.073741824, 1e-12);
}

TEST(ParseBytes, Errors) {
  expect_bad(parse_bytes,
             {
                 {"80", "missing unit in \"80\" (write it like \"24 GiB\")"},
                 {"fast", "expected a number with a unit like \"24 GiB\", got \"fast\""},
                 {"", "expected a number with a unit like \"24 GiB\", got \"\""},
                 {"GiB", "expected a number with a unit like \"24 GiB\", got \"GiB\""},
                 {"1.2.3 GB", "expected a number with a unit like \"24 GiB\", got \"1.2.3 GB\""},
                 {"24 Gib", "unknown size unit \"Gib\" in \"24 Gib\" (did you mean 'GiB'?)"},
                 {"24 GBs", "unknown size unit \"GBs\" in \"24 GBs\" (did you mean 'GB'?)"},
                 {"-24 GiB", "negative value \"-24 GiB\""},
                 {"24 GB/s", "unknown size unit \"GB/s\" in \"24 GB/s\" (did you mean 'GB'?)"},
             });
}

TEST(ParseBandwidth, Units) {
  expect_good(parse_bandwidth, {
                                   {"200 Gb/s", 25e9},  // bits: 200 / 8
                                   {"1.8 TB/s", 1.8e12},
                                   {"273 GB/s", 273e9},
                                   {"900 MB/s", 900e6},
                                   {"3.35 TB/s", 3.35e12},
                                   {"50 GiB/s", 50 * 1073741824.0},
                                   {"1 B/s", 1.0},
                                   {"200 Gbps", 25e9},
                                   {"200 GbE", 25e9},
                               });
}

TEST(ParseBandwidth, Errors) {
  expect_bad(parse_bandwidth,
             {
                 {"273", "missing unit in \"273\" (write it like \"273 GB/s\")"},
                 {"fast", "expected a number with a unit like \"273 GB/s\", got \"fast\""},
                 {"-5 GB/s", "negative value \"-5 GB/s\""},
                 {"273 GB", "unknown bandwidth unit \"GB\" in \"273 GB\" (did you mean 'GB/s'?)"},
                 {"273 GB/sec",
                  "unknown bandwidth unit \"GB/sec\" in \"273 GB/sec\" (did you mean 'GB/s'?)"},
             });
}

TEST(ParseFlopRate, Units) {
  expect_good(parse_flop_rate, {
                                   {"209 TFLOP/s", 209e12},
                                   {"1000 TOPS", 1e15},
                                   {"82.6 TFLOPS", 82.6e12},
                                   {"1 PFLOP/s", 1e15},
                                   {"500 GFLOP/s", 500e9},
                                   {"1.09 TFLOP/s", 1.09e12},
                               });
}

TEST(ParseFlopRate, Errors) {
  expect_bad(parse_flop_rate,
             {
                 {"209", "missing unit in \"209\" (write it like \"209 TFLOP/s\")"},
                 {"fast", "expected a number with a unit like \"209 TFLOP/s\", got \"fast\""},
                 {"-1 TFLOP/s", "negative value \"-1 TFLOP/s\""},
                 {"209 TFLOPs",
                  "unknown compute rate unit \"TFLOPs\" in \"209 TFLOPs\" (did you mean "
                  "'TFLOPS'?)"},
             });
}

TEST(ParseWatts, UnitsAndErrors) {
  expect_good(parse_watts, {{"450 W", 450.0}, {"1.2 kW", 1200.0}, {"0 W", 0.0}});
  expect_bad(parse_watts, {
                              {"450", "missing unit in \"450\" (write it like \"450 W\")"},
                              {"-5 W", "negative value \"-5 W\""},
                              {"450 w", "unknown power unit \"w\" in \"450 w\" (did you mean 'W'?)"},
                          });
}

TEST(ParseSeconds, UnitsAndErrors) {
  expect_good(parse_seconds, {{"30 s", 30.0},
                              {"250 ms", 0.25},
                              {"2 min", 120.0},
                              {"1.5 h", 5400.0},
                              {"100 us", 1e-4},
                              {"5 ns", 5e-9}});
  expect_bad(parse_seconds,
             {
                 {"30", "missing unit in \"30\" (write it like \"30 s\")"},
                 {"soon", "expected a number with a unit like \"30 s\", got \"soon\""},
                 {"-1 s", "negative value \"-1 s\""},
                 {"2 mins", "unknown duration unit \"mins\" in \"2 mins\" (did you mean 'min'?)"},
             });
}

TEST(ParseErrors, HaveNoLocationOfTheirOwn) {
  // The caller (a TOML reader, a flag parser) adds where the text came from.
  auto r = parse_bytes("80");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().where, "");
  EXPECT_EQ(r.error().hint, "");
}

// ---- Typed arithmetic, checked at compile time where possible -------------------------

template <class A, class B>
concept Addable = requires(A a, B b) { a + b; };
template <class A, class B>
concept Subtractable = requires(A a, B b) { a - b; };
template <class A, class B>
concept Multipliable = requires(A a, B b) { a * b; };
template <class A, class B>
concept Divisible = requires(A a, B b) { a / b; };
template <class A, class B>
concept Comparable = requires(A a, B b) { a < b; };

// Cross-dimension results have the right type.
static_assert(std::is_same_v<decltype(Bytes{} / BytesPerSec{}), Seconds>);
static_assert(std::is_same_v<decltype(Flops{} / FlopsPerSec{}), Seconds>);
static_assert(std::is_same_v<decltype(BytesPerSec{} * Seconds{}), Bytes>);
static_assert(std::is_same_v<decltype(Bytes{} / Seconds{}), BytesPerSec>);
// Same dimension: sum stays, ratio is a plain number, scaling keeps the dimension.
static_assert(std::is_same_v<decltype(Bytes{} + Bytes{}), Bytes>);
static_assert(std::is_same_v<decltype(Bytes{} / Bytes{}), double>);
static_assert(std::is_same_v<decltype(Bytes{} * 2.0), Bytes>);
static_assert(std::is_same_v<decltype(2.0 * Bytes{}), Bytes>);
// Nonsense does not compile.
static_assert(!Addable<Bytes, Seconds>);
static_assert(!Addable<Bytes, BytesPerSec>);
static_assert(!Addable<Bytes, double>);
static_assert(!Subtractable<Seconds, Watts>);
static_assert(!Multipliable<Bytes, Bytes>);
static_assert(!Multipliable<Bytes, Seconds>);
static_assert(!Divisible<Seconds, Bytes>);
static_assert(!Divisible<Bytes, FlopsPerSec>);
static_assert(!Comparable<Bytes, Seconds>);
static_assert(!Comparable<Bytes, double>);
// No implicit conversions in or out.
static_assert(!std::is_convertible_v<double, Bytes>);
static_assert(!std::is_convertible_v<Bytes, double>);
static_assert(!std::is_convertible_v<Bytes, Seconds>);
static_assert(!std::is_convertible_v<BytesPerSec, FlopsPerSec>);
// Values, evaluated by the compiler.
static_assert((gb(10) / gb_per_s(5)).base() == 2.0);
static_assert((gb_per_s(273) * seconds(2)).base() == 546e9);
static_assert((gb(546) / seconds(2)).base() == 273e9);
static_assert(gib(1).base() == 1073741824.0);
static_assert(mib(1).base() == 1048576.0);
static_assert(kib(1).base() == 1024.0);
static_assert(gb(1).base() == 1e9);
static_assert(to_gib(gib(24)) == 24.0);
static_assert(to_mib(mib(9270)) == 9270.0);
static_assert(to_gb(gb(4.92)) == 4.92);
static_assert(to_gbs(gb_per_s(273)) == 273.0);
static_assert(to_tflops(tflop_per_s(209)) == 209.0);
static_assert(gib(1) > gb(1));
static_assert(gib(2) - gib(1) == gib(1));
static_assert(Bytes{} == Bytes{0.0});

TEST(Quantity, DecodeTimeIsBytesOverBandwidth) {
  // 42.5 GB of weights streamed at 1008 GB/s: about 42 ms per token.
  Seconds t = gb(42.5) / gb_per_s(1008);
  EXPECT_NEAR(t.base(), 0.042163, 1e-6);
  Seconds c = Flops{2 * 70e9} / tflop_per_s(165.2);
  EXPECT_NEAR(c.base(), 140e9 / 165.2e12, 1e-12);
}

TEST(Quantity, CompoundAssignmentAndScaling) {
  Bytes b = gib(1);
  b += gib(2);
  EXPECT_EQ(b, gib(3));
  b -= gib(1);
  EXPECT_EQ(b, gib(2));
  EXPECT_EQ(b / 2.0, gib(1));
  EXPECT_EQ(3.0 * gib(1), gib(3));
  EXPECT_DOUBLE_EQ(gib(3) / gib(1), 3.0);
}

TEST(Format, DecimalFirstBinaryInParentheses) {
  EXPECT_EQ(format_bytes(gb(4.92)), "4.92 GB (4.58 GiB)");
  EXPECT_EQ(format_bytes(gib(24)), "25.77 GB (24.00 GiB)");
  EXPECT_EQ(format_mib(mib(9270)), "9270 MiB");
  EXPECT_EQ(format_bandwidth(gb_per_s(273)), "273 GB/s");
  EXPECT_EQ(format_flop_rate(tflop_per_s(209.5)), "209.5 TFLOP/s");
}

}  // namespace
}  // namespace worthit
