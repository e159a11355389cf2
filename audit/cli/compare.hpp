// `metricaudit compare RUN_A RUN_B`: two runs under one convention, with the
// significance of what is left of their gap (docs/compare.md).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "command_support.hpp"

namespace metricaudit::audit::cli {

struct CompareArgs : detail::Common {
  std::string run_a, run_b;
  std::string preds_a, preds_b;
  std::vector<std::string> pairs;    ///< A_NAME=B_NAME
  std::vector<std::string> metrics;  ///< NAME=KIND, for both runs
  double alpha = 0.05;
  double min_effect = 0.0;
  std::string convention;
  std::string epoch = "last";  ///< last, all, or an epoch number
  std::int64_t eval_size = 0;
  CLI::Option* preds_a_option = nullptr;
  CLI::Option* preds_b_option = nullptr;
  CLI::Option* eval_size_option = nullptr;
};

/// Registers the subcommand and its options on `app`.
CLI::App* add_compare_command(CLI::App& app, CompareArgs& args);

/// Runs it; returns the exit status (0 no real difference, 1 one is real). Usage and
/// input errors are thrown, as the other subcommands do (cli::run maps them to 2).
int run_compare_command(const CompareArgs& args, std::ostream& out, std::ostream& err,
                        const Terminal& terminal);

}  // namespace metricaudit::audit::cli
