// `linksim validate`, `show` and `schema`: scenario files without running them.
#include <iostream>

#include "cli/common.hpp"
#include "linksim/experiment.hpp"

namespace linksim::cli {

int validate_command(const std::vector<std::string>& files, const CommonOptions& o) {
  int status = exit_ok;
  for (const auto& f : files) {
    Scenario s;
    if (!load(f, o, s, true)) {
      status = exit_invalid;
      continue;
    }
    if (!s.sweep.empty()) {  // every point of the grid, for problems only a combination shows
      std::string problem;
      std::size_t points = 0;
      try {
        points = plan_sweep(f, scenario_overrides(o), o.vary).points.size();
      } catch (const ScenarioError& e) {
        problem = problems_text(f, e);
      }
      if (!no_problem(problem)) {
        status = exit_invalid;
        continue;
      }
      if (!o.quiet) std::cout << f << ": sweep of " << points << " points ok\n";
    }
    if (!o.quiet) std::cout << f << ": ok (" << s.name << ")\n";
  }
  return status;
}

int show_command(const std::string& file, const CommonOptions& o) {
  Scenario s;
  if (!load(file, o, s, true)) return exit_invalid;
  std::cout << to_yaml(s);
  return exit_ok;
}

int schema_command(bool markdown) {
  std::cout << (markdown ? keys_markdown() : json_schema());
  return exit_ok;
}

Command add_validate_command(CLI::App& app, CommonOptions& o) {
  struct Args {
    std::vector<std::string> files;
  };
  const auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("validate", "Check scenario files and report every problem");
  cmd->add_option("scenarios", a->files, "Scenario files")->required();
  add_scenario_options(*cmd, o);
  add_vary_option(*cmd, o);
  return {cmd, [a, &o] { return validate_command(a->files, o); }};
}

Command add_show_command(CLI::App& app, CommonOptions& o) {
  struct Args {
    std::string file;
  };
  const auto a = std::make_shared<Args>();
  CLI::App* cmd =
      app.add_subcommand("show", "Print the resolved scenario, every default filled in");
  cmd->add_option("scenario", a->file, "Scenario file")->required();
  add_scenario_options(*cmd, o);
  add_vary_option(*cmd, o);
  return {cmd, [a, &o] { return show_command(a->file, o); }};
}

Command add_schema_command(CLI::App& app) {
  struct Args {
    bool markdown = false;
  };
  const auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("schema", "Print the JSON Schema of scenario files");
  cmd->add_flag("--markdown", a->markdown, "Print the key reference (docs/scenarios.md) instead");
  return {cmd, [a] { return schema_command(a->markdown); }};
}

}  // namespace linksim::cli
