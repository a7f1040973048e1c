#!/usr/bin/env python3
"""Writes src/test/resources/loss/lsa_scipy.json: random (often tied) cost matrices and what
scipy.optimize.linear_sum_assignment returns for them, so the Java solver can be compared assignment by assignment.
Run with an interpreter that has numpy and scipy: /usr/bin/python3 tools/make_lsa_fixture.py"""
import json
import numpy as np
from scipy.optimize import linear_sum_assignment

rng = np.random.default_rng(2024)
cases = []
for trial in range(400):
    nr, nc = rng.integers(1, 11, size=2)
    if trial % 2 == 0:
        cost = rng.integers(0, 3, size=(nr, nc)).astype(float)   # many ties
    else:
        cost = rng.normal(size=(nr, nc)).round(3)
    rows, cols = linear_sum_assignment(cost)
    cases.append({"cost": cost.tolist(), "rows": rows.tolist(), "cols": cols.tolist()})
with open("src/test/resources/loss/lsa_scipy.json", "w") as f:
    json.dump(cases, f)
