#include <algorithm>
#include <cstdio>
#include <cmath>
#include <vector>
#include <utility>
// reads: rows: n k v0..v(n-1); prints top-k indices (torch 1.13 TopKImpl.h algorithm, largest, sorted)
int main() {
  int n, k;
  while (std::scanf("%d %d", &n, &k) == 2) {
    std::vector<std::pair<float, long>> q(n);
    for (int j = 0; j < n; ++j) { std::scanf("%f", &q[j].first); q[j].second = j; }
    auto cmp = [](const std::pair<float, long>& x, const std::pair<float, long>& y) {
      return (std::isnan(x.first) && !std::isnan(y.first)) || (x.first > y.first); };
    if ((long)k * 64 <= n) std::partial_sort(q.begin(), q.begin() + k, q.end(), cmp);
    else { std::nth_element(q.begin(), q.begin() + k - 1, q.end(), cmp); std::sort(q.begin(), q.begin() + k - 1, cmp); }
    for (int j = 0; j < k; ++j) std::printf("%ld ", q[j].second);
    std::printf("\n");
  }
}
