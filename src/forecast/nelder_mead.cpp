#include <algorithm>
#include <cmath>
#include <numeric>

#include "forecast/internal.h"

namespace corrente::forecast::internal {

NelderMeadResult NelderMead(const std::function<double(std::span<const double>)>& f,
                            std::vector<double> x0, std::vector<double> step, int max_evals,
                            double rel_tol) {
  const size_t dim = x0.size();
  NelderMeadResult result;
  auto eval = [&](const std::vector<double>& x) {
    ++result.evaluations;
    double v = f(x);
    // A non-finite objective is treated as "very bad" so the simplex moves away from it.
    return std::isfinite(v) ? v : 1e300;
  };
  std::vector<std::vector<double>> simplex(dim + 1, x0);
  std::vector<double> values(dim + 1);
  for (size_t i = 0; i < dim; ++i) simplex[i + 1][i] += step[i];
  for (size_t i = 0; i <= dim; ++i) values[i] = eval(simplex[i]);

  std::vector<size_t> order(dim + 1);
  std::vector<double> centroid(dim), trial(dim), trial2(dim);
  while (result.evaluations < max_evals) {
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return values[a] < values[b]; });
    const size_t best = order.front(), worst = order.back(), second = order[dim - 1];
    if (std::fabs(values[worst] - values[best]) <=
        rel_tol * (std::fabs(values[best]) + std::fabs(values[worst])) + 1e-12) {
      break;
    }
    std::fill(centroid.begin(), centroid.end(), 0.0);
    for (size_t i = 0; i <= dim; ++i) {
      if (i == worst) continue;
      for (size_t j = 0; j < dim; ++j) centroid[j] += simplex[i][j] / dim;
    }
    for (size_t j = 0; j < dim; ++j) trial[j] = centroid[j] + (centroid[j] - simplex[worst][j]);
    const double f_reflect = eval(trial);
    if (f_reflect < values[best]) {
      for (size_t j = 0; j < dim; ++j)
        trial2[j] = centroid[j] + 2.0 * (centroid[j] - simplex[worst][j]);
      const double f_expand = eval(trial2);
      if (f_expand < f_reflect) {
        simplex[worst] = trial2;
        values[worst] = f_expand;
      } else {
        simplex[worst] = trial;
        values[worst] = f_reflect;
      }
      continue;
    }
    if (f_reflect < values[second]) {
      simplex[worst] = trial;
      values[worst] = f_reflect;
      continue;
    }
    // Contraction: outside when the reflection improved on the worst point, else inside.
    const bool outside = f_reflect < values[worst];
    for (size_t j = 0; j < dim; ++j) {
      trial2[j] = outside ? centroid[j] + 0.5 * (trial[j] - centroid[j])
                          : centroid[j] + 0.5 * (simplex[worst][j] - centroid[j]);
    }
    const double f_contract = eval(trial2);
    if (f_contract < std::min(f_reflect, values[worst])) {
      simplex[worst] = trial2;
      values[worst] = f_contract;
      continue;
    }
    for (size_t i = 0; i <= dim; ++i) {
      if (i == best) continue;
      for (size_t j = 0; j < dim; ++j)
        simplex[i][j] = simplex[best][j] + 0.5 * (simplex[i][j] - simplex[best][j]);
      values[i] = eval(simplex[i]);
    }
  }
  const size_t best =
      static_cast<size_t>(std::min_element(values.begin(), values.end()) - values.begin());
  result.x = simplex[best];
  result.value = values[best];
  return result;
}

}  // namespace corrente::forecast::internal
