// linksim: closed loop or open links? The command line only parses flags and
// calls the library.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <csignal>
#include <iostream>
#include <stdexcept>

#include "cli/common.hpp"
#include "linksim/distributed.hpp"
#include "linksim/result.hpp"
#include "scenario/bind.hpp"

namespace {

// " (did you mean 'x'?)" for the nearest name (the scenario keys' rule), or "".
std::string did_you_mean(const std::string& word, const std::vector<std::string>& names) {
  const std::string best = linksim::detail::closest(word, names);
  return best.empty() ? "" : " (did you mean '" + best + "'?)";
}

std::vector<std::string> option_names(CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::Option* opt : app.get_options()) {
    for (const auto& l : opt->get_lnames()) names.push_back("--" + l);
    for (const auto& sn : opt->get_snames()) names.push_back("-" + sn);
  }
  return names;
}

// The command a user typed, and the first option no command knows, each with
// the nearest name; "" when both are known (CLI11 then explains the problem).
std::string unknown_word(CLI::App& app, int argc, char** argv) {
  std::vector<std::string> commands;
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    commands.push_back(sub->get_name());
  }
  const std::vector<std::string> global = option_names(app);
  CLI::App* command = nullptr;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const std::string name = arg.substr(0, arg.find('='));
    if (command == nullptr) {
      if (arg == "--log-level") {
        ++i;  // its value
      } else if (arg.rfind('-', 0) != 0) {
        if (std::find(commands.begin(), commands.end(), arg) == commands.end()) {
          std::string list;
          for (const auto& c : commands) list += (list.empty() ? "" : ", ") + c;
          return "linksim: unknown command '" + arg + "'" + did_you_mean(arg, commands) +
                 "; the commands are " + list;
        }
        command = app.get_subcommand(arg);
      }
      continue;
    }
    if (arg == "--") break;
    if (arg.size() < 2 || arg[0] != '-' || (arg[1] >= '0' && arg[1] <= '9') || arg[1] == '.') {
      continue;  // a value, or a negative number
    }
    std::vector<std::string> known = option_names(*command);
    known.insert(known.end(), global.begin(), global.end());
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return "linksim " + command->get_name() + ": unknown option '" + name + "'" +
             did_you_mean(name, known) + "; see linksim " + command->get_name() + " --help";
    }
  }
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  using namespace linksim::cli;
  // Under mpirun (a build with LINKSIM_MPI=ON) every rank runs this command;
  // the replications are spread over the ranks and rank 0 prints and writes.
  try {
    use_ensemble(linksim::start_distributed(argc, argv));
  } catch (const std::invalid_argument& e) {
    std::cerr << "linksim: " << e.what() << "\n";
    return exit_invalid;
  }
  struct StopMpi {
    ~StopMpi() {
      use_ensemble(std::make_unique<linksim::Ensemble>());
      linksim::stop_distributed();
    }
  } stop_mpi;
  if (!ensemble().writes_files()) {  // rank 0 prints help, tables and problems
    std::cout.setstate(std::ios::badbit);
    std::cerr.setstate(std::ios::badbit);
  }
  CLI::App app{
      "linksim: an agent-based simulator of live-commerce platforms, closed loop "
      "(own store only) vs open links (Taobao / JD Union)"};
  app.require_subcommand(1);
  app.fallthrough();  // --quiet and --log-level work after the command too
  app.set_version_flag("--version", linksim::version() + " (" + linksim::git_commit() + ")");
  CommonOptions o;
  app.add_option("--log-level", o.log_level, "trace, debug, info, warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  app.add_flag("--quiet,-q", o.quiet, "No progress and no log lines below warnings");

  const std::vector<Command> commands = {
      add_run_command(app, o),         add_compare_command(app, o),   add_sweep_command(app, o),
      add_sensitivity_command(app, o), add_calibrate_command(app, o), add_forecast_command(app, o),
      add_report_command(app, o),      add_bench_command(app, o),     add_validate_command(app, o),
      add_show_command(app, o),        add_schema_command(app),       add_serve_command(app, o)};

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // A typo'd command or option: say which, and the nearest name.
    if (const std::string word = e.get_exit_code() != 0 ? unknown_word(app, argc, argv) : "";
        !word.empty()) {
      std::cerr << word << "\n";
      return exit_invalid;
    }
    const int code = app.exit(e);
    return code == 0 ? exit_ok : exit_invalid;
  }

  // A file size limit (ulimit -f) makes writes fail with EFBIG, reported like a
  // full disk, instead of killing the process.
  std::signal(SIGXFSZ, SIG_IGN);
  auto logger = spdlog::stderr_color_mt("linksim");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("[%H:%M:%S] [%^%l%$] %v");
  spdlog::set_level(o.quiet ? spdlog::level::warn : spdlog::level::from_str(o.log_level));
  if (ensemble().rank() != 0) {  // only errors, marked with the rank
    spdlog::set_pattern("[%H:%M:%S] [%^%l%$] [rank " + std::to_string(ensemble().rank()) + "] %v");
    spdlog::set_level(spdlog::level::err);
  }

  try {
    for (const Command& c : commands) {
      if (*c.app) return c.run();
    }
  } catch (const linksim::Cancelled& e) {
    end_progress(o);
    spdlog::warn("interrupted by signal {}; nothing was written", e.signal);
    return exit_for_signal(e.signal);
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    // A rank of a split world that fails alone would leave the others waiting
    // in the day's exchange: end the whole job.
    if (ensemble().size() > 1 && o.partition_buyers) linksim::abort_distributed(exit_failure);
    return exit_failure;
  }
  return exit_failure;
}
