// Command-line arguments as YAML nodes (scenario/arguments.hpp).
#include "scenario/arguments.hpp"

#include <algorithm>
#include <cstdlib>
#include <vector>

namespace linksim::detail {

namespace {

Node scalar_node(const std::string& text, const Mark& mark) {
  return Node{Node::Kind::scalar, text, false, mark, {}, {}};
}

}  // namespace

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
  if (std::count(spec.begin(), spec.end(), ':') == 1) {
    diags.add(mark(eq + 1), arg.substr(0, eq),
              "a range needs its number of points (expected KEY=FROM:TO:POINTS, e.g. " + arg +
                  ":5, or KEY=v1,v2,...), got '" + spec + "'");
    // The load fails on the problem above; a grid of two points stands in
    // so that the rest is checked without a second message about it.
    const auto colon = spec.find(':');
    axis.map.push_back({"from", mark(eq + 1), scalar_node(spec.substr(0, colon), mark(eq + 1))});
    axis.map.push_back(
        {"to", mark(eq + 2 + colon), scalar_node(spec.substr(colon + 1), mark(eq + 2 + colon))});
    axis.map.push_back({"points", mark(eq + 1), scalar_node("2", mark(eq + 1))});
    return axis;
  }
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

// One `--vary KEY=FROM:TO` of `linksim sensitivity` (or `--free KEY=FROM:TO`
// of `linksim calibrate`, `flag`) as a factor node.
Node factor_node(const std::string& flag, const std::string& arg, Diagnostics& diags) {
  const std::string where = flag + " " + arg;
  auto mark = [&](std::size_t i) { return Mark{where, 1, static_cast<int>(i) + 1}; };
  Node factor{Node::Kind::map, "", false, mark(0), {}, {}};
  const auto eq = arg.find('=');
  const auto colon = arg.find(':', eq == std::string::npos ? 0 : eq);
  // --free takes an optional prior: KEY=FROM:TO:log_uniform.
  const auto third = colon == std::string::npos ? colon : arg.find(':', colon + 1);
  const bool prior = flag == "--free" && third != std::string::npos;
  const auto to_end = prior ? third : arg.size();
  if (eq == std::string::npos || eq == 0 || colon == std::string::npos ||
      (third != std::string::npos && !prior) ||
      (prior && (arg.find(':', third + 1) != std::string::npos || third + 1 == arg.size())) ||
      colon == eq + 1 || colon + 1 == to_end) {
    diags.add(mark(0), "",
              flag == "--free" ? "expected KEY=FROM:TO or KEY=FROM:TO:PRIOR, got '" + arg + "'"
                               : "expected KEY=FROM:TO, got '" + arg + "'");
    return factor;
  }
  factor.map.push_back({"key", mark(0), scalar_node(arg.substr(0, eq), mark(0))});
  factor.map.push_back(
      {"from", mark(eq + 1), scalar_node(arg.substr(eq + 1, colon - eq - 1), mark(eq + 1))});
  factor.map.push_back({"to", mark(colon + 1),
                        scalar_node(arg.substr(colon + 1, to_end - colon - 1), mark(colon + 1))});
  if (prior) {
    factor.map.push_back(
        {"prior", mark(third + 1), scalar_node(arg.substr(third + 1), mark(third + 1))});
  }
  return factor;
}

}  // namespace linksim::detail
