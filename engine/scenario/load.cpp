// Loading: read files, follow `extends` chains, apply `--set` overrides, then bind and
// validate; every problem is collected before anything is thrown.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <tuple>

#include "scenario/bind.hpp"

namespace linksim {

namespace fs = std::filesystem;
using detail::Diagnostics;
using detail::Mark;
using detail::Node;

namespace {

bool read_file(const fs::path& path, std::string& text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buf;
  buf << in.rdbuf();
  text = buf.str();
  return static_cast<bool>(in) || in.eof();
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
  if (!read_file(parent, parent_text)) {
    diags.add(ext.value.mark, "extends",
              "cannot read '" + parent.string() + "' (expected an existing scenario file)");
    chain.pop_back();
    return node;
  }
  Node base = load_tree(parent_text, parent, chain, diags);
  chain.pop_back();
  detail::merge_into(base, node);
  return base;
}

// Sets the node at dotted `path` (list items by index) to `value`, creating
// maps on the way. `at_column(i)` marks the path segment starting at index i.
template <class MarkOf>
void set_path(Node& root, const std::string& path, const Node& value, MarkOf at_column,
              Diagnostics& diags) {
  Node* at = &root;
  std::string walked;
  std::size_t start = 0;
  while (true) {
    const auto dot = path.find('.', start);
    const std::string seg = path.substr(start, dot == std::string::npos ? dot : dot - start);
    walked += (walked.empty() ? "" : ".") + seg;
    const Mark seg_mark = at_column(start);
    if (seg.empty()) {
      diags.add(seg_mark, path, "empty key segment (expected a.b.c=VALUE)");
      return;
    }
    Node* next = nullptr;
    if (at->kind == Node::Kind::seq) {
      std::size_t idx = 0;
      const bool is_index = seg.find_first_not_of("0123456789") == std::string::npos;
      if (is_index) idx = std::stoul(seg.size() > 9 ? std::string("999999999") : seg);
      if (!is_index || idx >= at->seq.size()) {
        diags.add(seg_mark, walked,
                  "expected a list index below " + std::to_string(at->seq.size()) + ", got '" +
                      seg + "'");
        return;
      }
      next = &at->seq[idx];
    } else {
      if (at->kind != Node::Kind::map) *at = Node{Node::Kind::map, "", false, seg_mark, {}, {}};
      next = at->find(seg);
      if (next == nullptr) {
        at->map.push_back(
            Node::Entry{seg, seg_mark, Node{Node::Kind::map, "", false, seg_mark, {}, {}}});
        next = &at->map.back().value;
      }
    }
    if (dot == std::string::npos) {
      *next = value;
      return;
    }
    at = next;
    start = dot + 1;
  }
}

// Applies one "a.b.c=VALUE" override; VALUE is YAML.
void apply_override(Node& root, const std::string& arg, Diagnostics& diags) {
  const std::string where = "--set " + arg;
  const auto eq = arg.find('=');
  if (eq == std::string::npos || eq == 0) {
    diags.add(Mark{where, 1, 1}, "", "expected KEY=VALUE, got '" + arg + "'");
    return;
  }
  Node value = detail::parse_yaml(arg.substr(eq + 1), where, diags);
  if (arg.substr(eq + 1).find_first_not_of(" \t") == std::string::npos) value = Node{};
  value.mark = Mark{where, 1, static_cast<int>(eq) + 2};
  set_path(
      root, arg.substr(0, eq), value,
      [&](std::size_t i) {
        return Mark{where, 1, static_cast<int>(i) + 1};
      },
      diags);
}

Node scalar_node(const std::string& text, const Mark& mark) {
  return Node{Node::Kind::scalar, text, false, mark, {}, {}};
}

// One `--vary KEY=v1,v2,...` or `--vary KEY=FROM:TO:POINTS` as a sweep axis
// node, marked with the argument and column, for the binder to check.
Node vary_node(const std::string& arg, Diagnostics& diags) {
  const std::string where = "--vary " + arg;
  auto mark = [&](std::size_t i) { return Mark{where, 1, static_cast<int>(i) + 1}; };
  Node axis{Node::Kind::map, "", false, mark(0), {}, {}};
  const auto eq = arg.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == arg.size()) {
    diags.add(mark(0), "", "expected KEY=v1,v2,... or KEY=FROM:TO:POINTS, got '" + arg + "'");
    return axis;
  }
  axis.map.push_back({"key", mark(0), scalar_node(arg.substr(0, eq), mark(0))});
  const std::string spec = arg.substr(eq + 1);
  std::vector<std::pair<std::string, std::size_t>> parts;  // text, position in arg
  const char sep = std::count(spec.begin(), spec.end(), ':') == 2 ? ':' : ',';
  for (std::size_t b = 0;;) {
    const auto e = spec.find(sep, b);
    parts.emplace_back(spec.substr(b, e == std::string::npos ? e : e - b), eq + 1 + b);
    if (e == std::string::npos) break;
    b = e + 1;
  }
  if (sep == ':') {
    const char* names[] = {"from", "to", "points"};
    for (int i = 0; i < 3; ++i) {
      const auto& [text, at] = parts[i];
      axis.map.push_back({names[i], mark(at), scalar_node(text, mark(at))});
    }
  } else {
    Node values{Node::Kind::seq, "", false, mark(eq + 1), {}, {}};
    for (const auto& [text, at] : parts) {
      if (text.empty()) {
        diags.add(mark(at), arg.substr(0, eq), "empty value (expected v1,v2,...)");
        continue;
      }
      values.seq.push_back(scalar_node(text, mark(at)));
    }
    axis.map.push_back({"values", mark(eq + 1), values});
  }
  return axis;
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

// One `--vary KEY=FROM:TO` of `linksim sensitivity` (or `--free KEY=FROM:TO`
// of `linksim calibrate`, `flag`) as a factor node.
Node factor_node(const std::string& flag, const std::string& arg, Diagnostics& diags) {
  const std::string where = flag + " " + arg;
  auto mark = [&](std::size_t i) { return Mark{where, 1, static_cast<int>(i) + 1}; };
  Node factor{Node::Kind::map, "", false, mark(0), {}, {}};
  const auto eq = arg.find('=');
  const auto colon = arg.find(':', eq == std::string::npos ? 0 : eq);
  if (eq == std::string::npos || eq == 0 || colon == std::string::npos ||
      arg.find(':', colon + 1) != std::string::npos || colon == eq + 1 || colon + 1 == arg.size()) {
    diags.add(mark(0), "", "expected KEY=FROM:TO, got '" + arg + "'");
    return factor;
  }
  factor.map.push_back({"key", mark(0), scalar_node(arg.substr(0, eq), mark(0))});
  factor.map.push_back(
      {"from", mark(eq + 1), scalar_node(arg.substr(eq + 1, colon - eq - 1), mark(eq + 1))});
  factor.map.push_back(
      {"to", mark(colon + 1), scalar_node(arg.substr(colon + 1), mark(colon + 1))});
  return factor;
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
void check_sweep_values(const Node& root, const Scenario& s, const fs::path& file,
                        Diagnostics& diags) {
  std::set<std::string> seen;  // the scenario's own problems are reported once, not per value
  for (const auto& d : diags.items()) seen.insert(d.str());
  const Node* sweep = root.find("sweep");
  for (std::size_t a = 0; sweep != nullptr && sweep->kind == Node::Kind::seq &&
                          a < s.sweep.size() && a < sweep->seq.size();
       ++a) {
    if (s.sweep[a].points > 0 && !s.sweep[a].values.empty()) continue;  // reported already
    const Node& item = sweep->seq[a];
    const Node* key = item.find("key");
    if (key == nullptr) continue;
    const Node* values = item.find("values");
    const Node* from = item.find("from");
    const auto grid = s.sweep[a].grid();
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
    spdlog::warn("{}: {} outside the horizon {} to {}, left out:{}", file.string(),
                 clipped.size() == 1 ? "one entry" : std::to_string(clipped.size()) + " entries",
                 format_date(s.calendar.start), format_date(s.end() - 1), list);
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
  if (!read_file(file, text)) {
    throw ScenarioError({file.string() + ":1:1: cannot read the scenario file (expected an "
                                         "existing, readable YAML file)"});
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
