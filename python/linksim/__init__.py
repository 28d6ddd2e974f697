"""linksim for notebooks: closed loop or open links, in pandas.

    import linksim
    closed = linksim.load("scenarios/closed_loop.yaml", set={"population.scale": 0.1})
    opened = linksim.load("scenarios/open_links.yaml", set={"population.scale": 0.1})
    c = linksim.compare([closed, opened])
    c.differences            # the paired differences, one row per scenario and metric
    c.daily_differences()    # open - closed per day and replication, tidy

The numbers are the command line's, bit for bit, for the same scenario and
seed: both call the same C++ library. Tables are pandas DataFrames in tidy
long form (one row per period, replication and metric, with its unit);
money is in RMB (the files of the command line hold fen, 1/100 RMB).
"""

from __future__ import annotations

import io
import json
import os
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from . import _linksim

__all__ = [
    "Scenario",
    "ScenarioError",
    "Problem",
    "RunResult",
    "Comparison",
    "load",
    "load_text",
    "run",
    "compare",
    "sweep",
    "SweepResult",
    "Simulation",
    "sensitivity",
    "SensitivityResult",
    "calibrate",
    "CalibrationResult",
    "PosteriorResult",
    "forecast",
    "ForecastResult",
    "set_log_level",
    "version",
]

__version__ = _linksim.version()


def version() -> str:
    """linksim's version and the commit it was built from."""
    return f"{_linksim.version()} ({_linksim.git_commit()})"


@dataclass(frozen=True)
class Problem:
    """One problem of a scenario: where it is, the key, and what is wrong."""

    file: str
    line: int
    column: int
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}: " if self.line else (
            f"{self.file}: " if self.file else "")
        return where + (f"{self.key}: " if self.key else "") + self.message


class ScenarioError(_linksim.ScenarioError):
    """An invalid scenario: every problem, each with file, line, column, key
    and message. The attributes of the first problem are the exception's own
    (e.file, e.line, e.column, e.key, e.message); e.problems lists them all."""

    def __init__(self, text: str, problems: Sequence[Problem]):
        super().__init__(text)
        self.problems = list(problems)
        first = self.problems[0] if self.problems else Problem("", 0, 0, "", text)
        self.file, self.line, self.column = first.file, first.line, first.column
        self.key, self.message = first.key, first.message


def _problems(raw: Iterable[Mapping[str, Any]]) -> list[Problem]:
    return [Problem(p["file"], p["line"], p["column"], p["key"], p["message"]) for p in raw]


def _call(f, *args, **kwargs):
    """Calls into the library, raising linksim.ScenarioError for its errors."""
    try:
        return f(*args, **kwargs)
    except ScenarioError:
        raise
    except _linksim.ScenarioError as e:
        text, raw = e.args
        raise ScenarioError(text, _problems(raw)) from None


def _yaml_value(value: Any) -> str:
    """A Python value as the YAML of a --set override."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return repr(float(value)) if isinstance(value, (float, np.floating)) else str(int(value))
    if isinstance(value, str):
        return value
    return json.dumps(value)  # lists and maps: JSON is YAML


def _overrides(values: Mapping[str, Any] | None) -> list[str]:
    return [f"{k}={_yaml_value(v)}" for k, v in (values or {}).items()]


class Scenario:
    """A resolved, valid scenario. Read a key with s["buyers.session_rate"] or
    s.get(...); s.set(key, value) (or s.with_values({...})) returns a changed
    copy, checked exactly as --set KEY=VALUE is; keys are written as for
    --set, list items by index ("policy.0.taobao.fee")."""

    def __init__(self, native: _linksim.Scenario):
        self._native = native

    @property
    def name(self) -> str:
        return self._native.name

    @property
    def source(self) -> str:
        """The file it was loaded from ("" when built from text)."""
        return self._native.source

    def get(self, key: str) -> Any:
        return json.loads(_call(self._native.get, key))

    __getitem__ = get

    def set(self, key: str, value: Any) -> "Scenario":
        return Scenario(_call(self._native.with_value, key, _yaml_value(value)))

    def with_values(self, values: Mapping[str, Any]) -> "Scenario":
        s = self
        for k, v in values.items():
            s = s.set(k, v)
        return s

    def validate(self) -> list[Problem]:
        """Every problem of the scenario; empty when it is valid."""
        return _problems(self._native.validate())

    def to_yaml(self) -> str:
        """The scenario with every key filled in; loading it gives it back."""
        return self._native.to_yaml()

    def __repr__(self) -> str:
        return f"<linksim.Scenario {self.name!r} from {self.source or 'text'}>"


def load(path: str | os.PathLike, set: Mapping[str, Any] | None = None) -> Scenario:
    """Loads a scenario file (following `extends`), applies `set` as --set
    overrides, and validates it all: raises ScenarioError with every problem."""
    return Scenario(_call(_linksim.load, os.fspath(path), _overrides(set)))


def load_text(text: str, name: str = "<text>", set: Mapping[str, Any] | None = None) -> Scenario:
    """A scenario from YAML text; `name` stands for the file in messages (and
    resolves `extends`)."""
    return Scenario(_call(_linksim.load_text, text, name, _overrides(set)))


_COLUMNS = _linksim.columns()


def _units(kind: str) -> tuple[list[str], list[str]]:
    cols = _COLUMNS[kind]
    return [c[0] for c in cols], [c[1] for c in cols]


def _money(values: np.ndarray, units: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """fen to RMB, column by column: money in RMB."""
    fen = np.array([u == "fen" for u in units])
    out = np.array(values, dtype=float, copy=True)
    if out.ndim == 2:
        out[:, fen] = out[:, fen] / 100.0
    else:
        out[fen] = out[fen] / 100.0
    return out, ["RMB" if u == "fen" else u for u in units]


def _long(matrices: Sequence[tuple[int, int, np.ndarray]], labels: Sequence[str], label: str,
          kind: str) -> pd.DataFrame:
    """Per-replication matrices (periods x columns) as one tidy table."""
    names, units = _units(kind)
    frames = []
    for index, seed, m in matrices:
        if m.size == 0:
            continue
        values, unit = _money(m, units)
        periods = len(values)
        frames.append(pd.DataFrame({
            label: np.repeat(np.asarray(labels[:periods], dtype=object), len(names)),
            "replication": index,
            "seed": np.uint64(seed),
            "metric": np.tile(names, periods),
            "unit": np.tile(unit, periods),
            "value": values.reshape(-1),
        }))
    if not frames:
        return pd.DataFrame(columns=[label, "replication", "seed", "metric", "unit", "value"])
    return pd.concat(frames, ignore_index=True)


@dataclass
class RunResult:
    """A scenario's replications. Every table is tidy: one row per
    (period,) replication and metric, with the unit; money in RMB.

    metrics   -- one row per replication and metric (replications.csv, long)
    summary   -- one row per metric: mean, sd, 95% interval, n
    daily     -- every replication's daily series (daily_replications.csv, long)
    monthly   -- every replication's monthly table
    quarterly -- every replication's quarterly table
    """

    name: str
    seed: int
    version: str
    seconds: float
    _raw: dict = field(repr=False)

    @classmethod
    def _from(cls, raw: dict) -> "RunResult":
        return cls(raw["name"], raw["seed"], f"{raw['version']} ({raw['commit']})",
                   raw["seconds"], raw)

    @property
    def replications(self) -> int:
        return len(self._raw["replications"])

    @property
    def metrics(self) -> pd.DataFrame:
        names, units = _units("metrics")
        rows = []
        for rep in self._raw["replications"]:
            values, unit = _money(np.asarray(rep["metrics"], dtype=float), units)
            rows.append(pd.DataFrame({"replication": rep["index"], "seed": np.uint64(rep["seed"]),
                                      "metric": names, "unit": unit, "value": values}))
        return pd.concat(rows, ignore_index=True)

    @property
    def summary(self) -> pd.DataFrame:
        names, units = _units("metrics")
        table = pd.DataFrame(self._raw["summary"])
        table.insert(0, "metric", names)
        table.insert(1, "unit", ["RMB" if u == "fen" else u for u in units])
        money = table["unit"] == "RMB"
        for c in ("mean", "sd", "ci95_low", "ci95_high"):
            table.loc[money, c] = table.loc[money, c] / 100.0
        table["headline"] = [i in set(_COLUMNS["headline"]) for i in range(len(names))]
        return table

    def _series(self, key: str, labels: Sequence[str], label: str) -> pd.DataFrame:
        reps = [(r["index"], r["seed"], np.asarray(r[key])) for r in self._raw["replications"]]
        return _long(reps, labels, label, key)

    @property
    def daily(self) -> pd.DataFrame:
        table = self._series("daily", self._raw["dates"], "date")
        table.insert(0, "day", table["date"].map({d: i for i, d in enumerate(self._raw["dates"])}))
        return table

    @property
    def monthly(self) -> pd.DataFrame:
        return self._series("monthly", self._raw["months"], "month")

    @property
    def quarterly(self) -> pd.DataFrame:
        return self._series("quarterly", self._raw["quarters"], "quarter")

    def metric(self, name: str) -> pd.Series:
        """One metric's value per replication (indexed by replication)."""
        m = self.metrics
        return m[m.metric == name].set_index("replication")["value"]


@dataclass
class Comparison:
    """Scenarios run with the first one's seeds (common random numbers).

    runs        -- each scenario's RunResult, in the order given
    differences -- per scenario and metric: the paired difference to the
                   first scenario (mean, 95% interval), the unpaired interval
                   for contrast, the relative change and whether the paired
                   interval excludes zero
    """

    runs: list[RunResult]
    differences: pd.DataFrame

    @property
    def baseline(self) -> RunResult:
        return self.runs[0]

    def daily_differences(self, metrics: Sequence[str] | None = None) -> pd.DataFrame:
        """Each scenario minus the baseline, day by day and replication by
        replication (the same seeds): tidy, one row per scenario, day,
        replication and metric."""
        return self._differences("daily", ["day", "date"], metrics)

    def monthly_differences(self, metrics: Sequence[str] | None = None) -> pd.DataFrame:
        return self._differences("monthly", ["month"], metrics)

    def _differences(self, kind: str, periods: list[str], metrics) -> pd.DataFrame:
        keys = periods + ["replication", "seed", "metric", "unit"]
        base = getattr(self.baseline, kind)
        if metrics is not None:
            base = base[base.metric.isin(metrics)]
        frames = []
        for other in self.runs[1:]:
            table = getattr(other, kind)
            if metrics is not None:
                table = table[table.metric.isin(metrics)]
            merged = table.merge(base, on=keys, suffixes=("", "_baseline"))
            merged["difference"] = merged["value"] - merged["value_baseline"]
            merged.insert(0, "scenario", other.name)
            frames.append(merged[["scenario"] + keys + ["difference"]])
        return pd.concat(frames, ignore_index=True)


def _progress(show: bool | None, total_label: str):
    """A tqdm bar when tqdm is installed and progress is wanted, else None."""
    if show is False:
        return None, None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None, None
    bar = tqdm(total=100, desc=total_label, unit="%", leave=False,
               bar_format="{l_bar}{bar}| {n:.0f}% [{elapsed}<{remaining}]")

    def update(fraction: float) -> None:
        bar.n = round(100 * fraction, 1)
        bar.refresh()

    return bar, update


def _simulate(f, label: str, progress: bool | None, *args):
    bar, update = _progress(progress, label)
    try:
        return _call(f, *args, update)
    finally:
        if bar is not None:
            bar.close()


def _scenario(s: Scenario | str | os.PathLike) -> Scenario:
    return s if isinstance(s, Scenario) else load(s)


def run(scenario: Scenario | str | os.PathLike, replications: int | None = None,
        threads: int | None = None, progress: bool | None = None) -> RunResult:
    """Runs a scenario's replications (its own count, or `replications`) on
    `threads` threads (all cores by default; the results do not depend on it).
    Progress through tqdm when it is installed (progress=False: none);
    Ctrl-C raises KeyboardInterrupt within a simulated day."""
    s = _scenario(scenario)
    raw = _simulate(_linksim.run, s.name, progress, s._native, replications or 0, threads or 0)
    return RunResult._from(raw)


def compare(scenarios: Sequence[Scenario | str | os.PathLike], replications: int | None = None,
            threads: int | None = None, progress: bool | None = None) -> Comparison:
    """Runs every scenario with the first one's seed and replication count
    (common random numbers) and measures each against the first, replication
    by replication. As `linksim compare`."""
    loaded = [_scenario(s) for s in scenarios]
    if len(loaded) < 2:
        raise ValueError("compare needs at least two scenarios (the first is the baseline)")
    raw = _simulate(_linksim.compare, " vs ".join(s.name for s in loaded), progress,
                    [s._native for s in loaded], replications or 0, threads or 0)
    runs = [RunResult._from(r) for r in raw["runs"]]
    names, units = _units("metrics")
    rows = []
    for run_result, diffs in zip(runs[1:], raw["differences"][1:]):
        for name, unit, d in zip(names, units, diffs):
            scale = 100.0 if unit == "fen" else 1.0
            rows.append({
                "scenario": run_result.name, "baseline": runs[0].name, "metric": name,
                "unit": "RMB" if unit == "fen" else unit,
                "diff_mean": d["diff"]["mean"] / scale,
                "diff_ci95_low": d["diff"]["ci95_low"] / scale,
                "diff_ci95_high": d["diff"]["ci95_high"] / scale,
                "unpaired_ci95_low": d["unpaired"]["ci95_low"] / scale,
                "unpaired_ci95_high": d["unpaired"]["ci95_high"] / scale,
                "relative_change": d["relative"], "significant": d["significant"],
            })
    return Comparison(runs, pd.DataFrame(rows))


@dataclass
class SweepResult:
    """A scenario at every point of a grid, each point with the base seed
    (common random numbers across points), as `linksim sweep`.

    points  -- one row per point: its values of the varied keys
    metrics -- every point's replications: point, the keys, replication,
               seed, metric, unit, value (money in RMB)
    summary -- per point and metric: mean and 95% interval, and the paired
               difference to the point's baseline (the first value of the
               first key, the other keys as at the point) with its interval
    """

    name: str
    axes: list[str]
    seconds: float
    _raw: dict = field(repr=False)

    @property
    def points(self) -> pd.DataFrame:
        rows = [dict(zip(self.axes, p["values"]), point=i) for i, p in enumerate(self._raw["points"])]
        return pd.DataFrame(rows, columns=["point"] + self.axes)

    @property
    def metrics(self) -> pd.DataFrame:
        names, units = _units("metrics")
        frames = []
        for i, p in enumerate(self._raw["points"]):
            for rep, (values, seed) in enumerate(zip(p["replications"], p["seeds"])):
                v, unit = _money(np.asarray(values, dtype=float), units)
                frame = pd.DataFrame({"point": i, "replication": rep, "seed": np.uint64(seed),
                                      "metric": names, "unit": unit, "value": v})
                for key, value in zip(self.axes, p["values"]):
                    frame.insert(1, key, value)
                frames.append(frame)
        return pd.concat(frames, ignore_index=True)

    @property
    def summary(self) -> pd.DataFrame:
        results = json.loads(self._raw["sweep_json"])["results"]
        rows = []
        for p in results:
            for name, m in p["metrics"].items():
                scale = 100.0 if m["unit"] == "fen" else 1.0
                d = m["paired_difference"]

                def rmb(v, scale=scale):
                    return np.nan if v is None else v / scale

                rows.append({"point": p["point"], **dict(zip(self.axes, p["values"])),
                             "metric": name, "unit": "RMB" if m["unit"] == "fen" else m["unit"],
                             "mean": rmb(m["mean"]), "ci95_low": rmb(m["ci95_low"]),
                             "ci95_high": rmb(m["ci95_high"]), "n": m["n"],
                             "baseline_point": p["baseline_point"], "diff_mean": rmb(d["mean"]),
                             "diff_ci95_low": rmb(d["ci95_low"]),
                             "diff_ci95_high": rmb(d["ci95_high"])})
        return pd.DataFrame(rows)


def _axis(key: str, values: Any) -> str:
    """One --vary argument: KEY=v1,v2,... from a list, or the text itself
    ("0:0.2:5", FROM:TO:POINTS)."""
    if isinstance(values, str):
        return f"{key}={values}"
    return f"{key}=" + ",".join(_yaml_value(v) for v in values)


def sweep(scenario: Scenario | str | os.PathLike, vary: Mapping[str, Any],
          replications: int | None = None, threads: int | None = None,
          progress: bool | None = None) -> SweepResult:
    """Runs the scenario at every point of the grid `vary` spans (the
    cartesian product of the keys' values, the first key varying slowest):
    vary={"policy.0.taobao.fee": [0, 0.1, 0.2]} or {"...fee": "0:0.2:5"}
    (FROM:TO:POINTS). As `linksim sweep` with --vary, bit for bit."""
    s = _scenario(scenario)
    if replications:
        s = s.set("replications", replications)
    raw = _simulate(_linksim.sweep, f"sweep of {s.name}", progress, s._native,
                    [_axis(k, v) for k, v in vary.items()], threads or 0)
    return SweepResult(raw["name"], raw["axes"], raw["seconds"], raw)


class Simulation:
    """One replication, stepped day by day, its world open to inspection
    between steps (as Mesa's model.step()). Replication r with the scenario's
    seed is the one `run` simulates as replication r, bit for bit.

        sim = linksim.Simulation(scenario, replication=0)
        sim.step(30)
        sim.merchants.groupby("origin").active.sum()
    """

    def __init__(self, scenario: Scenario | str | os.PathLike, replication: int = 0,
                 threads: int = 1):
        self.scenario = _scenario(scenario)
        self._native = _call(_linksim.Simulation, self.scenario._native, replication, threads)

    @property
    def day(self) -> int:
        """The next day to simulate, from calendar.start (negative in the warm-up)."""
        return self._native.day

    @property
    def done(self) -> bool:
        return self._native.done

    def step(self, days: int = 1) -> "Simulation":
        """Simulates `days` days (fewer at the end of the horizon); Ctrl-C
        stops between days."""
        self._native.step(days)
        return self

    def run_to_end(self) -> "Simulation":
        while not self.done:
            self.step(30)
        return self

    def view(self) -> dict:
        """Counts and every agent's state, as plain arrays."""
        return self._native.view()

    @property
    def merchants(self) -> pd.DataFrame:
        return pd.DataFrame(self.view()["merchants"])

    @property
    def streamers(self) -> pd.DataFrame:
        table = pd.DataFrame(self.view()["streamers"])
        table["income_rmb"] = table.pop("income_fen") / 100.0
        return table

    @property
    def buyers(self) -> pd.DataFrame:
        return pd.DataFrame(self.view()["buyers"])

    @property
    def metrics(self) -> pd.DataFrame:
        """The replication's metrics, once it has run to the end."""
        if not self.done:
            raise RuntimeError(f"the simulation is at day {self.day}: run it to the end first")
        names, units = _units("metrics")
        values, unit = _money(np.asarray(self._native.metrics(), dtype=float), units)
        return pd.DataFrame({"metric": names, "unit": unit, "value": values})

    def __repr__(self) -> str:
        return f"<linksim.Simulation of {self.scenario.name!r} at day {self.day}>"


def set_log_level(level: str) -> None:
    """The library's log level: trace, debug, info, warn (the default here),
    error or off. Logs go to stderr."""
    _linksim.set_log_level(level)


set_log_level("warn")


def _ranges(ranges: Mapping[str, Sequence[float]]) -> list[str]:
    return [f"{k}={_yaml_value(lo)}:{_yaml_value(hi)}" for k, (lo, hi) in ranges.items()]


def _sets(block: str, **values: Any) -> list[str]:
    return [f"{block}.{k}={_yaml_value(v)}" for k, v in values.items() if v is not None]


@dataclass
class SensitivityResult:
    """Which assumptions move the headline metrics (or, with `compare`, the
    paired difference between two policies), as `linksim sensitivity`.

    indices -- metric, unit, factor, index (mu_star, mu, sigma for Morris;
               first, total for Sobol'), estimate and its 95% bootstrap
               interval; Morris effects of money in RMB
    ranking -- per metric, the factors from the most to the least influential
    design  -- each design row's factor values and the quantity analysed
    """

    method: str
    quantity: str
    raw: dict = field(repr=False)

    @property
    def indices(self) -> pd.DataFrame:
        rows = []
        for metric, r in self.raw["results"].items():
            money = r["unit"] == "fen" and self.method == "morris"
            for factor, idx in r["factors"].items():
                for name, x in idx.items():
                    lo, hi = (x.get("ci95") or [None, None])
                    scale = 100.0 if money else 1.0
                    rows.append({"metric": metric,
                                 "unit": ("RMB" if money else r["unit"]) if self.method == "morris"
                                 else "fraction of the variance",
                                 "factor": factor, "index": name,
                                 "estimate": _div(x["estimate"], scale),
                                 "ci95_low": _div(lo, scale), "ci95_high": _div(hi, scale)})
        return pd.DataFrame(rows)

    @property
    def ranking(self) -> dict[str, list[str]]:
        return {m: r["ranking"] for m, r in self.raw["results"].items()}

    @property
    def design(self) -> pd.DataFrame:
        keys = [a["key"] for a in self.raw["axes"]]
        table = pd.DataFrame(self.raw["design"]["values"], columns=keys)
        for metric, r in self.raw["results"].items():
            scale = 100.0 if r["unit"] == "fen" else 1.0
            table[metric] = [_div(v, scale) for v in r.get("rows", [])]
        table.index.name = "row"
        return table.reset_index()


def _div(v, scale):
    return np.nan if v is None else v / scale


def sensitivity(scenario: Scenario | str | os.PathLike, vary: Mapping[str, Sequence[float]],
                method: str | None = None, samples: int | None = None,
                levels: int | None = None, bootstrap: int | None = None,
                compare: Scenario | str | os.PathLike | None = None,
                replications: int | None = None, threads: int | None = None,
                progress: bool | None = None) -> SensitivityResult:
    """Morris screening (method="morris", the default) or Sobol' indices
    (method="sobol") of the headline metrics over the factors' ranges,
    vary={key: (from, to)}; with `compare`, of the paired difference
    compare minus scenario. As `linksim sensitivity`, bit for bit."""
    s = _scenario(scenario)
    other = None if compare is None else _scenario(compare)
    sets = _sets("sensitivity", method=method, samples=samples, levels=levels,
                 bootstrap=bootstrap)
    if replications:
        sets.append(f"replications={int(replications)}")
    text = _simulate(_linksim.sensitivity, f"sensitivity of {s.name}", progress, s._native,
                     None if other is None else other._native, sets, _ranges(vary),
                     threads or 0)
    raw = json.loads(text)
    return SensitivityResult(raw["design"]["method"], raw["quantity"], raw)


@dataclass
class CalibrationResult:
    """A fit of the free keys to an observed series, as `linksim calibrate`.

    keys      -- key, range, start, fitted value and its 95% interval, flags
    fit       -- per target row: the target, the model at the fitted values
                 and its interval, the scaled error (money in RMB)
    trace     -- the optimiser's evaluations: values, loss, best so far
    scenario  -- the scenario with the fitted values set
    converged -- whether the fit reached the tolerance (message says why not)
    """

    converged: bool
    message: str
    rms: float
    scenario: Scenario
    raw: dict = field(repr=False)

    @property
    def keys(self) -> pd.DataFrame:
        rows = []
        for k in self.raw["free"]:
            lo, hi = (k.get("ci95") or [None, None])
            rows.append({"key": k["key"], "from": k["from"], "to": k["to"], "start": k["start"],
                         "value": k["value"], "ci95_low": _div(lo, 1), "ci95_high": _div(hi, 1),
                         "at_bound": k["at_bound"], "identified": k["identified"]})
        return pd.DataFrame(rows)

    @property
    def fit(self) -> pd.DataFrame:
        rows = []
        for f in self.raw["fit"]:
            scale = 100.0 if f["unit"] == "fen" else 1.0
            lo, hi = (f.get("ci95") or [None, None])
            rows.append({"period": f["period"], "metric": f["metric"],
                         "unit": "RMB" if f["unit"] == "fen" else f["unit"],
                         "target": _div(f["target"], scale), "model": _div(f["model"], scale),
                         "ci95_low": _div(lo, scale), "ci95_high": _div(hi, scale),
                         "weight": f["weight"], "scaled_error": f["scaled_error"]})
        return pd.DataFrame(rows)

    @property
    def trace(self) -> pd.DataFrame:
        keys = [k["key"] for k in self.raw["free"]]
        rows = [dict(zip(keys, t["values"]), evaluation=t["evaluation"], loss=t["loss"],
                     best=t["best"]) for t in self.raw["trace"]]
        return pd.DataFrame(rows, columns=["evaluation"] + keys + ["loss", "best"])


def _money_scale(unit: str) -> tuple[float, str]:
    """fen -> (100, "RMB"); any other unit as it is."""
    return (100.0, "RMB") if unit == "fen" else (1.0, unit)


@dataclass
class PosteriorResult:
    """A Bayesian calibration (abc-smc), as `linksim calibrate --method abc-smc`.

    keys        -- per free key: prior and range, posterior mean, sd, median
                   and quantiles (q05, q25, q75, q95)
    correlation -- the posterior correlation of the keys
    particles   -- the last generation: each particle's key values and weight
    generations -- per generation: tolerance, attempts, simulated, accepted,
                   acceptance rate and effective sample size
    fit         -- per target row: the target and the posterior predictive
                   median and 90% band (money in RMB)
    scenario    -- the scenario at the posterior medians
    stop        -- why it stopped
    raw         -- posterior.json, which `forecast` and `linksim forecast
                   --posterior` read (save() writes it)
    """

    stop: str
    scenario: Scenario
    raw: dict = field(repr=False)

    @property
    def keys(self) -> pd.DataFrame:
        return pd.DataFrame(self.raw["keys"], columns=["key", "prior", "from", "to", "mean", "sd",
                                                       "median", "q05", "q25", "q75", "q95"])

    @property
    def correlation(self) -> pd.DataFrame:
        names = [k["key"] for k in self.raw["keys"]]
        return pd.DataFrame(self.raw["correlation"], index=names, columns=names)

    @property
    def particles(self) -> pd.DataFrame:
        names = [k["key"] for k in self.raw["keys"]]
        table = pd.DataFrame(self.raw["particles"]["values"], columns=names)
        table["weight"] = self.raw["particles"]["weights"]
        table.index.name = "particle"
        return table.reset_index()

    @property
    def generations(self) -> pd.DataFrame:
        table = pd.DataFrame(self.raw["generations"])
        table["epsilon"] = pd.to_numeric(table["epsilon"].replace("inf", np.inf))
        return table

    @property
    def fit(self) -> pd.DataFrame:
        rows = []
        for f in self.raw["fit"]:
            scale, unit = _money_scale(f["unit"])
            rows.append({"period": f["period"], "metric": f["metric"], "unit": unit,
                         "target": _div(f["target"], scale), "median": _div(f["median"], scale),
                         "q05": _div(f["q05"], scale), "q95": _div(f["q95"], scale),
                         "weight": f["weight"]})
        return pd.DataFrame(rows)

    def save(self, path: str | os.PathLike) -> None:
        """Writes posterior.json (for `linksim forecast --posterior PATH`)."""
        with open(path, "w", encoding="utf-8") as out:
            json.dump(self.raw, out, indent=2)
            out.write("\n")


def calibrate(scenario: Scenario | str | os.PathLike, free: Mapping[str, Sequence[float]],
              target: str | os.PathLike, method: str | None = None,
              evaluations: int | None = None, tolerance: float | None = None,
              bootstrap: int | None = None, particles: int | None = None,
              generations: int | None = None, quantile: float | None = None,
              min_acceptance: float | None = None, replications: int | None = None,
              threads: int | None = None,
              progress: bool | None = None) -> CalibrationResult | PosteriorResult:
    """Fits the free keys, free={key: (from, to)}, so that the model's monthly
    or quarterly metrics reproduce `target` (a CSV of period, metric, value
    and optional weight, unit, note, source), with NLopt (method bobyqa, the
    default, neldermead or sbplx): a CalibrationResult. With method="abc-smc"
    (particles, generations, quantile, min_acceptance), the Bayesian posterior
    by sequential Monte Carlo ABC: a PosteriorResult, for `forecast`. As
    `linksim calibrate`, bit for bit."""
    s = _scenario(scenario)
    sets = _sets("calibration", method=method, evaluations=evaluations, tolerance=tolerance,
                 bootstrap=bootstrap, particles=particles, generations=generations,
                 quantile=quantile, min_acceptance=min_acceptance)
    if replications:
        sets.append(f"replications={int(replications)}")
    text = _simulate(_linksim.calibrate, f"calibration of {s.name}", progress, s._native,
                     os.fspath(target), sets, _ranges(free), threads or 0)
    raw = json.loads(text)
    if raw.get("kind") == "posterior":
        medians = s.with_values({k["key"]: k["median"] for k in raw["keys"]})
        return PosteriorResult(raw["stop"], medians, raw)
    fitted = s.with_values({k["key"]: k["value"] for k in raw["free"]})
    return CalibrationResult(raw["status"] == "converged", raw["message"], raw["rms"], fitted, raw)


@dataclass
class ForecastResult:
    """The scenario (and with `compare` the other policy, draw by draw at the
    same values and seed) run at posterior draws, as `linksim forecast`.

    quarterly   -- tidy: series (the scenario's name, the other's, or
                   "difference": other minus scenario), quarter, metric,
                   unit, median and the 50% and 90% bands (money in RMB)
    yearly      -- the same per whole calendar year: GMV at platform scale
                   and its year-on-year growth
    hinges      -- with `compare`: per year and key, the rank correlation of
                   the key's value with the year's difference in GMV
    draws       -- per draw: the particle, seed, key values and each year's
                   GMV at platform scale (RMB)
    raw         -- forecast.json
    """

    draws: pd.DataFrame
    raw: dict = field(repr=False)

    def _bands(self, period: str, label: str) -> pd.DataFrame:
        rows = []
        units = self.raw["units_of"]
        for entry in self.raw[period]:
            for series, metrics in entry.items():
                if series in (label, "difference_rank_correlation"):
                    continue
                for metric, band in metrics.items():
                    scale, unit = _money_scale(units.get(metric, ""))
                    rows.append({"series": series, label: entry[label], "metric": metric,
                                 "unit": unit, **{b: _div(band[b], scale) for b in _BANDS}})
        return pd.DataFrame(rows, columns=["series", label, "metric", "unit", *_BANDS])

    @property
    def quarterly(self) -> pd.DataFrame:
        return self._bands("quarterly", "quarter")

    @property
    def yearly(self) -> pd.DataFrame:
        return self._bands("yearly", "year")

    @property
    def hinges(self) -> pd.DataFrame:
        rows = [dict(year=y["year"], key=k, rank_correlation=_div(v, 1))
                for y in self.raw["yearly"]
                for k, v in y.get("difference_rank_correlation", {}).items()]
        return pd.DataFrame(rows, columns=["year", "key", "rank_correlation"])


def forecast(scenario: Scenario | str | os.PathLike,
             posterior: PosteriorResult | str | os.PathLike,
             compare: Scenario | str | os.PathLike | None = None, draws: int | None = None,
             threads: int | None = None, progress: bool | None = None) -> ForecastResult:
    """Runs the scenario at `draws` draws of the posterior (a PosteriorResult
    or a posterior.json), each one replication with its own seed; with
    `compare`, the other scenario at the same draws and seeds, so that the
    difference is paired. As `linksim forecast`, bit for bit."""
    s = _scenario(scenario)
    other = None if compare is None else _scenario(compare)
    if isinstance(posterior, PosteriorResult):
        text = json.dumps(posterior.raw)
    else:
        with open(posterior, encoding="utf-8") as f:
            text = f.read()
    raw = _simulate(_linksim.forecast, f"forecast of {s.name}", progress, s._native, text,
                    None if other is None else other._native, int(draws or 0), threads or 0)
    manifest = json.loads(raw["forecast_json"])
    manifest["units_of"] = _forecast_units()
    table = pd.read_csv(io.StringIO(raw["draws_csv"]), dtype={"seed": "uint64"})
    for column in table.columns:
        if column.startswith(("gmv_platform_", "compare_gmv_platform_")):
            table[column] = table[column] / 100.0
    return ForecastResult(table, manifest)


_BANDS = ("median", "q05", "q25", "q75", "q95")


def _forecast_units() -> dict[str, str]:
    """Each quarterly metric's unit (fen, share, count, ...)."""
    return dict(zip(*_units("quarterly")))
