// Command-line arguments as YAML nodes: `--set KEY=VALUE`, a sweep's
// `--vary KEY=...` and an analysis's `--vary`/`--free KEY=FROM:TO`, each
// marked with the argument and column for the binder's messages.
#pragma once

#include <string>

#include "scenario/diagnostics.hpp"
#include "scenario/node.hpp"

namespace linksim::detail {

// Sets the node at dotted `path` (list items by index) to `value`, creating
// maps on the way. `at_column(i)` marks the path segment starting at index i.
template <class MarkOf>
inline void set_path(Node& root, const std::string& path, const Node& value, MarkOf at_column,
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
void apply_override(Node& root, const std::string& arg, Diagnostics& diags);
// One `--vary KEY=v1,v2,...` or `--vary KEY=FROM:TO:POINTS` as a sweep axis node.
Node vary_node(const std::string& arg, Diagnostics& diags);
// One `--vary KEY=FROM:TO` (or `--free KEY=FROM:TO`, `flag`) as a factor node.
Node factor_node(const std::string& flag, const std::string& arg, Diagnostics& diags);

}  // namespace linksim::detail
