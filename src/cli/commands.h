// Subcommands of the ixray CLI. Each AddXCommand registers one subcommand on
// the app; its callback runs the command and records the exit code. Errors
// are printed as "ixray: <message>" on stderr and make the exit code 1.
//
// Thread safety: the CLI is single-threaded.
#pragma once

#include <CLI/CLI.hpp>

#include "ixray/status.h"

namespace ixray::cli {

void AddVersionCommand(CLI::App& app);
void AddImportCommand(CLI::App& app);
void AddInfoCommand(CLI::App& app);
void AddVersionsCommand(CLI::App& app);
void AddScanCommand(CLI::App& app);
void AddCountCommand(CLI::App& app);
void AddIndexCommand(CLI::App& app);
void AddSearchCommand(CLI::App& app);
void AddOptimizeCommand(CLI::App& app);
void AddCompactCommand(CLI::App& app);
void AddCleanupCommand(CLI::App& app);

// Prints a failed status to stderr and sets the exit code to 1.
void ReportError(const Status& status);
int ExitCode();

}  // namespace ixray::cli
