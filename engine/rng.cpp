#include "rng.hpp"

#include <boost/random/normal_distribution.hpp>

#include "fastmath.hpp"

namespace linksim::detail {

namespace {
// Boost.Random's ziggurat, with the stream as its bit generator: Stream::normal
// and, inlined into its loop, the gamma draw.
[[gnu::always_inline]] inline double standard_normal(Stream& s) {
  return boost::random::normal_distribution<double>()(s);
}
}  // namespace

double Stream::normal() { return standard_normal(*this); }

std::int64_t Stream::poisson(double mean) {
  if (!(mean > 0)) return 0;
  if (mean < 12) return poisson_small(*this, mean, std::exp(-mean));
  const double slam = std::sqrt(mean);
  const double loglam = std::log(mean);
  const double b = 0.931 + 2.53 * slam;
  const double a = -0.059 + 0.02483 * b;
  const double invalpha = 1.1239 + 1.1328 / (b - 3.4);
  const double vr = 0.9277 - 3.6224 / (b - 2);
  while (true) {
    const double u = uniform() - 0.5;
    const double v = uniform();
    const double us = 0.5 - std::fabs(u);
    const double k = std::floor((2 * a / us + b) * u + mean + 0.43);
    if (us >= 0.07 && v <= vr) return static_cast<std::int64_t>(k);
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (std::log(v) + std::log(invalpha) - std::log(a / (us * us) + b) <=
        -mean + k * loglam - std::lgamma(k + 1)) {
      return static_cast<std::int64_t>(k);
    }
  }
}

double Stream::gamma(double shape) { return gamma(GammaShape(shape)); }

// Inlined into both entry points below, so that gammas() runs its loop
// without a call per draw.
[[gnu::always_inline]] inline double Stream::gamma_draw(const GammaShape& g) {
  if (!(g.shape_ > 0)) return 0.0;
  double scale = 1.0;
  if (g.shape_ < 1) {
    const double u = uniform();
    // Gamma(shape) = Gamma(1 + shape) x u^(1/shape); u^(1/shape) as
    // exp(log(u)/shape), with the demand loop's exp (relative error below
    // 2e-7): a third of the cost of pow. g holds the constants of 1 + shape.
    scale = fast_exp(std::log(u) / g.shape_);
  }
  const double d = g.d_;
  const double c = g.c_;
  while (true) {
    double x, v;
    do {
      x = standard_normal(*this);
      v = 1.0 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const double u = uniform();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v * scale;
    if (std::log(u) < 0.5 * x * x + d * (1 - v + std::log(v))) return d * v * scale;
  }
}

double Stream::gamma(const GammaShape& g) { return gamma_draw(g); }

double Stream::gammas(std::span<const GammaShape> shapes, std::span<double> out) {
  double total = 0;
  for (std::size_t k = 0; k < shapes.size(); ++k) {
    out[k] = gamma_draw(shapes[k]);
    total += out[k];
  }
  return total;
}

}  // namespace linksim::detail
