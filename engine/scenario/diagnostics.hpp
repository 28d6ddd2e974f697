// Every problem found in a scenario, collected so that all of them are reported
// at once, each as `file:line:column: key.path: what is wrong`.
#pragma once

#include <string>
#include <vector>

#include "scenario/node.hpp"

namespace linksim::detail {

struct Diagnostic {
  Mark mark;
  std::string path;  // dotted key path, e.g. buyers.trust.late_penalty or policy[1].from
  std::string message;
  std::string str() const;
};

class Diagnostics {
 public:
  void add(const Mark& mark, std::string path, std::string message) {
    items_.push_back({mark, std::move(path), std::move(message)});
  }
  bool empty() const { return items_.empty(); }
  const std::vector<Diagnostic>& items() const { return items_; }

 private:
  std::vector<Diagnostic> items_;
};

}  // namespace linksim::detail
