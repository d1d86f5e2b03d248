#!/usr/bin/env python3
"""Independent reference figures for Hearth's privacy accountants (guard.dp), computed another way.

Hearth never runs this; it produced the reference numbers quoted in guard/src/test/.../dp/*Test.java and in
docs/differential-privacy.md. Needs numpy and mpmath.

  rdp   RDP of the Poisson-subsampled Gaussian by numerical integration (mpmath.quad at 40 digits) of
        A_alpha = E_{z~N(0,s^2)}[((1-q) + q exp((2z-1)/(2s^2)))^alpha]   -- not the series Hearth sums --
        then the classic and the Balle et al. 2020 conversions over Opacus's default orders.
  pld   The tight epsilon under add/remove adjacency by a different discretisation from Hearth's: exact bin
        probabilities of the privacy loss (Gaussian tails in x-space), mass at each bin's midpoint (an estimate,
        not a bound), n-fold composition by numpy's FFT, delta(eps) summed, eps found by bisection.

  python3 bench/dp_reference.py rdp 0.0042666666666666667 1.1 14063 1e-5
  python3 bench/dp_reference.py pld 0.0042666666666666667 1.1 14063 1e-5 2e-5
"""
import math
import sys

import numpy as np
from mpmath import mp, mpf, quad, exp, log, sqrt, pi, inf

ORDERS = [1 + x / 10 for x in range(1, 100)] + list(range(12, 64))


def rdp_one_step(q, s, a):
    mp.dps = 40
    q, s, a = mpf(q), mpf(s), mpf(a)
    f = lambda z: exp(-z * z / (2 * s * s)) / (s * sqrt(2 * pi)) * ((1 - q) + q * exp((2 * z - 1) / (2 * s * s))) ** a
    return float(log(quad(f, [-inf, -10, 0, 1, 10, 30, inf]))) / float(a - 1)


def rdp_epsilon(q, s, n, delta):
    rdp = [n * rdp_one_step(q, s, a) for a in ORDERS]
    classic = [(r - math.log(delta) / (a - 1), a) for r, a in zip(rdp, ORDERS)]
    balle = [(r + math.log1p(-1 / a) - math.log(delta * a) / (a - 1), a) for r, a in zip(rdp, ORDERS)]
    return min(classic), min(balle)


_erfc = np.frompyfunc(math.erfc, 1, 1)


def tail(z):  # P(N(0,1) > z)
    return 0.5 * _erfc(np.asarray(z, dtype=float) / math.sqrt(2)).astype(float)


def x_of(e, q, s):  # the x where log(1 - q + q exp((2x-1)/(2 s^2))) = e
    r = np.expm1(e) / q
    out = np.full(np.shape(e), -np.inf)
    ok = r > -1
    out[ok] = s * s * np.log1p(r[ok]) + 0.5
    return out


def loss_pmf(q, s, h, direction, top=6.0):
    """Bin masses of the loss on [lo, hi) in steps of h and the bins' midpoints."""
    if direction == "remove":  # x ~ (1-q)N(0,s^2) + qN(1,s^2), loss increasing in x
        lo = math.log1p(-q) - h if q < 1 else -top
        edges = np.arange(lo, top + h / 2, h)
        x = x_of(edges, q, s)
        above = (1 - q) * tail(x / s) + q * tail((x - 1) / s)  # P(loss > edge)
    else:  # x ~ N(0,s^2), loss = -log(...) decreasing in x
        hi = -math.log1p(-q) + h if q < 1 else top
        edges = np.arange(-top, hi + h / 2, h)
        x = x_of(-edges, q, s)
        above = 1 - tail(x / s)  # P(loss > edge) = P(x < x_of(-edge))
    return (edges[:-1] + edges[1:]) / 2, above[:-1] - above[1:]


def compose(mids, p, n, h, window=(-10.0, 15.0)):
    size = 1 << int(math.ceil(math.log2((window[1] - window[0]) / h + len(p))))
    buf = np.zeros(size)
    buf[: len(p)] = p
    out = np.maximum(np.fft.irfft(np.fft.rfft(buf) ** n, size), 0)
    vals = n * mids[0] + np.arange(size) * h
    vals = vals + np.ceil((window[0] - vals) / (size * h)) * size * h
    return vals, out


def epsilon_for(vals, mass, delta):
    lo, hi = 0.0, 100.0
    for _ in range(60):
        mid = (lo + hi) / 2
        sel = vals > mid
        if np.sum(mass[sel] * -np.expm1(mid - vals[sel])) > delta:
            lo = mid
        else:
            hi = mid
    return hi


if __name__ == "__main__":
    kind, q, s, n, delta = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
    if kind == "rdp":
        (ec, ac), (eb, ab) = rdp_epsilon(q, s, n, delta)
        print(f"classic eps {ec!r} at order {ac}; Balle et al. 2020 eps {eb!r} at order {ab}")
    else:
        h = float(sys.argv[6])
        for d in ("remove", "add"):
            mids, p = loss_pmf(q, s, h, d)
            print(f"{d}: eps {epsilon_for(*compose(mids, p, n, h), delta)!r} (grid {h})")
