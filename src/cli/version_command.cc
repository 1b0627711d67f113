#include <fmt/format.h>

#include "cli/commands.h"
#include "ixray/version.h"

namespace ixray::cli {

void AddVersionCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("version", "Print the version and the SIMD target in use");
  static bool json = false;
  cmd->add_flag("--json", json, "Print as JSON");
  cmd->callback([] {
    if (json) {
      fmt::print("{{\"version\": \"{}\", \"simd\": \"{}\"}}\n", Version(), SimdTarget());
    } else {
      fmt::print("ixray {} (simd: {})\n", Version(), SimdTarget());
    }
  });
}

}  // namespace ixray::cli
