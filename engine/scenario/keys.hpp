// The one table of scenario keys. For every key: its path, type, allowed
// range, unit, a one-sentence meaning and the source of its default, plus the
// field it fills. The loader, the validation, `linksim schema`, `linksim show`
// and docs/scenarios.md are all driven by these tables.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <variant>
#include <vector>

#include "linksim/scenario.hpp"

namespace linksim::detail {

enum class KeyType { real, integer, boolean, date, string, event_type };
const char* key_type_name(KeyType t);

using FieldRef =
    std::variant<double*, int*, std::int64_t*, std::uint64_t*, bool*, std::string*, EventType*>;

struct Range {
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  bool lo_open = false;
  constexpr Range() = default;
  constexpr Range(double lo_, double hi_, bool lo_open_ = false)
      : lo(lo_), hi(hi_), lo_open(lo_open_) {}
  bool contains(double v) const { return (lo_open ? v > lo : v >= lo) && v <= hi; }
  std::string str() const;  // e.g. "[0, 1]" or "(0, inf)"
};

// The ranges the key tables use most.
namespace ranges {
inline constexpr double inf = std::numeric_limits<double>::infinity();
inline constexpr Range any{};
inline constexpr Range prob{0.0, 1.0};
inline constexpr Range nonneg{0.0, inf};
inline constexpr Range positive{0.0, inf, true};
inline constexpr Range at_least_1{1.0, inf};
inline constexpr Range unit_open{0.0, 1.0, true};
}  // namespace ranges

template <class T>
struct Key {
  const char* path;  // dotted, relative to T
  KeyType type;
  Range range;
  const char* unit;
  const char* doc;
  const char* source;  // where the default comes from, or "assumed"
  FieldRef (*field)(T&);
  bool required = false;  // list items only: must be given
};

// A key holding a list of items, each described by its own table.
struct ListKey {
  const char* path;
  const char* doc;
};

const std::vector<Key<Scenario>>& scenario_keys();
const std::vector<Key<Category>>& category_keys();
const std::vector<Key<PolicyEntry>>& policy_keys();
const std::vector<Key<Event>>& event_keys();
const std::vector<Key<SweepAxis>>& sweep_keys();  // besides `values`, a list of scalars
const std::vector<Key<SensitivityFactor>>& factor_keys();
const std::vector<ListKey>& list_keys();  // categories, policy, events, sweep, sensitivity.factors
// The type of a key written as for --set (list items by index), or false when
// there is no such key.
bool key_type_of(const std::string& path, KeyType& type);

// A scalar kept as YAML text (sweep values): a quoted string is written
// 'single-quoted' so that it stays a string; yaml_unquote gives its text back.
std::string yaml_quote(const std::string& text);
std::string yaml_unquote(const std::string& yaml);

// The value of a field as the YAML scalar text that reads back to it exactly.
std::string field_text(const FieldRef& ref, KeyType type);

}  // namespace linksim::detail
