// Fills a Scenario from a merged YAML tree using the key tables, reporting
// unknown keys (with suggestions), wrong types, bad numbers and out-of-range
// values; then cross-field validation (validate.cpp) runs on the result.
#pragma once

#include <map>
#include <set>
#include <string>

#include "linksim/scenario.hpp"
#include "scenario/diagnostics.hpp"
#include "scenario/node.hpp"

namespace linksim::detail {

// Where each key given in the files was written, by display path
// (e.g. "buyers.follows", "policy[2].from"); keys left to defaults are absent.
struct KeyMarks {
  Mark root;
  std::map<std::string, Mark> at;
  std::set<std::string> failed;  // keys whose value could not be used
  // A Scenario held in code: every field is set, so every key counts as given.
  bool every_key = false;
  bool has(const std::string& path) const { return every_key || at.count(path) != 0; }
  const Mark& of(const std::string& path) const;
};

void bind_scenario(const Node& root, Scenario& out, KeyMarks& marks, Diagnostics& diags);
// What a rule check holds: the scenario, where its keys were written and the
// problems found; fail() adds one unless the key's value has already failed.
struct RuleChecker {
  const Scenario& s;
  const KeyMarks& marks;
  Diagnostics& diags;

  void fail(const std::string& path, const std::string& msg) const {
    if (!marks.failed.count(path)) diags.add(marks.of(path), path, msg);
  }
};

void validate_scenario(const Scenario& s, const KeyMarks& marks, Diagnostics& diags);
// The sweep, sensitivity and calibration blocks' rules (validate_studies.cpp),
// part of validate_scenario.
void validate_studies(const Scenario& s, const KeyMarks& marks, Diagnostics& diags);
// A number as messages show it: no trailing zeros ("0.5", "3").
std::string number_text(double v);
// A Scenario as code holds it, checked without YAML: every numeric key
// against its range, then validate_scenario's rules; one message per problem,
// "<scenario NAME>: key: what is wrong" (empty when it is valid). Microseconds:
// Simulation runs it on every scenario it is given.
std::vector<std::string> value_problems(const Scenario& s);
// Drops the policy entries that start after the horizon and the one-off events
// that fall wholly outside the simulated days (warm-up included), so that a
// shortened horizon (--set calendar.days=90) runs; returns one line per item
// dropped, "file:line:column: policy[2] (from 2022-10-28)".
std::vector<std::string> clip_to_horizon(Scenario& s, const KeyMarks& marks);

// The closest name to `word` among `candidates` by edit distance, or "" when none is close.
std::string closest(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace linksim::detail
