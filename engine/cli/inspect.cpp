// `linksim validate`, `show` and `schema`: scenario files without running them.
#include <iostream>

#include "cli/common.hpp"

namespace linksim::cli {

int validate_command(const std::vector<std::string>& files, const CommonOptions& o) {
  int status = exit_ok;
  for (const auto& f : files) {
    Scenario s;
    if (load(f, o, s, true)) {
      if (!o.quiet) std::cout << f << ": ok (" << s.name << ")\n";
    } else {
      status = exit_invalid;
    }
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

}  // namespace linksim::cli
