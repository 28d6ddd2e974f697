// Files written by a run: summary.json, timeseries.csv, monthly.csv,
// replications.csv and scenario.yaml (long_form.cpp: the long-form files and
// units.json) (the resolved scenario, which reproduces
// the run). Every file goes to a temporary name first and is renamed into
// place, so an interrupted run never leaves a file that looks complete.
#include <unistd.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ensemble.hpp"
#include "linksim/experiment.hpp"
#include "metrics/files.hpp"

namespace linksim {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Writes `content` to a temporary name beside `path` (fsynced) and returns it;
// throws, leaving nothing behind, when it cannot.
fs::path write_temp(const fs::path& path, const std::string& content) {
  const fs::path tmp = path.string() + ".tmp." + std::to_string(::getpid());
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) {
    throw std::runtime_error("cannot write " + path.string() + ": " + std::strerror(errno));
  }
  const bool ok = std::fwrite(content.data(), 1, content.size(), f) == content.size() &&
                  std::fflush(f) == 0 && ::fsync(fileno(f)) == 0;
  const int err = errno;
  const bool closed = std::fclose(f) == 0;
  if (!ok || !closed) {
    std::remove(tmp.c_str());
    throw std::runtime_error("cannot write " + path.string() + ": " +
                             std::strerror(ok ? errno : err));
  }
  return tmp;
}

void rename_into_place(const fs::path& tmp, const fs::path& path) {
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    std::remove(tmp.c_str());
    throw std::runtime_error("cannot write " + path.string() + ": " + ec.message());
  }
}

}  // namespace

void write_file_atomic(const fs::path& path, const std::string& content) {
  rename_into_place(write_temp(path, content), path);
}

void detail::Staged::add(const fs::path& path, const std::string& content) {
  std::error_code ec;
  fs::create_directories(path.parent_path().empty() ? "." : path.parent_path(), ec);
  if (ec) {
    throw std::runtime_error("cannot write " + path.string() + ": " + ec.message());
  }
  if (fs::is_directory(path)) {
    throw std::runtime_error("cannot write " + path.string() + ": it is a folder");
  }
  files_.emplace_back(write_temp(path, content), path);
}

void detail::Staged::commit() {
  for (const auto& [tmp, path] : files_) rename_into_place(tmp, path);
  files_.clear();
}

detail::Staged::~Staged() {
  for (const auto& f : files_) std::remove(f.first.c_str());
}

std::string detail::csv_number(double v) {
  if (std::isnan(v)) return "";
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, end);
}

nlohmann::json detail::interval_json(const Interval& iv) {
  return {{"mean", iv.mean}, {"sd", iv.sd}, {"ci95_low", iv.lo}, {"ci95_high", iv.hi}, {"n", iv.n}};
}

namespace {

using detail::interval_json;
std::string num(double v) { return detail::csv_number(v); }

json metrics_json(const RunResult& r) {
  json out = json::object();
  for (std::size_t m = 0; m < metric_info().size(); ++m) {
    const auto& info = metric_info()[m];
    json j = interval_json(r.metrics[m]);
    j["unit"] = info.unit;
    j["description"] = info.doc;
    j["replications"] = json::array();
    for (const auto& rep : r.replications) j["replications"].push_back(rep.metrics[m]);
    out[info.name] = j;
  }
  return out;
}

// One row per period: the label, then every column's mean and interval.
json table_json(const std::vector<std::string>& labels, const char* label,
                const std::vector<ColumnInfo>& cols, const Eigen::MatrixXd& mean,
                const Eigen::MatrixXd& lo, const Eigen::MatrixXd& hi) {
  json rows = json::array();
  for (Eigen::Index i = 0; i < mean.rows(); ++i) {
    json row{{label, labels[static_cast<std::size_t>(i)]}};
    for (std::size_t c = 0; c < cols.size(); ++c) {
      const auto j = static_cast<Eigen::Index>(c);
      row[cols[c].name] = {{"mean", mean(i, j)}, {"ci95_low", lo(i, j)}, {"ci95_high", hi(i, j)}};
    }
    rows.push_back(row);
  }
  return rows;
}

std::string series_csv(const Eigen::MatrixXd& mean, const Eigen::MatrixXd& lo,
                       const Eigen::MatrixXd& hi, const std::vector<ColumnInfo>& cols,
                       const std::vector<std::string>& labels, const std::string& label_name,
                       bool with_index) {
  std::ostringstream out;
  if (with_index) out << "day,";
  out << label_name;
  for (const auto& c : cols) out << "," << c.name << "," << c.name << "_lo," << c.name << "_hi";
  out << "\n";
  for (Eigen::Index i = 0; i < mean.rows(); ++i) {
    if (with_index) out << i << ",";
    out << labels[i];
    for (Eigen::Index j = 0; j < mean.cols(); ++j) {
      out << "," << num(mean(i, j)) << "," << num(lo(i, j)) << "," << num(hi(i, j));
    }
    out << "\n";
  }
  return out.str();
}

// Model v2's intent sessions and the share met, one row per month and
// category (long form), each with its 95% interval.
std::string by_category_csv(const RunResult& r) {
  std::ostringstream out;
  out << "month,category,intent_sessions,intent_sessions_lo,intent_sessions_hi,met_share,"
         "met_share_lo,met_share_hi\n";
  for (Eigen::Index i = 0; i < r.by_category_mean.rows(); ++i) {
    for (std::size_t k = 0; k < r.scenario.categories.size(); ++k) {
      const auto c = static_cast<Eigen::Index>(2 * k);
      out << r.months[static_cast<std::size_t>(i)] << "," << r.scenario.categories[k].name;
      for (const Eigen::Index j : {c, c + 1}) {
        out << "," << num(r.by_category_mean(i, j)) << "," << num(r.by_category_lo(i, j)) << ","
            << num(r.by_category_hi(i, j));
      }
      out << "\n";
    }
  }
  return out.str();
}

}  // namespace

static json run_json(const RunResult& r, const std::string& scenario_yaml);

void detail::stage_run(Staged& files, const RunResult& r, const fs::path& dir) {
  std::vector<std::string> dates;
  for (int d = 0; d < r.scenario.calendar.days; ++d) {
    dates.push_back(format_date(r.scenario.calendar.start + d));
  }
  const std::string yaml = to_yaml(r.scenario);
  files.add(dir / "scenario.yaml", yaml);
  files.add(dir / "timeseries.csv",
            series_csv(r.daily_mean, r.daily_lo, r.daily_hi, daily_info(), dates, "date", true));
  files.add(dir / "monthly.csv", series_csv(r.monthly_mean, r.monthly_lo, r.monthly_hi,
                                            monthly_info(), r.months, "month", false));
  files.add(dir / "quarterly.csv", series_csv(r.quarterly_mean, r.quarterly_lo, r.quarterly_hi,
                                              quarterly_info(), r.quarters, "quarter", false));
  files.add(dir / "search_by_category.csv", by_category_csv(r));
  std::ostringstream reps;
  reps << "replication,seed";
  for (const auto& m : metric_info()) reps << "," << m.name;
  reps << "\n";
  for (const auto& rep : r.replications) {
    reps << rep.index << "," << rep.seed;
    for (double v : rep.metrics) reps << "," << num(v);
    reps << "\n";
  }
  files.add(dir / "replications.csv", reps.str());
  files.add(dir / "periods_long.csv", detail::periods_long_csv(r));
  files.add(dir / "daily_replications.csv", detail::daily_replications_csv(r));
  files.add(dir / "units.json", detail::units_json().dump(2) + "\n");
  // summary.json last: its presence marks a complete run.
  files.add(dir / "summary.json", run_json(r, yaml).dump(2) + "\n");
}

// Every file is written to a temporary name first; only when all are written
// are they renamed into place, summary.json last. A failure (a full disk, say)
// removes the temporary files and leaves an earlier run's files as they were.
void write_run(const RunResult& r, const fs::path& dir) {
  detail::Staged files;
  detail::stage_run(files, r, dir);
  files.commit();
}

static json run_json(const RunResult& r, const std::string& scenario_yaml) {
  return {{"linksim", {{"version", r.version}, {"commit", r.commit}}},
          {"scenario",
           {{"name", r.scenario.name},
            {"file", r.scenario.source.string()},
            {"seed", r.scenario.seed},
            {"resolved_yaml", scenario_yaml}}},
          {"replications", r.replications.size()},
          {"seconds", r.seconds},
          {"units", "money in fen (1/100 RMB); shares in [0, 1]"},
          {"metrics", metrics_json(r)},
          {"monthly", table_json(r.months, "month", monthly_info(), r.monthly_mean, r.monthly_lo,
                                 r.monthly_hi)},
          {"quarterly", table_json(r.quarters, "quarter", quarterly_info(), r.quarterly_mean,
                                   r.quarterly_lo, r.quarterly_hi)}};
}

void write_comparison(const Comparison& c, const fs::path& dir) {
  detail::Staged files;
  const auto folders = c.folders.empty() ? comparison_folders(c) : c.folders;
  for (std::size_t i = 0; i < c.runs.size(); ++i)
    detail::stage_run(files, c.runs[i], dir / folders[i]);
  json out{{"linksim", {{"version", version()}, {"commit", git_commit()}}},
           {"seed", c.runs.front().scenario.seed},
           {"replications", c.runs.front().replications.size()},
           {"baseline", c.runs.front().scenario.name},
           {"scenarios", json::array()}};
  std::ostringstream csv;
  csv << "scenario,metric,unit,mean,ci95_low,ci95_high,diff_mean,diff_ci95_low,diff_ci95_high,"
         "unpaired_ci95_low,unpaired_ci95_high,relative_change,significant\n";
  for (std::size_t i = 0; i < c.runs.size(); ++i) {
    const RunResult& r = c.runs[i];
    json sj{{"name", r.scenario.name},
            {"folder", folders[i]},
            {"file", r.scenario.source.string()},
            {"metrics", json::object()}};
    for (std::size_t m = 0; m < metric_info().size(); ++m) {
      const auto& info = metric_info()[m];
      const Difference& d = c.differences[i][m];
      json mj = interval_json(r.metrics[m]);
      mj["unit"] = info.unit;
      if (i > 0) {
        mj["paired_difference"] = interval_json(d.diff);
        mj["unpaired_difference"] = interval_json(d.unpaired);
        mj["relative_change"] = d.relative;
        mj["significant"] = d.significant;
      }
      sj["metrics"][info.name] = mj;
      csv << r.scenario.name << "," << info.name << "," << info.unit << ","
          << num(r.metrics[m].mean) << "," << num(r.metrics[m].lo) << "," << num(r.metrics[m].hi);
      if (i > 0) {
        csv << "," << num(d.diff.mean) << "," << num(d.diff.lo) << "," << num(d.diff.hi) << ","
            << num(d.unpaired.lo) << "," << num(d.unpaired.hi) << "," << num(d.relative) << ","
            << (d.significant ? "true" : "false");
      } else {
        csv << ",,,,,,,";
      }
      csv << "\n";
    }
    out["scenarios"].push_back(sj);
  }
  files.add(dir / "comparison.csv", csv.str());
  files.add(dir / "comparison_daily.csv", detail::comparison_daily_csv(c, folders));
  files.add(dir / "comparison.json", out.dump(2) + "\n");
  files.commit();
}

}  // namespace linksim

namespace linksim::detail {

std::string input_file_problem(const std::filesystem::path& p, std::uintmax_t max_bytes) {
  std::error_code ec;
  const fs::file_status st = fs::status(p, ec);
  if (ec || !fs::exists(st)) return "it does not exist";
  if (fs::is_directory(st)) return "it is a folder";
  if (!fs::is_regular_file(st)) return "it is not a regular file (a FIFO, a device or a socket)";
  const std::uintmax_t size = fs::file_size(p, ec);
  if (!ec && size > max_bytes) {
    return "it is " + std::to_string(size >> 20) + " MiB, over the limit of " +
           std::to_string(max_bytes >> 20) + " MiB for this kind of file";
  }
  return "";
}

std::size_t invalid_utf8(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  for (std::size_t i = 0; i < n;) {
    const unsigned c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    unsigned lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;  // overlong
      if (c == 0xED) hi = 0x9F;  // surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;  // overlong
      if (c == 0xF4) hi = 0x8F;  // past U+10FFFF
    } else {
      return i;
    }
    if (i + len > n || s[i + 1] < lo || s[i + 1] > hi) return i;
    for (std::size_t k = 2; k < len; ++k) {
      if (s[i + k] < 0x80 || s[i + k] > 0xBF) return i;
    }
    i += len;
  }
  return std::string_view::npos;
}

std::string line_column(std::string_view text, std::size_t offset) {
  int line = 1;
  std::size_t start = 0;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      start = i + 1;
    }
  }
  return std::to_string(line) + ":" + std::to_string(offset - start + 1);
}

std::string read_text(const std::filesystem::path& p, std::uintmax_t max_bytes) {
  if (const std::string problem = input_file_problem(p, max_bytes); !problem.empty()) {
    throw std::runtime_error("cannot read " + p.string() + ": " + problem);
  }
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

std::size_t display_width(std::string_view text) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    const std::size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    n += len == 3 ? 2 : 1;
    i += len;
  }
  return n;
}

std::string fnv1a_hex(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace linksim::detail
