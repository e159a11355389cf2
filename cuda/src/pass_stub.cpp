// metricaudit_cuda as built without a CUDA compiler: the API exists so that
// dependants link, and says why it cannot run.
#include "metricaudit/error.hpp"
#include "metricaudit/gpu.hpp"

namespace metricaudit {

void update_gpu(SufficientState& /*state*/, const MulticlassBatch& /*batch*/) {
  throw Error("metricaudit was built without CUDA");
}
SufficientState evaluate_gpu(const MulticlassBatch& /*batch*/, const StateOptions& /*options*/) {
  throw Error("metricaudit was built without CUDA");
}
bool cuda_available() {
  return false;
}
const char* gpu_backend_name() {
  return "none";
}

}  // namespace metricaudit
