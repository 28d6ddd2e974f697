#include "scenario/bind.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <set>

#include "scenario/keys.hpp"

namespace linksim::detail {

namespace {

std::string quote(const std::string& s) { return "'" + s + "'"; }

bool parse_real(const std::string& text, double& out, std::string& why) {
  std::string lower = text;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  const char* b = text.data();
  const char* e = b + text.size();
  if (b != e && *b == '+') ++b;
  const auto [ptr, ec] = std::from_chars(b, e, out);
  const bool special =
      lower.find("nan") != std::string::npos || lower.find("inf") != std::string::npos;
  if (special || ec == std::errc::result_out_of_range ||
      (ec == std::errc{} && !std::isfinite(out))) {
    why = "expected a finite number, got " + quote(text);
    return false;
  }
  if (ec != std::errc{} || ptr != e || text.empty()) {
    why = "expected a number, got " + quote(text);
    return false;
  }
  return true;
}

template <class Int>
bool parse_int(const std::string& text, Int& out, std::string& why) {
  const char* b = text.data();
  const char* e = b + text.size();
  if (b != e && *b == '+') ++b;
  const auto [ptr, ec] = std::from_chars(b, e, out);
  if (ec == std::errc{} && ptr == e && !text.empty()) return true;
  // A whole number written as a decimal or in exponent form (1e5, 2.5e6,
  // 100000.0) is one: take it when it is exact and fits.
  double real = 0;
  const auto [rptr, rec] = std::from_chars(b, e, real);
  if (rec == std::errc{} && rptr == e && ptr != e && std::isfinite(real) &&
      real == std::floor(real) && real >= static_cast<double>(std::numeric_limits<Int>::min()) &&
      real < static_cast<double>(std::numeric_limits<Int>::max())) {
    out = static_cast<Int>(real);
    return true;
  }
  why = ec == std::errc::result_out_of_range
            ? "expected a whole number small enough to store, got " + quote(text)
            : "expected a whole number, got " + quote(text);
  return false;
}

std::vector<std::string> event_type_list() {
  return {event_type_names.begin(), event_type_names.end()};
}

// Converts one scalar node into the key's field; false (with a message) if it cannot.
template <class T>
bool store(const Node& v, const Key<T>& key, T& target, std::string& why) {
  const std::string expected =
      std::string("expected ") + (key.type == KeyType::integer ? "a whole number"
                                  : key.type == KeyType::real  ? "a number"
                                  : key.type == KeyType::date  ? "a date YYYY-MM-DD"
                                                               : key_type_name(key.type));
  if (v.kind != Node::Kind::scalar) {
    why = expected + ", got " + v.kind_name();
    return false;
  }
  const std::string& t = v.scalar;
  FieldRef ref = key.field(target);
  double as_number = 0;
  switch (key.type) {
    case KeyType::real: {
      if (v.quoted) {
        why = "expected a number, got the string \"" + t + "\"";
        return false;
      }
      if (!parse_real(t, as_number, why)) return false;
      *std::get<double*>(ref) = as_number;
      break;
    }
    case KeyType::integer: {
      if (auto* u = std::get_if<std::uint64_t*>(&ref)) {
        if (!parse_int(t, **u, why)) return false;
        as_number = static_cast<double>(**u);
      } else if (auto* i64 = std::get_if<std::int64_t*>(&ref)) {
        if (!parse_int(t, **i64, why)) return false;
        as_number = static_cast<double>(**i64);
      } else {
        int& i = *std::get<int*>(ref);
        if (!parse_int(t, i, why)) return false;
        as_number = i;
      }
      break;
    }
    case KeyType::boolean:
      if (t == "true" || t == "True" || t == "TRUE") {
        *std::get<bool*>(ref) = true;
      } else if (t == "false" || t == "False" || t == "FALSE") {
        *std::get<bool*>(ref) = false;
      } else {
        why = "expected true or false, got " + quote(t);
        return false;
      }
      return true;
    case KeyType::date:
      if (!parse_date(t, *std::get<int*>(ref))) {
        why = "expected a date YYYY-MM-DD, got " + quote(t);
        return false;
      }
      return true;
    case KeyType::string:
      *std::get<std::string*>(ref) = t;
      return true;
    case KeyType::event_type: {
      const auto names = event_type_list();
      const auto it = std::find(names.begin(), names.end(), t);
      if (it == names.end()) {
        const std::string near = closest(t, names);
        why = "expected one of promotion, lockdown, demand_shock, got " + quote(t) +
              (near.empty() ? "" : " (did you mean " + quote(near) + "?)");
        return false;
      }
      *std::get<EventType*>(ref) = static_cast<EventType>(it - names.begin());
      return true;
    }
  }
  if (!key.range.contains(as_number)) {
    why = "out of range (expected a value in " + key.range.str() + ", got " + t + ")";
    return false;
  }
  return true;
}

struct Binder {
  KeyMarks& marks;
  Diagnostics& diags;

  // Binds the map `n` found at relative path `rel` of an item of type T.
  template <class T>
  void bind_map(const Node& n, const std::vector<Key<T>>& keys, T& target, const std::string& shown,
                const std::string& rel, std::set<std::string>& present, bool top) {
    for (const auto& e : n.map) {
      const std::string path = rel.empty() ? e.key : rel + "." + e.key;
      const std::string display = shown + path;
      const auto exact =
          std::find_if(keys.begin(), keys.end(), [&](const Key<T>& k) { return path == k.path; });
      if (exact != keys.end()) {
        std::string why;
        if (!store(e.value, *exact, target, why)) {
          diags.add(e.value.mark, display, why);
          marks.failed.insert(display);
        }
        present.insert(path);
        marks.at[display] = e.value.mark;
        continue;
      }
      const bool is_group = std::any_of(keys.begin(), keys.end(), [&](const Key<T>& k) {
        return std::string(k.path).rfind(path + ".", 0) == 0;
      });
      if (is_group) {
        marks.at[display] = e.value.mark;
        if (e.value.kind != Node::Kind::map) {
          diags.add(e.value.mark, display,
                    std::string("expected a map of keys, got ") + e.value.kind_name());
        } else {
          bind_map(e.value, keys, target, shown, path, present, top);
        }
        continue;
      }
      if constexpr (std::is_same_v<T, Scenario>) {
        if (top && bind_list(e, path, target)) continue;
      }
      unknown(e, keys, shown, rel, top);
    }
  }

  template <class T>
  void unknown(const Node::Entry& e, const std::vector<Key<T>>& keys, const std::string& shown,
               const std::string& rel, bool top) {
    std::vector<std::string> siblings;
    std::vector<std::string> anywhere;
    const std::string prefix = rel.empty() ? "" : rel + ".";
    for (const auto& k : keys) {
      const std::string p = k.path;
      if (p.rfind(prefix, 0) == 0) {
        const std::string rest = p.substr(prefix.size());
        siblings.push_back(rest.substr(0, rest.find('.')));
      }
      if (p.size() > e.key.size() && p.compare(p.size() - e.key.size(), e.key.size(), e.key) == 0 &&
          p[p.size() - e.key.size() - 1] == '.') {
        anywhere.push_back(p);
      }
    }
    if constexpr (std::is_same_v<T, SweepAxis>) siblings.push_back("values");
    if (top) {
      for (const auto& l : list_keys()) {
        const std::string p = l.path;
        if (p.rfind(prefix, 0) == 0 && p.find('.', prefix.size()) == std::string::npos)
          siblings.push_back(p.substr(prefix.size()));
      }
      if (rel.empty()) siblings.push_back("extends");
    }
    std::sort(siblings.begin(), siblings.end());
    siblings.erase(std::unique(siblings.begin(), siblings.end()), siblings.end());
    std::string hint;
    const std::string near = closest(e.key, siblings);
    if (!near.empty()) {
      hint = "did you mean " + quote(near) + "?";
    } else if (!anywhere.empty()) {
      hint = "did you mean " + quote(shown + anywhere.front()) + "?";
    } else {
      hint = "expected one of:";
      for (const auto& s : siblings) hint += " " + s;
    }
    diags.add(e.key_mark, shown + prefix + e.key, "unknown key (" + hint + ")");
  }

  bool bind_list(const Node::Entry& e, const std::string& path, Scenario& s) {
    if (path == "categories") {
      bind_items(e, path, category_keys(), s.categories, false);
    } else if (path == "policy") {
      bind_items(e, path, policy_keys(), s.policy, true);
    } else if (path == "events") {
      bind_items(e, path, event_keys(), s.events, false);
    } else if (path == "sweep") {
      bind_items(e, path, sweep_keys(), s.sweep, false);
    } else if (path == "sensitivity.factors") {
      bind_items(e, path, factor_keys(), s.sensitivity.factors, false);
    } else if (path == "calibration.free") {
      bind_items(e, path, factor_keys(), s.calibration.free, false);
    } else {
      return false;
    }
    return true;
  }

  // A sweep axis's `values`: a list of scalars, kept as written. Removed from
  // `item` so that the key table binds the rest.
  void bind_values(Node& item, SweepAxis& axis, const std::string& shown,
                   std::set<std::string>& present) {
    const auto it = std::find_if(item.map.begin(), item.map.end(),
                                 [](const Node::Entry& x) { return x.key == "values"; });
    if (it == item.map.end()) return;
    const std::string display = shown + ".values";
    marks.at[display] = it->value.mark;
    present.insert("values");
    if (it->value.kind != Node::Kind::seq || it->value.seq.empty()) {
      diags.add(it->value.mark, display,
                std::string("expected a non-empty list of values, got ") +
                    (it->value.kind == Node::Kind::seq ? "an empty list" : it->value.kind_name()));
      marks.failed.insert(display);
    } else {
      for (std::size_t v = 0; v < it->value.seq.size(); ++v) {
        const Node& x = it->value.seq[v];
        const std::string at = display + "[" + std::to_string(v) + "]";
        marks.at[at] = x.mark;
        if (x.kind != Node::Kind::scalar) {
          diags.add(x.mark, at, std::string("expected a single value, got ") + x.kind_name());
          marks.failed.insert(display);
        } else {  // kept as YAML text, so that a quoted string stays one
          axis.values.push_back(x.quoted ? yaml_quote(x.scalar) : x.scalar);
        }
      }
    }
    item.map.erase(it);
  }

  template <class T>
  void bind_items(const Node::Entry& e, const std::string& path, const std::vector<Key<T>>& keys,
                  std::vector<T>& out, bool inherit) {
    marks.at[path] = e.value.mark;
    out.clear();
    if (e.value.kind == Node::Kind::null) return;
    if (e.value.kind != Node::Kind::seq) {
      diags.add(e.value.mark, path, std::string("expected a list, got ") + e.value.kind_name());
      marks.failed.insert(path);
      return;
    }
    for (std::size_t i = 0; i < e.value.seq.size(); ++i) {
      const Node& item = e.value.seq[i];
      const std::string shown = path + "[" + std::to_string(i) + "]";
      marks.at[shown] = item.mark;
      T value = (inherit && !out.empty()) ? out.back() : T{};
      if (item.kind != Node::Kind::map) {
        diags.add(item.mark, shown, std::string("expected a map of keys, got ") + item.kind_name());
        continue;
      }
      std::set<std::string> present;
      if constexpr (std::is_same_v<T, SweepAxis>) {
        Node rest = item;
        bind_values(rest, value, shown, present);
        bind_map(rest, keys, value, shown + ".", "", present, false);
      } else {
        bind_map(item, keys, value, shown + ".", "", present, false);
      }
      for (const auto& k : keys) {
        if (k.required && !present.count(k.path)) {
          diags.add(item.mark, shown, std::string("missing required key '") + k.path + "'");
          marks.failed.insert(shown + "." + k.path);
        }
      }
      out.push_back(std::move(value));
    }
  }
};

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace

const Mark& KeyMarks::of(const std::string& path) const {
  std::string p = path;
  while (true) {
    if (auto it = at.find(p); it != at.end()) return it->second;
    const auto cut = p.find_last_of(".[");
    if (cut == std::string::npos) return root;
    p = p.substr(0, cut);
  }
}

std::string closest(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_d = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

void bind_scenario(const Node& root, Scenario& out, KeyMarks& marks, Diagnostics& diags) {
  Binder b{marks, diags};
  std::set<std::string> present;
  b.bind_map(root, scenario_keys(), out, "", "", present, true);
}

}  // namespace linksim::detail
