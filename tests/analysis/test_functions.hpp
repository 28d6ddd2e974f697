// Test functions with closed-form sensitivity indices, shared by the Sobol'
// and Morris tests.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <numbers>

namespace linksim::detail::closed_form {

using std::numbers::pi;

// The model on every row of a design.
template <class F>
Eigen::VectorXd evaluate(const Eigen::MatrixXd& points, F f) {
  Eigen::VectorXd y(points.rows());
  for (Eigen::Index r = 0; r < points.rows(); ++r) y(r) = f(points.row(r));
  return y;
}

// Ishigami and Homma (1990) with a = 7, b = 0.1, each x scaled from [0, 1] to [-pi, pi].
inline constexpr double ishigami_a = 7, ishigami_b = 0.1;
inline double ishigami(const Eigen::RowVectorXd& u) {
  const Eigen::RowVectorXd x = (2 * u.array() - 1) * pi;
  return std::sin(x(0)) + ishigami_a * std::pow(std::sin(x(1)), 2) +
         ishigami_b * std::pow(x(2), 4) * std::sin(x(0));
}

// Every bit the same.
inline bool bitwise_equal(const Eigen::MatrixXd& x, const Eigen::MatrixXd& y) {
  return x.rows() == y.rows() && x.cols() == y.cols() &&
         std::equal(x.data(), x.data() + x.size(), y.data());
}

}  // namespace linksim::detail::closed_form
