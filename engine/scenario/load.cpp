// Loading: read files, follow `extends` chains, apply `--set` overrides, then
// bind and validate; every problem is collected before anything is thrown.
#include <algorithm>
#include <fstream>
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

// Applies one "a.b.c=VALUE" override; VALUE is YAML.
void apply_override(Node& root, const std::string& arg, Diagnostics& diags) {
  const std::string where = "--set " + arg;
  const Mark mark{where, 1, 1};
  const auto eq = arg.find('=');
  if (eq == std::string::npos || eq == 0) {
    diags.add(mark, "", "expected KEY=VALUE, got '" + arg + "'");
    return;
  }
  const std::string path = arg.substr(0, eq);
  Node value = detail::parse_yaml(arg.substr(eq + 1), where, diags);
  if (arg.substr(eq + 1).find_first_not_of(" \t") == std::string::npos) value = Node{};
  value.mark = Mark{where, 1, static_cast<int>(eq) + 2};
  Node* at = &root;
  std::string walked;
  std::size_t start = 0;
  while (true) {
    const auto dot = path.find('.', start);
    const std::string seg = path.substr(start, dot == std::string::npos ? dot : dot - start);
    walked += (walked.empty() ? "" : ".") + seg;
    const Mark seg_mark{where, 1, static_cast<int>(start) + 1};
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
      if (at->kind != Node::Kind::map) *at = Node{Node::Kind::map, "", false, mark, {}, {}};
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

Scenario resolve(const std::string& text, const fs::path& file,
                 const std::vector<std::string>& overrides) {
  Diagnostics diags;
  std::vector<fs::path> chain;
  Node root = load_tree(text, file, chain, diags);
  for (const auto& o : overrides) apply_override(root, o, diags);
  Scenario s;
  s.source = file;
  // Bind and check whatever could be read, so that every problem is reported
  // at once; checks that involve a key that failed are skipped.
  detail::KeyMarks marks;
  marks.root = Mark{file.string(), 1, 1};
  detail::bind_scenario(root, s, marks, diags);
  detail::validate_scenario(s, marks, diags);
  if (!diags.empty()) {
    // Scenario files first, by position; then --set arguments, in the order given.
    std::vector<detail::Diagnostic> items = diags.items();
    std::stable_sort(items.begin(), items.end(), [](const auto& a, const auto& b) {
      const bool a_set = a.mark.file.rfind("--set", 0) == 0;
      const bool b_set = b.mark.file.rfind("--set", 0) == 0;
      if (a_set || b_set) return !a_set && b_set;  // --set arguments keep their order
      return std::tie(a.mark.file, a.mark.line, a.mark.column) <
             std::tie(b.mark.file, b.mark.line, b.mark.column);
    });
    std::vector<std::string> problems;
    for (const auto& d : items) problems.push_back(d.str());
    throw ScenarioError(std::move(problems));
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

Scenario load_scenario(const fs::path& file, const std::vector<std::string>& overrides) {
  std::string text;
  if (!read_file(file, text)) {
    throw ScenarioError({file.string() + ":1:1: cannot read the scenario file (expected an "
                                         "existing, readable YAML file)"});
  }
  return resolve(text, file, overrides);
}

Scenario load_scenario_text(const std::string& text, const fs::path& file,
                            const std::vector<std::string>& overrides) {
  return resolve(text, file, overrides);
}

}  // namespace linksim

namespace linksim::detail {

std::string Diagnostic::str() const {
  return mark.str() + ": " + (path.empty() ? "" : path + ": ") + message;
}

}  // namespace linksim::detail
