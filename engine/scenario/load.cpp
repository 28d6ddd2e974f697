// Loading: read files, follow `extends` chains, apply `--set` overrides
// (scenario/arguments.cpp reads them), then bind and validate; every problem is
// collected before anything is thrown.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <tuple>

#include "metrics/files.hpp"
#include "scenario/arguments.hpp"
#include "scenario/bind.hpp"
#include "scenario/keys.hpp"

namespace linksim {

namespace fs = std::filesystem;
using detail::Diagnostics;
using detail::Mark;
using detail::Node;

namespace {

// A scenario file is text of at most 16 MiB (the bundled ones are a few KiB).
constexpr std::uintmax_t max_scenario_bytes = 16u << 20;

// Reads a scenario file into `text`; returns why it cannot, or "". A folder,
// a FIFO or a device is refused without being opened.
std::string read_file(const fs::path& path, std::string& text) {
  if (std::string problem = detail::input_file_problem(path, max_scenario_bytes);
      !problem.empty()) {
    return problem;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return "it cannot be opened";
  std::ostringstream buf;
  buf << in.rdbuf();
  text = buf.str();
  return static_cast<bool>(in) || in.eof() ? "" : "it cannot be read";
}

// `text` with every byte that is not valid UTF-8 written as \xHH: a message
// quoting an argument stays valid UTF-8 itself.
std::string escaped(std::string_view text) {
  std::string out;
  while (!text.empty()) {
    const std::size_t bad = detail::invalid_utf8(text);
    out.append(text.substr(0, bad));
    if (bad == std::string_view::npos) break;
    char hex[8];
    std::snprintf(hex, sizeof hex, "\\x%02X", static_cast<unsigned char>(text[bad]));
    out += hex;
    text.remove_prefix(bad + 1);
  }
  return out;
}

// "FILE:LINE:COLUMN: invalid UTF-8 ..." for the first bad byte of `text`, or "".
std::string utf8_problem(std::string_view text, const std::string& file) {
  const std::size_t at = detail::invalid_utf8(text);
  if (at == std::string_view::npos) return "";
  char byte[8];
  std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(text[at]));
  return file + ":" + detail::line_column(text, at) + ": invalid UTF-8 (byte " + byte +
         "; expected UTF-8 text)";
}

std::string chain_text(const std::vector<fs::path>& chain, const fs::path& last) {
  std::string out;
  for (const auto& p : chain) out += p.filename().string() + " -> ";
  return out + last.filename().string();
}

// Parses `text` (from `file`) and, recursively, the files it extends; the
// result is the parent's tree with this file's keys merged over it.
Node load_tree(const std::string& text, const fs::path& file, std::vector<fs::path>& chain,
               Diagnostics& diags) {
  const std::size_t before = diags.items().size();
  Node node = detail::parse_yaml(text, file.string(), diags);
  if (node.kind == Node::Kind::null && diags.items().size() > before) {
    return Node{Node::Kind::map, "", false, Mark{file.string(), 1, 1}, {}, {}};  // syntax error
  }
  if (node.kind != Node::Kind::map) {
    diags.add(node.mark, "",
              std::string("expected a map of scenario keys, got ") + node.kind_name());
    return Node{Node::Kind::map, "", false, node.mark, {}, {}};
  }
  auto it = std::find_if(node.map.begin(), node.map.end(),
                         [](const Node::Entry& e) { return e.key == "extends"; });
  if (it == node.map.end()) return node;
  const Node::Entry ext = *it;
  node.map.erase(it);
  if (ext.value.kind != Node::Kind::scalar || ext.value.scalar.empty()) {
    diags.add(ext.value.mark, "extends",
              std::string("expected a file name, got ") + ext.value.kind_name());
    return node;
  }
  const fs::path parent = (file.parent_path() / ext.value.scalar).lexically_normal();
  std::error_code ec;
  const fs::path canonical = fs::weakly_canonical(parent, ec);
  chain.push_back(fs::weakly_canonical(file, ec));
  if (std::find(chain.begin(), chain.end(), canonical) != chain.end()) {
    diags.add(ext.value.mark, "extends",
              "cycle in extends: " + chain_text(chain, canonical) +
                  " (expected a chain that "
                  "ends)");
    chain.pop_back();
    return node;
  }
  std::string parent_text;
  if (const std::string problem = read_file(parent, parent_text); !problem.empty()) {
    diags.add(ext.value.mark, "extends",
              "cannot read '" + parent.string() + "': " + problem +
                  " (expected an existing scenario file)");
    chain.pop_back();
    return node;
  }
  if (const std::string problem = utf8_problem(parent_text, parent.string()); !problem.empty()) {
    throw ScenarioError({problem});
  }
  Node base = load_tree(parent_text, parent, chain, diags);
  chain.pop_back();
  detail::merge_into(base, node);
  return base;
}

// One value of a sweep axis or key range, set over the scenario (without the analysis blocks)
// and checked like a key written there; problems are marked where it was written, naming `where`.
void check_value(const Node& root, const fs::path& file, const Node& key, const std::string& text,
                 const Mark& at, const std::string& where, std::set<std::string>& seen,
                 Diagnostics& diags) {
  Diagnostics local;
  Node value = detail::parse_yaml(text, at.file, local);
  value.mark = at;
  Node tree = root;
  tree.map.erase(std::remove_if(tree.map.begin(), tree.map.end(),
                                [](const Node::Entry& e) {
                                  return e.key == "sweep" || e.key == "sensitivity" ||
                                         e.key == "calibration";
                                }),
                 tree.map.end());
  const Mark key_mark = key.mark;
  set_path(
      tree, key.scalar, value,
      [&](std::size_t i) {
        return Mark{key_mark.file, key_mark.line, key_mark.column + static_cast<int>(i)};
      },
      local);
  Scenario probe;
  detail::KeyMarks marks;
  marks.root = Mark{file.string(), 1, 1};
  detail::bind_scenario(tree, probe, marks, local);
  detail::validate_scenario(probe, marks, local);
  for (const auto& d : local.items()) {
    if (seen.insert(d.str()).second) diags.add(d.mark, d.path, d.message + " in " + where);
  }
}

// Both ends of each key range of `block`.`list` (sensitivity factors,
// calibration free keys), checked as if written for its key.
void check_ranges(const Node& root, const std::vector<SensitivityFactor>& ranges,
                  const std::string& block_name, const std::string& list_name, const fs::path& file,
                  std::set<std::string>& seen, Diagnostics& diags) {
  const Node* block = root.find(block_name);
  const Node* list = block != nullptr ? block->find(list_name) : nullptr;
  if (list == nullptr || list->kind != Node::Kind::seq) return;
  for (std::size_t f = 0; f < ranges.size() && f < list->seq.size(); ++f) {
    const Node& item = list->seq[f];
    const Node* key = item.find("key");
    if (key == nullptr) continue;
    for (const char* end : {"from", "to"}) {
      const Node* n = item.find(end);
      if (n == nullptr) continue;
      const std::string text =
          factor_value(std::string(end) == "from" ? ranges[f].from : ranges[f].to);
      check_value(
          root, file, *key, text, n->mark,
          block_name + "." + list_name + "[" + std::to_string(f) + "] " + key->scalar + "=" + text,
          seen, diags);
    }
  }
}

// Each value of each sweep axis, and both ends of each key range, checked as if written for its
// key.
// The most points (or values) a sweep axis may have: the key table's range.
int max_axis_points() {
  static const int most = [] {
    for (const auto& k : detail::sweep_keys()) {
      if (std::string_view(k.path) == "points") return static_cast<int>(k.range.hi);
    }
    return 10000;
  }();
  return most;
}

void check_sweep_values(const Node& root, const Scenario& s, const fs::path& file,
                        Diagnostics& diags) {
  std::set<std::string> seen;  // the scenario's own problems are reported once, not per value
  for (const auto& d : diags.items()) seen.insert(d.str());
  const Node* sweep = root.find("sweep");
  for (std::size_t a = 0; sweep != nullptr && sweep->kind == Node::Kind::seq &&
                          a < s.sweep.size() && a < sweep->seq.size();
       ++a) {
    const SweepAxis& axis = s.sweep[a];
    if (axis.points > 0 && !axis.values.empty()) continue;  // reported already
    // An axis over the limit is reported by its own range; its values are not
    // expanded (a million-point axis must not keep the CPU busy before that).
    if (axis.points > max_axis_points() || axis.values.size() > std::size_t(max_axis_points()))
      continue;
    const Node& item = sweep->seq[a];
    const Node* key = item.find("key");
    if (key == nullptr) continue;
    const Node* values = item.find("values");
    const Node* from = item.find("from");
    auto grid = axis.grid();
    // An evenly spaced grid of many points: its ends here (a key's range is an
    // interval), every point when the sweep resolves it. Checking each value
    // costs as much as resolving a point.
    if (axis.points > 100) grid = {grid.front(), grid.back()};
    for (std::size_t v = 0; v < grid.size(); ++v) {
      Mark at = from != nullptr ? from->mark : key->mark;
      if (values != nullptr && v < values->seq.size()) at = values->seq[v].mark;
      check_value(root, file, *key, grid[v], at,
                  "sweep[" + std::to_string(a) + "] " + key->scalar + "=" + grid[v], seen, diags);
    }
  }
  check_ranges(root, s.sensitivity.factors, "sensitivity", "factors", file, seen, diags);
  check_ranges(root, s.calibration.free, "calibration", "free", file, seen, diags);
}

Scenario resolve(const std::string& text, const fs::path& file,
                 const std::vector<std::string>& overrides, const std::vector<std::string>& vary,
                 Vary into) {
  // Every string read must be UTF-8 (names end up in JSON and file names):
  // checked first, where it was written.
  std::vector<std::string> encoding;
  if (std::string problem = utf8_problem(text, file.string()); !problem.empty())
    encoding.push_back(std::move(problem));
  for (const auto& arg : overrides) {
    if (std::string problem = utf8_problem(arg, "--set " + escaped(arg)); !problem.empty())
      encoding.push_back(std::move(problem));
  }
  for (const auto& arg : vary) {
    if (std::string problem = utf8_problem(arg, "--vary " + escaped(arg)); !problem.empty())
      encoding.push_back(std::move(problem));
  }
  if (!encoding.empty()) throw ScenarioError(encoding);
  Diagnostics diags;
  std::vector<fs::path> chain;
  Node root = load_tree(text, file, chain, diags);
  for (const auto& o : overrides) apply_override(root, o, diags);
  if (!vary.empty() && into != Vary::sweep) {
    const bool free = into == Vary::calibration;
    const std::string flag = free ? "--free" : "--vary";
    Node factors{Node::Kind::seq, "", false, Mark{flag, 1, 1}, {}, {}};
    for (const auto& v : vary) {
      if (Node f = factor_node(flag, v, diags); !f.map.empty()) factors.seq.push_back(std::move(f));
    }
    set_path(
        root, free ? "calibration.free" : "sensitivity.factors", factors,
        [&](std::size_t) {
          return Mark{flag, 1, 1};
        },
        diags);
  } else if (!vary.empty()) {
    Node axes{Node::Kind::seq, "", false, Mark{"--vary", 1, 1}, {}, {}};
    for (const auto& v : vary) {
      if (Node axis = vary_node(v, diags); !axis.map.empty()) axes.seq.push_back(std::move(axis));
    }
    set_path(
        root, "sweep", axes,
        [](std::size_t) {
          return Mark{"--vary", 1, 1};
        },
        diags);
  }
  Scenario s;
  s.source = file;
  // Bind and check whatever could be read, so that every problem is reported
  // at once; checks that involve a key that failed are skipped.
  detail::KeyMarks marks;
  marks.root = Mark{file.string(), 1, 1};
  detail::bind_scenario(root, s, marks, diags);
  detail::validate_scenario(s, marks, diags);
  check_sweep_values(root, s, file, diags);
  if (!diags.empty()) {
    // Scenario files first, by position; then --set arguments, in the order given.
    std::vector<detail::Diagnostic> items = diags.items();
    std::stable_sort(items.begin(), items.end(), [](const auto& a, const auto& b) {
      const bool a_set = a.mark.file.rfind("--", 0) == 0;
      const bool b_set = b.mark.file.rfind("--", 0) == 0;
      if (a_set || b_set) return !a_set && b_set;  // --set arguments keep their order
      return std::tie(a.mark.file, a.mark.line, a.mark.column) <
             std::tie(b.mark.file, b.mark.line, b.mark.column);
    });
    std::vector<std::string> problems;
    for (const auto& d : items) problems.push_back(d.str());
    throw ScenarioError(std::move(problems));
  }
  if (const auto clipped = detail::clip_to_horizon(s, marks); !clipped.empty()) {
    std::string list;
    for (const auto& c : clipped) list += "\n  " + c;
    const std::string message =
        fmt::format("{}: {} outside the horizon {} to {}, left out:{}", file.string(),
                    clipped.size() == 1 ? "one entry" : std::to_string(clipped.size()) + " entries",
                    format_date(s.calendar.start), format_date(s.end() - 1), list);
    // Once per process: a calibration or a forecast loads the scenario at
    // every point, and the same warning thousands of times hides the rest.
    static std::mutex mutex;
    static std::set<std::string> said;
    const std::lock_guard lock(mutex);
    if (said.insert(message).second) spdlog::warn("{}", message);
  }
  return s;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += (out.empty() ? "" : "\n") + l;
  return out;
}

}  // namespace

ScenarioError::ScenarioError(std::vector<std::string> problems)
    : std::runtime_error(join_lines(problems)), problems_(std::move(problems)) {}

Scenario load_scenario(const fs::path& file, const std::vector<std::string>& overrides,
                       const std::vector<std::string>& vary, Vary into) {
  std::string text;
  if (const std::string problem = read_file(file, text); !problem.empty()) {
    throw ScenarioError({file.string() + ":1:1: cannot read the scenario file: " + problem +
                         " (expected an existing, readable YAML file)"});
  }
  return resolve(text, file, overrides, vary, into);
}

Scenario load_scenario_text(const std::string& text, const fs::path& file,
                            const std::vector<std::string>& overrides,
                            const std::vector<std::string>& vary, Vary into) {
  return resolve(text, file, overrides, vary, into);
}

std::string factor_value(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.12g", v);
  return buf;
}

}  // namespace linksim

namespace linksim::detail {

std::string Diagnostic::str() const {
  return mark.str() + ": " + (path.empty() ? "" : path + ": ") + message;
}

}  // namespace linksim::detail
