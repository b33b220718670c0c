"""The NEMD profile figure."""

from __future__ import annotations

import csv
import json

import pytest

from analysis.io import write_json, write_profile_csv
from analysis.nemd import PROFILE_COLUMNS, analyse_replica, profile_table
from analysis.plotting import plot_nemd_profile
from analysis.synthetic import synthetic_replica


@pytest.mark.parametrize(("hot", "suffix", "magic"), [("A", ".png", b"\x89PNG"),
                                                      ("B", ".pdf", b"%PDF")])
def test_plot_writes_a_nontrivial_file(tmp_path, hot, suffix, magic):
    raw, _ = synthetic_replica(seed=41, hot_side=hot)
    res = analyse_replica(raw)
    out = plot_nemd_profile(profile_table(res), res, tmp_path / f"profile{suffix}")
    data = out.read_bytes()
    assert data.startswith(magic) and len(data) > 10_000


def test_plot_refuses_an_empty_profile(tmp_path):
    raw, _ = synthetic_replica(seed=42)
    res = analyse_replica(raw)
    table = profile_table(res)
    table["T_mean_K"] = [None] * len(table["T_mean_K"])
    with pytest.raises(ValueError, match="no finite"):
        plot_nemd_profile(table, res, tmp_path / "empty.png")


def test_csv_and_json_writers(tmp_path):
    raw, _ = synthetic_replica(seed=43)
    res = analyse_replica(raw)
    path = write_profile_csv(profile_table(res), tmp_path / "profile.csv")
    rows = list(csv.DictReader(path.open()))
    assert tuple(rows[0]) == PROFILE_COLUMNS and len(rows) == len(raw["z_A"])
    assert rows[0]["T_mean_K"] == ""  # empty fixed-layer bin
    loaded = json.loads(write_json(res, tmp_path / "r.json").read_text())
    assert loaded["R_K_m2K_W"] == pytest.approx(res["R_K_m2K_W"])
