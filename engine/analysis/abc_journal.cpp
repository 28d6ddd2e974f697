// The journal of an abc-smc calibration (abc.hpp): one checksummed line per
// simulated attempt, appended as each finishes, read back on resume; a line
// cut short or changed is not trusted and its attempt is simulated again.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <stdexcept>

#include "analysis/abc.hpp"
#include "ensemble.hpp"
#include "metrics/files.hpp"

namespace linksim::detail {

namespace fs = std::filesystem;

AbcJournal::AbcJournal(const fs::path& file, const std::string& fingerprint, int dims, int rows,
                       bool resume, Ensemble& ensemble)
    : dims_(dims), rows_(rows) {
  const std::string header = "# linksim abc-smc journal 1 " + fingerprint;
  std::string text;
  if (resume && ensemble.writes_files() && fs::exists(file)) text = read_text(file);
  if (ensemble.size() > 1) ensemble.broadcast(text, 0);
  bool fresh = true;
  if (!text.empty()) {
    const auto eol = text.find('\n');
    if (text.substr(0, eol) != header) {
      throw std::runtime_error(file.string() +
                               ": the journal of another calibration (expected the same "
                               "scenario, overrides, target, keys, particles, quantile and seed; "
                               "use another --out, or remove the folder)");
    }
    fresh = false;
    std::size_t pos = eol == std::string::npos ? text.size() : eol + 1;
    while (pos < text.size()) {
      const auto end = text.find('\n', pos);
      if (end == std::string::npos) break;  // the last line, cut short
      const std::string line = text.substr(pos, end - pos);
      pos = end + 1;
      const auto comma = line.rfind(',');
      if (comma == std::string::npos || fnv1a_hex(line.substr(0, comma)) != line.substr(comma + 1))
        continue;
      std::vector<double> v;
      std::size_t b = 0;
      while (b < comma) {
        const auto e = std::min(line.find(',', b), comma);
        double x = 0;
        const std::string field = line.substr(b, e - b);
        if (field == "nan") {
          x = std::numeric_limits<double>::quiet_NaN();
        } else {
          std::from_chars(field.data(), field.data() + field.size(), x);
        }
        v.push_back(x);
        b = e + 1;
      }
      if (v.size() != static_cast<std::size_t>(2 + dims + rows)) continue;
      found_[{static_cast<int>(v[0]), static_cast<long>(v[1])}] =
          std::vector<double>(v.begin() + 2 + dims, v.end());
    }
  }
  if (!ensemble.writes_files()) return;
  if (fresh) {
    fs::create_directories(file.parent_path().empty() ? fs::path(".") : file.parent_path());
    out_ = std::fopen(file.c_str(), "w");
    if (out_ != nullptr) std::fprintf(out_, "%s\n", header.c_str());
  } else {
    // Drop a line cut short by a kill before appending after it.
    const auto last = text.rfind('\n');
    if (last + 1 != text.size()) fs::resize_file(file, last + 1);
    out_ = std::fopen(file.c_str(), "a");
  }
  if (out_ == nullptr) throw std::runtime_error(file.string() + ": cannot write the journal");
  std::fflush(out_);
}

AbcJournal::~AbcJournal() {
  if (out_ != nullptr) std::fclose(out_);
}

const std::vector<double>* AbcJournal::find(int generation, long attempt) const {
  const auto it = found_.find({generation, attempt});
  return it == found_.end() ? nullptr : &it->second;
}

void AbcJournal::add(int generation, long attempt, const std::vector<double>& unit,
                     const std::vector<double>& summary) {
  std::string line = std::to_string(generation) + "," + std::to_string(attempt);
  for (double v : unit) line += "," + csv_number(v);
  for (double v : summary) line += "," + (std::isnan(v) ? std::string("nan") : csv_number(v));
  line += "," + fnv1a_hex(line) + "\n";
  std::lock_guard lock(mutex_);
  std::fputs(line.c_str(), out_);
  std::fflush(out_);
}

}  // namespace linksim::detail
