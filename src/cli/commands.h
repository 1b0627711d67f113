// Subcommands of the ixray CLI. Each AddXCommand registers one subcommand on
// the app; its callback runs the command and records the exit code.
#pragma once

#include <CLI/CLI.hpp>

#include "ixray/status.h"

namespace ixray::cli {

void AddVersionCommand(CLI::App& app);

// Prints a failed status to stderr and sets the exit code to 1.
void ReportError(const Status& status);
int ExitCode();

}  // namespace ixray::cli
