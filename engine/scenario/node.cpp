#include "scenario/node.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <tuple>

#include "scenario/diagnostics.hpp"

namespace linksim::detail {

namespace {

// A scenario is small: these bounds stop alias bombs and pathological nesting
// long before they exhaust memory or the stack.
constexpr int max_depth = 64;
constexpr long max_nodes = 1'000'000;

Mark mark_of(const YAML::Mark& m, const std::string& file) {
  return Mark{file, m.line + 1, m.column + 1};
}

// The number of nodes a document expands to, each alias counted at every use,
// found without expanding anything: a collection met again through an alias
// (the same node, so the same place, kind and length) is counted from memory,
// so an alias bomb of a few hundred bytes is sized in microseconds instead of
// being built up to the limit (0.8 s and a gigabyte before). Counting stops
// past max_nodes; `where` is the first collection found larger than that.
struct Sizer {
  std::map<std::tuple<int, int, int, std::size_t>, long> known;
  std::optional<YAML::Mark> where;

  long size(const YAML::Node& in, int depth) {
    if (!in.IsSequence() && !in.IsMap()) return 1;
    if (depth > max_depth) return 1;  // the converter says so
    const auto key =
        std::make_tuple(in.Mark().line, in.Mark().column, static_cast<int>(in.Type()), in.size());
    if (const auto it = known.find(key); it != known.end()) return it->second;
    long n = 1;
    for (const auto& item : in) {
      n += in.IsMap() ? 1 + size(item.second, depth + 1) : size(item, depth + 1);
      if (n > max_nodes) break;
    }
    if (n > max_nodes && !where) where = in.Mark();
    known.emplace(key, std::min(n, max_nodes + 1));
    return n;
  }
};

struct Converter {
  const std::string& file;
  Diagnostics& diags;
  long nodes = 0;
  bool too_big = false;

  Node convert(const YAML::Node& in, int depth) {
    Node out;
    out.mark = mark_of(in.Mark(), file);
    if (++nodes > max_nodes || depth > max_depth) {
      if (!too_big) {
        diags.add(out.mark, "",
                  depth > max_depth ? "nesting deeper than 64 levels (expected a scenario)"
                                    : "document expands to over 1,000,000 nodes (expected a "
                                      "scenario; aliases?)");
      }
      too_big = true;
      return out;
    }
    switch (in.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        out.kind = Node::Kind::null;
        break;
      case YAML::NodeType::Scalar:
        out.kind = Node::Kind::scalar;
        out.scalar = in.Scalar();
        out.quoted = in.Tag() == "!";
        break;
      case YAML::NodeType::Sequence:
        out.kind = Node::Kind::seq;
        for (const auto& item : in) {
          out.seq.push_back(convert(item, depth + 1));
          if (too_big) break;
        }
        break;
      case YAML::NodeType::Map:
        out.kind = Node::Kind::map;
        for (const auto& kv : in) {
          Node::Entry e;
          e.key_mark = mark_of(kv.first.Mark(), file);
          if (!kv.first.IsScalar()) {
            diags.add(e.key_mark, "", "a map key must be a plain name (expected a scalar key)");
            continue;
          }
          e.key = kv.first.Scalar();
          const auto first = std::find_if(out.map.begin(), out.map.end(),
                                          [&](const Node::Entry& p) { return p.key == e.key; });
          if (first != out.map.end()) {
            diags.add(e.key_mark, e.key,
                      "duplicate key (first defined at " + first->key_mark.str() + ")");
            continue;
          }
          e.value = convert(kv.second, depth + 1);
          out.map.push_back(std::move(e));
          if (too_big) break;
        }
        break;
    }
    return out;
  }
};

}  // namespace

std::string Mark::str() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

const Node* Node::find(const std::string& key) const {
  for (const auto& e : map) {
    if (e.key == key) return &e.value;
  }
  return nullptr;
}

Node* Node::find(const std::string& key) {
  return const_cast<Node*>(static_cast<const Node*>(this)->find(key));
}

const char* Node::kind_name() const {
  switch (kind) {
    case Kind::null:
      return "nothing";
    case Kind::scalar:
      return "a scalar";
    case Kind::map:
      return "a map";
    case Kind::seq:
      return "a list";
  }
  return "?";
}

Node parse_yaml(const std::string& text, const std::string& file, Diagnostics& diags) {
  YAML::Node doc;
  try {
    doc = YAML::Load(text);
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp's own guard (before its stack runs out): the same words as ours.
    diags.add(mark_of(e.mark, file), "",
              "nesting deeper than " + std::to_string(max_depth) +
                  " levels (expected a scenario, got at least " + std::to_string(e.depth()) +
                  " levels)");
    return Node{};
  } catch (const YAML::Exception& e) {
    diags.add(mark_of(e.mark, file), "", "YAML syntax error: " + e.msg);
    return Node{};
  }
  if (Sizer sizer; sizer.size(doc, 0) > max_nodes) {
    diags.add(mark_of(sizer.where.value_or(doc.Mark()), file), "",
              "document expands to over 1,000,000 nodes (expected a scenario; aliases?)");
    return Node{};
  }
  Converter conv{file, diags};
  Node root = conv.convert(doc, 0);
  if (conv.too_big) return Node{};  // only the size problem is worth reporting
  if (root.kind == Node::Kind::null) {
    root.kind = Node::Kind::map;  // an empty file is an empty scenario
    root.mark = Mark{file, 1, 1};
  }
  return root;
}

void merge_into(Node& base, const Node& over) {
  if (base.kind != Node::Kind::map || over.kind != Node::Kind::map) {
    base = over;
    return;
  }
  for (const auto& e : over.map) {
    if (Node* existing = base.find(e.key)) {
      merge_into(*existing, e.value);
      for (auto& b : base.map) {
        if (b.key == e.key) b.key_mark = e.key_mark;
      }
    } else {
      base.map.push_back(e);
    }
  }
  base.mark = over.mark;
}

}  // namespace linksim::detail
