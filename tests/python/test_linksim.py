"""The Python module against the command line: the same numbers, bit for bit,
for the same scenario and seed; scenarios read, changed and validated
through the key table; errors as linksim.ScenarioError with file, line,
column and key; Ctrl-C as KeyboardInterrupt within a second; the GIL free
while simulating. Run by ctest (Python.pytest) with PYTHONPATH at the
build's python folder."""

import _thread
import csv
import json
import os
import subprocess
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import linksim

SOURCE = Path(os.environ.get("LINKSIM_SOURCE_DIR", Path(__file__).resolve().parents[2]))
BINARY = os.environ.get("LINKSIM_BINARY", str(SOURCE / "build/release/engine/linksim"))
SCENARIOS = SOURCE / "scenarios"
SMALL = {"population.buyers": 3000, "buyers.arrivals.per_day": 6, "population.merchants": 80,
         "population.streamers": 20, "calendar.days": 40, "calendar.warmup_days": 10,
         "replications": 3}


def cli(*args):
    sets = [a for k, v in SMALL.items() for a in ("--set", f"{k}={v}")]
    subprocess.run([BINARY, *args, *sets, "--quiet"], check=True, capture_output=True)


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def fen_to_rmb(value, unit):
    return float(value) / 100.0 if unit == "fen" else float(value)


def test_load_reads_and_sets_keys_through_the_key_table():
    s = linksim.load(SCENARIOS / "open_links.yaml", set=SMALL)
    assert s.name == "open_links"
    assert s["population.buyers"] == 3000
    assert s.get("calendar.days") == 40
    changed = s.set("buyers.session_rate", 0.35)
    assert changed["buyers.session_rate"] == 0.35
    assert s["buyers.session_rate"] == linksim.load(SCENARIOS / "open_links.yaml")[
        "buyers.session_rate"]  # the original is unchanged
    fee = changed.set("policy.0.taobao.fee", 0.1)
    assert fee["policy.0.taobao.fee"] == 0.1
    assert isinstance(fee["policy"], list)
    assert s.validate() == []
    again = linksim.load_text(fee.to_yaml(), "again.yaml")
    assert again.to_yaml() == fee.to_yaml()


def test_errors_carry_file_line_column_and_key(tmp_path):
    with pytest.raises(linksim.ScenarioError) as e:
        linksim.load(SCENARIOS / "open_links.yaml", set={"buyers.sesion_rate": 1})
    assert e.value.file.startswith("--set buyers.sesion_rate=1")
    assert e.value.line == 1 and e.value.column > 0
    assert "sesion_rate" in e.value.key
    assert "did you mean" in e.value.message
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"extends: {SCENARIOS / 'base.yaml'}\nbuyers: {{ sesion_rate: 1, follows: -1 }}\n")
    with pytest.raises(linksim.ScenarioError) as e:
        linksim.load(bad)
    assert len(e.value.problems) == 2
    assert {p.key for p in e.value.problems} == {"buyers.sesion_rate", "buyers.follows"}
    assert all(p.file == str(bad) and p.line == 2 for p in e.value.problems)
    assert isinstance(e.value, ValueError)
    s = linksim.load(SCENARIOS / "open_links.yaml")
    with pytest.raises(linksim.ScenarioError) as e:
        s.set("buyers.session_rate", -1)
    assert e.value.key == "buyers.session_rate"
    with pytest.raises(linksim.ScenarioError) as e:
        s.get("buyers.no_such_key")
    assert "unknown key" in e.value.message


def test_run_is_the_command_lines_bit_for_bit(tmp_path):
    out = tmp_path / "run"
    cli("run", str(SCENARIOS / "open_links.yaml"), "--out", str(out))
    r = linksim.run(linksim.load(SCENARIOS / "open_links.yaml", set=SMALL), threads=2,
                    progress=False)
    assert r.replications == 3
    metrics = r.metrics.set_index(["replication", "metric"])["value"]
    rows = read_csv(out / "replications.csv")
    units = dict(zip(metrics.index.get_level_values("metric"), r.metrics["unit"]))
    checked = 0
    for row in rows:
        for name, value in row.items():
            if name in ("replication", "seed") or value == "":
                continue
            unit = "fen" if units[name] == "RMB" else units[name]
            assert metrics[(int(row["replication"]), name)] == fen_to_rmb(value, unit), name
            checked += 1
    assert checked > 50
    daily = r.daily.set_index(["replication", "day", "metric"])["value"]
    for row in read_csv(out / "daily_replications.csv")[::7]:
        for name in ("gmv_store", "gmv_taobao", "in_store_share", "active_merchants"):
            unit = "fen" if name.startswith("gmv") else "x"
            assert daily[(int(row["replication"]), int(row["day"]), name)] == \
                fen_to_rmb(row[name], unit), name
    assert set(r.daily.columns) == {"day", "date", "replication", "seed", "metric", "unit", "value"}
    assert (r.monthly.groupby(["month", "replication"]).size() > 10).all()
    assert r.summary.set_index("metric").loc["gmv", "unit"] == "RMB"


def test_compare_is_the_command_lines_bit_for_bit(tmp_path):
    out = tmp_path / "compare"
    cli("compare", str(SCENARIOS / "closed_loop.yaml"), str(SCENARIOS / "open_links.yaml"),
        "--out", str(out))
    c = linksim.compare([linksim.load(SCENARIOS / n, set=SMALL)
                         for n in ("closed_loop.yaml", "open_links.yaml")], progress=False)
    ours = c.differences.set_index("metric")
    for row in read_csv(out / "comparison.csv"):
        if row["scenario"] != "open_links" or row["diff_mean"] == "":
            continue
        assert ours.loc[row["metric"], "diff_mean"] == fen_to_rmb(row["diff_mean"], row["unit"])
        assert bool(ours.loc[row["metric"], "significant"]) == (row["significant"] == "true")
    daily = c.daily_differences(["gmv_store"])
    assert set(daily.scenario) == {"open_links"}
    assert len(daily) == 40 * 3


def test_ctrl_c_raises_keyboard_interrupt_within_a_second():
    big = dict(SMALL, **{"population.buyers": 200000, "calendar.days": 365, "replications": 2})
    s = linksim.load(SCENARIOS / "open_links.yaml", set=big)
    timer = threading.Timer(1.0, _thread.interrupt_main)
    timer.start()
    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        linksim.run(s, threads=2, progress=False)
    assert time.monotonic() - start < 2.0
    timer.cancel()


def test_the_gil_is_free_while_simulating():
    s = linksim.load(SCENARIOS / "open_links.yaml",
                     set=dict(SMALL, **{"population.buyers": 50000, "calendar.days": 120}))
    done = threading.Event()
    result = {}

    def work():
        result["run"] = linksim.run(s, threads=1, progress=False)
        done.set()

    worker = threading.Thread(target=work)
    worker.start()
    spins = 0
    while not done.is_set():
        spins += 1
        np.sqrt(2.0)
    worker.join()
    assert result["run"].replications == 3
    assert spins > 1000  # this thread ran Python all along


def test_progress_reaches_the_end():
    seen = []
    raw = linksim._linksim.run(linksim.load(SCENARIOS / "open_links.yaml", set=SMALL)._native,
                               3, 1, seen.append)
    assert len(raw["replications"]) == 3
    assert seen and max(seen) > 0.5


def test_sweep_is_the_command_lines_bit_for_bit(tmp_path):
    out = tmp_path / "sweep"
    cli("sweep", str(SCENARIOS / "open_links.yaml"), "--vary", "policy.0.taobao.fee=0,0.2",
        "--vary", "conversion.jump_loss=0.2,0.6", "--out", str(out))
    s = linksim.load(SCENARIOS / "open_links.yaml", set=SMALL)
    r = linksim.sweep(s, {"policy.0.taobao.fee": [0, 0.2], "conversion.jump_loss": "0.2,0.6"},
                      progress=False)
    assert list(r.points.columns) == ["point", "policy.0.taobao.fee", "conversion.jump_loss"]
    assert len(r.points) == 4
    ours = r.metrics.set_index(["point", "replication", "metric"])["value"]
    checked = 0
    for row in read_csv(out / "sweep.csv"):
        if row["value"] == "":
            continue
        assert ours[(int(row["point"]), int(row["replication"]), row["metric"])] == \
            fen_to_rmb(row["value"], row["unit"])
        checked += 1
    assert checked > 100
    summary = r.summary.set_index(["point", "metric"])
    for row in read_csv(out / "sweep_summary.csv"):
        got = summary.loc[(int(row["point"]), row["metric"])]
        assert got["baseline_point"] == int(row["baseline_point"])
        if row["diff_mean"]:
            assert got["diff_mean"] == fen_to_rmb(row["diff_mean"], row["unit"])


def test_a_simulation_stepped_by_hand_is_the_runs_replication():
    s = linksim.load(SCENARIOS / "open_links.yaml", set=SMALL)
    sim = linksim.Simulation(s, replication=2)
    assert sim.day == -10  # the warm-up first
    sim.step(15)
    assert sim.day == 5
    view = sim.view()
    assert view["buyer_slots"] >= 3000 and view["active_merchants"] > 0
    merchants = sim.merchants
    assert set(merchants.origin) <= {"native", "taobao", "jd"}
    assert merchants.active.sum() >= view["active_merchants"]
    assert (sim.streamers.followers >= 0).all()
    assert len(sim.buyers) == view["buyer_slots"] or "status" in sim.buyers
    with pytest.raises(RuntimeError):
        sim.metrics
    sim.run_to_end()
    assert sim.done
    r = linksim.run(s, progress=False)
    ours = sim.metrics.set_index("metric")["value"]
    theirs = r.metrics[r.metrics.replication == 2].set_index("metric")["value"]
    pd_equal = [(a == b) or (np.isnan(a) and np.isnan(b)) for a, b in zip(ours, theirs)]
    assert all(pd_equal)


def test_sensitivity_is_the_command_lines_bit_for_bit(tmp_path):
    out = tmp_path / "sens"
    cli("sensitivity", str(SCENARIOS / "closed_loop.yaml"), "--compare",
        str(SCENARIOS / "open_links.yaml"), "--method", "morris", "--samples", "2",
        "--vary", "conversion.jump_loss=0.2:0.6", "--vary", "buyers.session_rate=0.2:0.4",
        "--out", str(out))
    r = linksim.sensitivity(linksim.load(SCENARIOS / "closed_loop.yaml", set=SMALL),
                            {"conversion.jump_loss": (0.2, 0.6), "buyers.session_rate": (0.2, 0.4)},
                            method="morris", samples=2,
                            compare=linksim.load(SCENARIOS / "open_links.yaml", set=SMALL),
                            progress=False)
    assert r.method == "morris" and "paired difference" in r.quantity
    ours = r.indices.set_index(["metric", "factor", "index"])
    checked = 0
    for row in read_csv(out / "sensitivity.csv"):
        if row["estimate"] == "":
            continue
        got = ours.loc[(row["metric"], row["factor"], row["index"]), "estimate"]
        assert got == fen_to_rmb(row["estimate"], row["unit"]), row
        checked += 1
    assert checked >= 12
    assert len(r.design) == 2 * 3  # trajectories x (factors + 1)
    assert set(r.ranking["gmv"]) == {"conversion.jump_loss", "buyers.session_rate"}


def test_calibrate_is_the_command_lines_bit_for_bit(tmp_path):
    world = dict(SMALL, **{"calendar.days": 59})  # January and February: whole months
    truth = linksim.run(linksim.load(SCENARIOS / "base.yaml",
                                     set=dict(world, **{"buyers.session_rate": 0.33, "seed": 7})),
                        progress=False)
    monthly = truth.monthly[truth.monthly.metric == "gmv"].groupby("month").value.mean()
    target = tmp_path / "target.csv"
    target.write_text("period,metric,value\n" + "".join(
        f"{month},gmv,{100 * value!r}\n" for month, value in monthly.items()))  # fen
    out = tmp_path / "cal"
    sets = [a for k, v in world.items() for a in ("--set", f"{k}={v}")]
    done = subprocess.run([BINARY, "calibrate", str(SCENARIOS / "base.yaml"), *sets, "--quiet",
                           "--free", "buyers.session_rate=0.2:0.5", "--target", str(target),
                           "--evaluations", "12", "--bootstrap", "50", "--out", str(out)],
                          capture_output=True, text=True)
    assert done.returncode in (0, 3), done.stderr
    r = linksim.calibrate(linksim.load(SCENARIOS / "base.yaml", set=world),
                          {"buyers.session_rate": (0.2, 0.5)}, target, evaluations=12,
                          bootstrap=50, progress=False)
    cli_result = json.loads((out / "calibration.json").read_text())
    assert r.keys.value[0] == cli_result["free"][0]["value"]
    assert r.rms == cli_result["rms"]
    assert r.converged == (done.returncode == 0)
    assert r.scenario["buyers.session_rate"] == r.keys.value[0]
    assert len(r.trace) == len(cli_result["trace"])
    assert (r.fit.unit == "RMB").all()


def test_abc_smc_and_forecast_are_the_command_lines_bit_for_bit(tmp_path):
    world = dict(SMALL, **{"calendar.days": 59})  # January and February: whole months
    closed, open_links = SCENARIOS / "closed_loop.yaml", SCENARIOS / "open_links.yaml"
    truth = linksim.run(linksim.load(closed, set=dict(world, **{"buyers.session_rate": 0.33,
                                                                "seed": 7})), progress=False)
    monthly = truth.monthly[truth.monthly.metric == "gmv"].groupby("month").value.mean()
    target = tmp_path / "target.csv"
    target.write_text("period,metric,value\n" + "".join(
        f"{month},gmv,{100 * value!r}\n" for month, value in monthly.items()))  # fen
    sets = [a for k, v in world.items() for a in ("--set", f"{k}={v}")]
    fit = tmp_path / "abc"
    done = subprocess.run([BINARY, "calibrate", str(closed), *sets, "--quiet",
                           "--free", "buyers.session_rate=0.2:0.5", "--target", str(target),
                           "--method", "abc-smc", "--particles", "20", "--generations", "2",
                           "--out", str(fit)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    posterior = linksim.calibrate(linksim.load(closed, set=world),
                                  {"buyers.session_rate": (0.2, 0.5)}, target, method="abc-smc",
                                  particles=20, generations=2, progress=False)
    cli_posterior = json.loads((fit / "posterior.json").read_text())
    for part in ("keys", "particles", "generations", "fit", "correlation", "stop"):
        assert posterior.raw[part] == cli_posterior[part], part
    assert isinstance(posterior, linksim.PosteriorResult)
    assert posterior.scenario["buyers.session_rate"] == posterior.keys["median"][0]
    assert posterior.particles.weight.sum() == pytest.approx(1)
    assert list(posterior.generations.generation) == [0, 1]
    assert (posterior.fit.unit == "RMB").all()
    assert posterior.fit.target[0] == pytest.approx(monthly.iloc[0])

    out = tmp_path / "forecast"
    done = subprocess.run([BINARY, "forecast", str(closed), *sets, "--quiet",
                           "--posterior", str(fit / "posterior.json"), "--compare",
                           str(open_links), "--draws", "6", "--out", str(out)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    forecast = linksim.forecast(linksim.load(closed, set=world), posterior,
                                compare=linksim.load(open_links, set=world), draws=6,
                                progress=False)
    cli_forecast = json.loads((out / "forecast.json").read_text())
    assert forecast.raw["quarterly"] == cli_forecast["quarterly"]
    assert forecast.raw["yearly"] == cli_forecast["yearly"]
    draws = pd.read_csv(out / "forecast_draws.csv", dtype={"seed": "uint64"})
    assert list(forecast.draws.seed) == list(draws.seed)
    assert list(forecast.draws["buyers.session_rate"]) == list(draws["buyers.session_rate"])
    # Tidy, in RMB: the difference is the other policy minus the scenario.
    q = forecast.quarterly
    assert set(q.series) == {"closed_loop", "open_links", "difference"}
    gmv = q[(q.metric == "gmv") & (q.series == "closed_loop")].iloc[0]
    assert gmv.unit == "RMB"
    assert gmv["median"] == cli_forecast["quarterly"][0]["closed_loop"]["gmv"]["median"] / 100
    # A posterior.json saved from Python is the same forecast.
    posterior.save(tmp_path / "posterior.json")
    again = linksim.forecast(linksim.load(closed, set=world), tmp_path / "posterior.json",
                             compare=linksim.load(open_links, set=world), draws=6,
                             progress=False)
    assert again.raw["quarterly"] == forecast.raw["quarterly"]
