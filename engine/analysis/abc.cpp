// Sequential Monte Carlo ABC (abc.hpp).
//
// Generation 0 draws the prior (uniform on the unit cube: a key's uniform or
// log-uniform prior is uniform in its unit coordinate, abc_run.cpp) and
// accepts every simulation with defined summaries. The distance's scales are
// then fixed from it: each summary's median absolute deviation over that
// prior predictive sample (Prangle 2017's choice, pyABC's
// AdaptivePNormDistance with scale_function=mad fitted once), so that every
// summary counts by how much the prior lets it move. The distance is the
// weighted Euclidean norm of the scaled errors.
//
// Generation g > 0: tolerance eps_g = the `quantile` weighted quantile of
// generation g-1's distances. Attempt i picks an ancestor by weight and moves
// it by a Gaussian kernel with twice the ancestors' weighted covariance
// (Beaumont et al. 2009's optimal scale for a Gaussian random walk). A move
// outside the cube has prior density 0 and is rejected without a simulation,
// so the proposal is the untruncated kernel mixture and the importance weight
// of an accepted particle z is exactly prior(z) / sum_j w_j K(z | z_j).
#include "analysis/abc.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <mutex>
#include <numeric>
#include <optional>
#include <stdexcept>

#include "ensemble.hpp"
#include "linksim/simulation.hpp"
#include "metrics/files.hpp"
#include "parallel.hpp"
#include "rng.hpp"

namespace linksim::detail {

namespace fs = std::filesystem;

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

std::uint64_t proposal_base(std::uint64_t seed, int generation) {
  return mix64(mix64(seed ^ 0x6162632D736D6300ULL) +
               golden * static_cast<std::uint64_t>(generation));
}

std::uint64_t simulation_seed(std::uint64_t seed, int generation, long attempt) {
  return mix64(proposal_base(seed, generation) ^ mix64(static_cast<std::uint64_t>(attempt) + 1));
}

double median_of(std::vector<double> v) {
  if (v.empty()) return 0;
  const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  const double hi = *mid;
  if (v.size() % 2 == 1) return hi;
  return 0.5 * (hi + *std::max_element(v.begin(), mid));
}

// Each summary's scale: its MAD over the sample (x 1.4826, a standard
// deviation for normal data); its standard deviation when the MAD is 0 (a
// summary that is mostly constant); 1 when that is 0 too.
std::vector<double> mad_scales(const std::vector<std::vector<double>>& summary, std::size_t rows) {
  std::vector<double> scale(rows, 1.0);
  for (std::size_t r = 0; r < rows; ++r) {
    std::vector<double> x;
    for (const auto& s : summary) x.push_back(s[r]);
    const double m = median_of(x);
    std::vector<double> dev;
    for (double v : x) dev.push_back(std::abs(v - m));
    double s = 1.4826 * median_of(dev);
    if (!(s > 0)) {
      double mean = 0, sq = 0;
      for (double v : x) mean += v / static_cast<double>(x.size());
      for (double v : x) sq += (v - mean) * (v - mean);
      s = x.size() > 1 ? std::sqrt(sq / static_cast<double>(x.size() - 1)) : 0;
    }
    scale[r] = s > 0 ? s : 1.0;
  }
  return scale;
}

double distance(const AbcProblem& p, const std::vector<double>& scale,
                const std::vector<double>& x) {
  double sum = 0, weights = 0;
  for (std::size_t r = 0; r < x.size(); ++r) {
    if (!std::isfinite(x[r])) return inf;
    const double e = (x[r] - p.observed[r]) / scale[r];
    sum += p.weights[r] * e * e;
    weights += p.weights[r];
  }
  return weights > 0 ? std::sqrt(sum / weights) : 0;
}

// The kernel of a generation's moves: N(0, 2 x the weighted covariance).
struct Kernel {
  Eigen::MatrixXd chol;  // lower Cholesky factor of the kernel's covariance
  explicit Kernel(const AbcGeneration& g, int dims) {
    Eigen::VectorXd mean = Eigen::VectorXd::Zero(dims);
    for (std::size_t j = 0; j < g.unit.size(); ++j) {
      mean += g.weight[j] * Eigen::Map<const Eigen::VectorXd>(g.unit[j].data(), dims);
    }
    Eigen::MatrixXd cov = Eigen::MatrixXd::Zero(dims, dims);
    double w2 = 0;
    for (std::size_t j = 0; j < g.unit.size(); ++j) {
      const Eigen::VectorXd d = Eigen::Map<const Eigen::VectorXd>(g.unit[j].data(), dims) - mean;
      cov += g.weight[j] * d * d.transpose();
      w2 += g.weight[j] * g.weight[j];
    }
    if (w2 < 1) cov /= (1 - w2);  // the unbiased weighted covariance
    // A collapsed direction keeps a small step, so the kernel stays proper.
    cov += 1e-12 * Eigen::MatrixXd::Identity(dims, dims);
    chol = Eigen::LLT<Eigen::MatrixXd>(2.0 * cov).matrixL();
  }
  // z in the kernel's whitened coordinates, where log K(z | z0) is
  // -|w(z) - w(z0)|^2 / 2 up to a constant shared by every pair.
  std::vector<double> whiten(const std::vector<double>& z) const {
    const Eigen::VectorXd y = chol.triangularView<Eigen::Lower>().solve(
        Eigen::Map<const Eigen::VectorXd>(z.data(), chol.rows()));
    return {y.data(), y.data() + y.size()};
  }
};

// Attempt i of a generation: its proposal (empty when outside the cube).
std::vector<double> propose(const AbcGeneration* last, const Kernel* kernel,
                            const std::vector<double>& cumulative, int dims, std::uint64_t seed,
                            int generation, long attempt) {
  Stream rng(proposal_base(seed, generation), static_cast<std::uint64_t>(attempt));
  std::vector<double> z(dims);
  if (last == nullptr) {
    for (double& v : z) v = rng.uniform();
    return z;
  }
  const double u = rng.uniform();
  auto j = static_cast<std::size_t>(std::upper_bound(cumulative.begin(), cumulative.end(), u) -
                                    cumulative.begin());
  j = std::min(j, last->unit.size() - 1);
  Eigen::VectorXd e(dims);
  for (int k = 0; k < dims; ++k) e[k] = rng.normal();
  const Eigen::VectorXd step = kernel->chol * e;
  for (int k = 0; k < dims; ++k) {
    z[k] = last->unit[j][k] + step[k];
    if (!(z[k] >= 0.0 && z[k] <= 1.0)) return {};
  }
  return z;
}

// Simulates the attempts `todo` (indices into `points`) on this process's
// threads, or spread over the MPI ranks, journaling each as it finishes.
void simulate_all(const AbcProblem& p, const AbcSettings& s, int generation,
                  const std::vector<long>& attempt, const std::vector<std::vector<double>>& points,
                  std::vector<std::vector<double>>& out, AbcJournal* journal) {
  Ensemble& ensemble = ensemble_or_alone(s.ensemble);
  const int rank = ensemble.rank(), size = ensemble.size();
  std::vector<std::size_t> mine;
  for (std::size_t k = 0; k < points.size(); ++k) {
    if (static_cast<int>(k % static_cast<std::size_t>(size)) == rank) mine.push_back(k);
  }
  std::atomic<long> done{0};
  std::mutex progress_mutex;
  parallel_for(static_cast<std::int64_t>(mine.size()), s.threads, [&](std::int64_t q) {
    if (s.cancel != nullptr && s.cancel->load() != 0) return;
    const std::size_t k = mine[static_cast<std::size_t>(q)];
    out[k] = p.simulate(points[k], simulation_seed(s.seed, generation, attempt[k]));
    if (journal != nullptr && ensemble.writes_files())
      journal->add(generation, attempt[k], points[k], out[k]);
    const long n = ++done;
    if (s.progress) {
      std::lock_guard lock(progress_mutex);
      s.progress(n, static_cast<long>(mine.size()));
    }
  });
  if (s.cancel != nullptr && s.cancel->load() != 0) throw Cancelled(s.cancel->load());
  if (size > 1) {
    // Every rank's summaries to every rank: (k, values) records, in bytes.
    std::vector<char> bytes;
    for (std::size_t k : mine) {
      const auto* kb = reinterpret_cast<const char*>(&k);
      bytes.insert(bytes.end(), kb, kb + sizeof k);
      const auto* vb = reinterpret_cast<const char*>(out[k].data());
      bytes.insert(bytes.end(), vb, vb + out[k].size() * sizeof(double));
    }
    const std::vector<char> all = ensemble.gather(bytes);
    const std::size_t record = sizeof(std::size_t) + p.observed.size() * sizeof(double);
    for (std::size_t at = 0; at + record <= all.size(); at += record) {
      std::size_t k = 0;
      std::memcpy(&k, all.data() + at, sizeof k);
      if (static_cast<int>(k % static_cast<std::size_t>(size)) == rank) continue;  // its own
      out[k].resize(p.observed.size());
      std::memcpy(out[k].data(), all.data() + at + sizeof k, p.observed.size() * sizeof(double));
      // Rank 0 journals the other ranks' simulations too.
      if (journal != nullptr && ensemble.writes_files())
        journal->add(generation, attempt[k], points[k], out[k]);
    }
  }
}

}  // namespace

double AbcGeneration::ess() const {
  double s2 = 0;
  for (double w : weight) s2 += w * w;
  return s2 > 0 ? 1.0 / s2 : 0;
}

double weighted_quantile(std::vector<std::pair<double, double>> vw, double q) {
  std::sort(vw.begin(), vw.end());
  double cum = 0;
  for (const auto& [v, w] : vw) {
    cum += w;
    if (cum >= q - 1e-12) return v;
  }
  return vw.empty() ? inf : vw.back().first;
}

// --- the algorithm -----------------------------------------------------------

AbcOutcome abc_smc(const AbcProblem& p, const AbcSettings& s, AbcJournal* journal) {
  AbcOutcome out;
  const std::size_t n = static_cast<std::size_t>(s.particles);
  const std::size_t rows = p.observed.size();
  // No generation may simulate more than this: it could not reach min_acceptance.
  const long most = s.min_acceptance > 0
                        ? static_cast<long>(std::ceil(static_cast<double>(n) / s.min_acceptance))
                        : static_cast<long>(1000 * n);
  for (int g = 0; g < s.generations; ++g) {
    const AbcGeneration* last = g == 0 ? nullptr : &out.generations.back();
    std::optional<Kernel> kernel;
    std::vector<double> cumulative;
    double eps = inf;
    if (last != nullptr) {
      kernel.emplace(*last, p.dims);
      std::partial_sum(last->weight.begin(), last->weight.end(), std::back_inserter(cumulative));
      std::vector<std::pair<double, double>> dw;
      for (std::size_t j = 0; j < n; ++j) dw.emplace_back(last->distance[j], last->weight[j]);
      eps = weighted_quantile(dw, s.quantile);
    }
    AbcGeneration gen;
    gen.epsilon = eps;
    long next = 0;
    bool gave_up = false;
    // The acceptance expected of this generation, for the batches' size only.
    double rate = last == nullptr ? 1.0 : std::max(0.02, last->acceptance() * s.quantile);
    while (gen.unit.size() < n) {
      const long needed = static_cast<long>(n - gen.unit.size());
      const long batch =
          std::clamp(static_cast<long>(std::ceil(needed / rate)), 16L, 4L * static_cast<long>(n));
      std::vector<std::vector<double>> points(static_cast<std::size_t>(batch));
      std::vector<std::vector<double>> summary(static_cast<std::size_t>(batch));
      std::vector<long> todo_attempt;
      std::vector<std::vector<double>> todo_point;
      std::vector<std::size_t> todo_slot;
      for (long i = 0; i < batch; ++i) {
        points[i] =
            propose(last, kernel ? &*kernel : nullptr, cumulative, p.dims, s.seed, g, next + i);
        if (points[i].empty()) continue;
        if (const auto* found = journal != nullptr ? journal->find(g, next + i) : nullptr) {
          summary[i] = *found;
          ++out.replayed;
        } else {
          todo_attempt.push_back(next + i);
          todo_point.push_back(points[i]);
          todo_slot.push_back(static_cast<std::size_t>(i));
        }
      }
      std::vector<std::vector<double>> results(todo_point.size());
      simulate_all(p, s, g, todo_attempt, todo_point, results, journal);
      out.simulations += static_cast<long>(todo_point.size());
      for (std::size_t k = 0; k < todo_slot.size(); ++k) summary[todo_slot[k]] = results[k];
      // Generation 0 fixes the scales once it is whole: its distances wait.
      for (long i = 0; i < batch && gen.unit.size() < n; ++i) {
        ++gen.attempts;
        if (points[i].empty()) continue;
        ++gen.simulated;
        const auto& x = summary[i];
        const bool defined = x.size() == rows && std::all_of(x.begin(), x.end(), [](double v) {
                               return std::isfinite(v);
                             });
        if (!defined) continue;
        const double d = last == nullptr ? 0.0 : distance(p, out.scale, x);
        if (last != nullptr && !(d <= eps)) continue;
        gen.unit.push_back(points[i]);
        gen.summary.push_back(x);
        gen.distance.push_back(d);
      }
      next += batch;
      if (gen.unit.size() < n && gen.simulated > most) {
        gave_up = true;
        break;
      }
      rate = gen.simulated > 0 && !gen.unit.empty()
                 ? std::max(0.01, static_cast<double>(gen.unit.size()) / gen.simulated)
                 : rate / 4;
    }
    if (gave_up) {
      out.stop = "generation " + std::to_string(g) + " accepted " +
                 std::to_string(gen.unit.size()) + " of " + std::to_string(gen.simulated) +
                 " simulations, below calibration.min_acceptance; kept the " + std::to_string(g) +
                 " generations before it";
      if (s.log) s.log(out.stop);
      break;
    }
    if (last == nullptr) {
      out.scale = mad_scales(gen.summary, rows);
      for (std::size_t j = 0; j < n; ++j) gen.distance[j] = distance(p, out.scale, gen.summary[j]);
      gen.weight.assign(n, 1.0 / static_cast<double>(n));
    } else {
      // prior(z) / sum_j w_j K(z | z_j), in logs (the prior is 1 on the cube).
      std::vector<std::vector<double>> from(n), to(n);
      std::vector<double> log_weight(n);
      for (std::size_t j = 0; j < n; ++j) {
        from[j] = kernel->whiten(last->unit[j]);
        to[j] = kernel->whiten(gen.unit[j]);
        log_weight[j] = std::log(last->weight[j]);
      }
      std::vector<double> logw(n), terms(n);
      for (std::size_t i = 0; i < n; ++i) {
        double top = -inf;
        for (std::size_t j = 0; j < n; ++j) {
          double d2 = 0;
          for (int k = 0; k < p.dims; ++k) {
            const double d = to[i][k] - from[j][k];
            d2 += d * d;
          }
          terms[j] = log_weight[j] - 0.5 * d2;
          top = std::max(top, terms[j]);
        }
        double sum = 0;
        for (double t : terms) sum += std::exp(t - top);
        logw[i] = -(top + std::log(sum));
      }
      const double top = *std::max_element(logw.begin(), logw.end());
      gen.weight.resize(n);
      double total = 0;
      for (std::size_t i = 0; i < n; ++i) total += gen.weight[i] = std::exp(logw[i] - top);
      for (double& w : gen.weight) w /= total;
    }
    if (s.log) {
      char buf[256];
      std::snprintf(buf, sizeof buf,
                    "generation %d: tolerance %.4g, accepted %zu of %ld simulations (%.1f%%), "
                    "ESS %.1f",
                    g, gen.epsilon, gen.unit.size(), gen.simulated, 100 * gen.acceptance(),
                    gen.ess());
      s.log(buf);
    }
    const double acceptance = gen.acceptance();
    out.generations.push_back(std::move(gen));
    if (g > 0 && acceptance < s.min_acceptance) {
      out.stop = "generation " + std::to_string(g) + " accepted " +
                 csv_number(std::round(1000 * acceptance) / 10) +
                 "% of its simulations, below calibration.min_acceptance";
      break;
    }
  }
  if (out.stop.empty()) {
    out.stop = "completed " + std::to_string(out.generations.size()) + " generations";
  }
  return out;
}

}  // namespace linksim::detail
