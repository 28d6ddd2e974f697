// A fast exp for the demand loop: exact range reduction by ln 2 and a degree-6
// Taylor polynomial on |r| <= ln2/2 (relative error below 2e-7, far below any
// parameter's precision), built from plain arithmetic so it gives the same
// bits on every machine and run.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>

namespace linksim::detail {

inline double fast_exp(double x) {
  if (x < -700.0) return 0.0;
  if (x > 700.0) return INFINITY;
  constexpr double ln2_hi = 0.693147180369123816490;
  constexpr double ln2_lo = 1.90821492927058770002e-10;
  constexpr double inv_ln2 = 1.44269504088896338700;
  // x / ln 2 rounded to the nearest integer, ties to even, as nearbyint does
  // in the default rounding mode, but inline (nearbyint is a libm call without
  // SSE4.1): adding and removing 1.5 x 2^52 leaves no fraction bits.
  constexpr double round_shift = 0x1.8p52;
  const double n = (x * inv_ln2 + round_shift) - round_shift;
  const double r = (x - n * ln2_hi) - n * ln2_lo;
  // exp(r) = 1 + r + r^2/2 + ... + r^6/720, evaluated in two halves (Estrin).
  const double r2 = r * r;
  const double lo = 1.0 + r + r2 * 0.5;
  const double hi = (1.0 / 6.0 + r * (1.0 / 24.0)) + r2 * (1.0 / 120.0 + r * (1.0 / 720.0));
  const double p = lo + r2 * r * hi;
  const auto bits = static_cast<std::uint64_t>(static_cast<std::int64_t>(n) + 1023) << 52;
  return p * std::bit_cast<double>(bits);
}

// std::round for x >= 0, NaN and infinity included, inline (without SSE4.1,
// std::round is a libm call; the world build makes one per buyer and
// category). From 2^52 up every double is an integer; below it the cast is in
// range and x - trunc(x) is exact, so a tie goes up and nothing else does, as
// in std::round, where floor(x + 0.5) would round 0.49999999999999994 up to 1.
inline double round_nonnegative(double x) {
  if (!(x < 0x1p52)) return x;
  const auto t = static_cast<double>(static_cast<std::int64_t>(x));
  return x - t >= 0.5 ? t + 1.0 : t;
}

}  // namespace linksim::detail
