// Umbrella header: the whole public API of the metrics library.
#pragma once

#include "metricaudit/array_view.hpp"
#include "metricaudit/catalogue.hpp"
#include "metricaudit/convention.hpp"
#include "metricaudit/error.hpp"
#include "metricaudit/evaluate.hpp"
#include "metricaudit/exact_sum.hpp"
#include "metricaudit/labelwise_state.hpp"
#include "metricaudit/paired_state.hpp"
#include "metricaudit/profiles.hpp"
#include "metricaudit/readings.hpp"
#include "metricaudit/significance.hpp"
#include "metricaudit/state_arrays.hpp"
#include "metricaudit/state_fields.hpp"
#include "metricaudit/state_options.hpp"
#include "metricaudit/sufficient_state.hpp"
#include "metricaudit/vocabulary.hpp"
