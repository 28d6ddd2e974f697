// A YAML document as a plain tree that remembers, for every node and map key,
// the file, line and column it came from, so that every error can name them
// even after `extends` merges several files and `--set` adds more.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace linksim::detail {

struct Mark {
  std::string file;  // a path, or "--set KEY=VALUE" for command-line overrides
  int line = 0;      // 1-based
  int column = 0;    // 1-based
  std::string str() const;
};

struct Node {
  enum class Kind { null, scalar, map, seq };
  Kind kind = Kind::null;
  std::string scalar;
  bool quoted = false;  // a quoted scalar is always a string
  Mark mark;
  struct Entry;
  std::vector<Entry> map;
  std::vector<Node> seq;

  const Node* find(const std::string& key) const;
  Node* find(const std::string& key);
  const char* kind_name() const;
};

struct Node::Entry {
  std::string key;
  Mark key_mark;
  Node value;
};

// Parses YAML text into a tree. Syntax errors, duplicate keys and documents too
// large or too deep to be a scenario become diagnostics (see diagnostics.hpp).
class Diagnostics;
Node parse_yaml(const std::string& text, const std::string& file, Diagnostics& diags);

// Merges `over` into `base`: maps key by key, everything else replaced.
void merge_into(Node& base, const Node& over);

}  // namespace linksim::detail
