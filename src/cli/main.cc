// The ixray command-line tool. Each subcommand lives in its own file and
// registers itself through the functions declared in cli/commands.h.
//
// Exit codes: 0 on success, 1 on any error (a failed command, a bad
// argument), each reported as "ixray: <message>" on stderr.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <exception>
#include <string>

#include "cli/commands.h"
#include "ixray/version.h"

int main(int argc, char** argv) {
  CLI::App app{"ixray: versioned columnar datasets of vectors, text and scalars, with indices"};
  app.require_subcommand(1);
  app.set_version_flag("--version", ixray::Version());
  ixray::cli::AddVersionCommand(app);
  ixray::cli::AddImportCommand(app);
  ixray::cli::AddInfoCommand(app);
  ixray::cli::AddVersionsCommand(app);
  ixray::cli::AddScanCommand(app);
  ixray::cli::AddCountCommand(app);
  ixray::cli::AddIndexCommand(app);
  ixray::cli::AddSearchCommand(app);
  ixray::cli::AddOptimizeCommand(app);
  ixray::cli::AddCompactCommand(app);
  ixray::cli::AddCleanupCommand(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);  // --help, --version
  } catch (const CLI::ParseError& e) {
    std::string message = e.what();
    if (app.get_subcommands().empty() && argc > 1 && argv[1][0] != '-') {
      message = fmt::format("unknown command '{}'", argv[1]);
    }
    fmt::print(stderr, "ixray: {}\nRun with --help for more information.\n", message);
    return 1;
  } catch (const std::exception& e) {
    // Library code reports errors as Status; this is a last line of defense
    // (e.g. out of memory) so that the tool never dies with an uncaught
    // exception.
    fmt::print(stderr, "ixray: internal error: {}\n", e.what());
    return 1;
  }
  return ixray::cli::ExitCode();
}
