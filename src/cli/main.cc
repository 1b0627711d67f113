// The ixray command-line tool. Each subcommand lives in its own file and
// registers itself through the functions declared in cli/commands.h.
#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "ixray/version.h"

int main(int argc, char** argv) {
  CLI::App app{"ixray: versioned columnar datasets of vectors, text and scalars, with indices"};
  app.require_subcommand(1);
  app.set_version_flag("--version", ixray::Version());
  ixray::cli::AddVersionCommand(app);
  CLI11_PARSE(app, argc, argv);
  return ixray::cli::ExitCode();
}
