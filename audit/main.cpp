// metricaudit: the command. Everything but the process boundary (isatty, the
// environment, the real streams) lives in the metricaudit_audit_cli library.
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "cli.hpp"

int main(int argc, char** argv) {
  metricaudit::audit::cli::Terminal terminal;
  terminal.stdout_is_tty = isatty(STDOUT_FILENO) != 0;
  terminal.stderr_is_tty = isatty(STDERR_FILENO) != 0;
  const char* no_color = std::getenv("NO_COLOR");
  terminal.no_color = no_color != nullptr && *no_color != '\0';
  return metricaudit::audit::cli::run(argc, argv, std::cout, std::cerr, terminal);
}
