#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""tests/checks/stats_oracle.py: analysis/stats.c against scipy and numpy.

Usage: stats_oracle.py STATS_CLI   (the filter tests/tools/stats_cli.c builds)

On fixed data sets (3 to 12 values per arm, ties, equal arms, arms far
apart) each function of stats.c is compared with an independent
computation; one "ok NAME" or "not ok NAME: why" line per comparison:

- median and quantiles: numpy.median, numpy.percentile (linear: R's type 7);
- the permutation test of two medians: scipy.stats.permutation_test over
  every split, with stats.c's statistic: |median(a) - median(b)|, splits
  with the same one ordered by |mean(a) - mean(b)|; where stats.c draws
  random splits (more than 100000), within binomial noise of the exact p;
- the percentile-bootstrap interval of the median: scipy.stats.bootstrap;
  both draw resamples, so an end of stats.c's interval must lie between
  scipy's bootstrap quantiles at 2.5% (97.5%) -+ four standard errors of
  the two estimates of that quantile's level;
- Spearman's rho: scipy.stats.spearmanr; its permutation p: the exact p
  over every permutation (scipy.stats.permutation_test, or every
  permutation within strata by hand), within binomial noise;
- Holm: by hand; stats_choose: scipy.special.comb.

The "tells_*" lines check that each tolerance is tight enough: a wrong
variant of the computation (a median-only test, a 90% interval, ...)
must fail the same comparison on these data sets.
"""
import itertools
import math
import subprocess
import sys
import warnings

try:
    import numpy as np
    from scipy import special, stats
except ImportError as e:
    print(f"skip stats_oracle: no scipy for {sys.executable} ({e}); "
          "scripts/deps test installs python3-scipy")
    sys.exit(0)

SEED = 1
BOOT_RESAMPLES = 10000          # STATS_BOOT_RESAMPLES
PERM_EXACT_MAX = 100000         # STATS_PERM_EXACT_MAX
PERM_RANDOM = 100000            # STATS_PERM_RANDOM
RANK_PERMS = 10000              # STATS_RANK_PERMS
SCIPY_BOOT = 100000             # scipy's resamples: its noise is the smaller
SIGMAS = 4.5                    # tolerance of a Monte Carlo p, in standard errors

# Two arms each: small n, ties, equal arms, arms far apart.
TWO_ARMS = {
    "three": ([1.2, 3.4, 2.2], [2.9, 4.1, 5.0]),
    "ties": ([5, 5, 6, 6, 7], [5, 6, 6, 7, 7, 8]),
    "buckets": ([4, 4, 4, 8, 8, 8, 8], [8, 8, 8, 8, 16, 16, 16]),
    "equal": ([2, 4, 4, 6, 9], [2, 4, 4, 6, 9]),
    "constant": ([3, 3, 3, 3], [3, 3, 3]),
    "apart": ([10.1, 9.7, 10.4, 9.9, 10.0, 10.8, 9.5, 10.2],
              [30.2, 29.8, 31.0, 30.5, 29.1, 30.0, 30.7, 29.6]),
    "unequal": ([3.46, 3.59, 2.01, 5.58],
                [4.23, 5.2, 2.47, 2.29, 2.88, 3.24, 4.35, 3.77, 2.73]),
    "odd_even": ([92.34, 95.84, 109.77, 93.54, 101.96],
                 [103.41, 88.08, 100.39, 110.45, 83.89, 97.43]),
    # C(20, 8) = 125970 splits: stats.c draws 100000 random ones
    "twelve_eight": ([19.62, 20.77, 19.66, 19.53, 18.6, 19.68, 21.67, 20.64, 21.56, 20.37,
                      20.59, 20.28],
                     [19.0, 22.78, 22.26, 22.25, 18.96, 18.88, 20.17, 20.8]),
}

# x, y and strata (None: one) for the rank correlation.
RANKS = {
    "rank_ties": ([1, 2, 3, 4, 5, 6], [1.5, 1.5, 3, 5, 4, 4], None),
    "rank_seven": ([1, 2, 3, 4, 5, 6, 7], [0.3, -1.2, 0.8, 2.1, 0.1, 1.7, 2.6], None),
    "rank_eight": ([3, 1, 4, 1, 5, 9, 2, 6], [2, 7, 1, 8, 2, 8, 1, 8], None),
    "rank_constant": ([1, 2, 3, 4, 5], [7, 7, 7, 7, 7], None),
    "rank_strata": ([1, 2, 3, 4, 5, 6, 7, 8, 9], [2.0, 1.0, 3.5, 3.0, 5.5, 4.0, 7.0, 9.0, 8.0],
                    [0, 0, 0, 1, 1, 1, 2, 2, 2]),
    "rank_strata2": ([1, 2, 3, 4, 5, 6, 7, 8], [1, 3, 2, 4, 8, 5, 7, 6],
                     [0, 0, 0, 0, 1, 1, 1, 1]),
}

HOLM = {
    "holm_four": [0.01, 0.04, 0.03, 0.005],
    "holm_ties": [0.02, 0.02, 0.02],
    "holm_capped": [0.3, 0.5, 0.9],
    "holm_monotone": [0.001, 0.013, 0.014, 0.5],
    "holm_one": [0.04],
}

failures = 0


def ok(name):
    print(f"ok {name}")


def not_ok(name, why):
    global failures
    failures += 1
    print(f"not ok {name}: {why}")


def check(name, good, why):
    if good:
        ok(name)
    else:
        not_ok(name, why)


def fmt(v):
    return " ".join(repr(float(x)) for x in v)


class Tool:
    """stats_cli: every request at once, answers in order."""

    def __init__(self, path):
        self.path = path
        self.requests = []
        self.answers = []
        self.run_later = []     # the comparisons, once the answers are in

    def ask(self, line):
        self.requests.append(line)
        return len(self.requests) - 1

    def run(self):
        out = subprocess.run([self.path], input="\n".join(self.requests) + "\n",
                             capture_output=True, text=True, check=False)
        self.answers = out.stdout.splitlines()
        if len(self.answers) != len(self.requests) or out.returncode:
            raise SystemExit(f"not ok stats_oracle_tool: {self.path} answered "
                             f"{len(self.answers)} of {len(self.requests)} requests, "
                             f"status {out.returncode}: {out.stderr.strip()}")

    def numbers(self, i):
        return [float(w) for w in self.answers[i].split()]


def close(x, y, tol=1e-12):
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    return abs(x - y) <= tol * max(1.0, abs(x), abs(y))


# --- the permutation test ---

def perm_statistic(a, b, use_mean=True, use_median=True):
    """stats.c's order of splits, as one number scipy can compare.

    A split more extreme in medians than the observed one is +inf, less
    is -inf; a tie in medians (up to stats.c's 1e-9 of the largest value)
    is decided by the difference in means, a tie there snapped to the
    observed one. use_median=False / use_mean=False: the wrong variants.
    """
    pooled = np.concatenate([a, b])
    eps = 1e-9 * max(np.max(np.abs(pooled)), 1e-300)
    med_obs = abs(np.median(a) - np.median(b))
    mean_obs = abs(np.mean(a) - np.mean(b))

    def stat(x, y, axis=-1):
        med = np.abs(np.median(x, axis=axis) - np.median(y, axis=axis))
        mean = np.abs(np.mean(x, axis=axis) - np.mean(y, axis=axis))
        mean = np.where(np.abs(mean - mean_obs) <= eps, mean_obs, mean)
        if not use_median:
            return mean
        if not use_mean:
            return np.where(med >= med_obs - eps, 1.0, 0.0)
        return np.where(med > med_obs + eps, np.inf,
                        np.where(med < med_obs - eps, -np.inf, mean))
    return stat


def perm_exact_p(a, b, **variant):
    a, b = np.asarray(a, float), np.asarray(b, float)
    res = stats.permutation_test((a, b), perm_statistic(a, b, **variant),
                                 permutation_type="independent", vectorized=True,
                                 n_resamples=np.inf, alternative="greater", batch=50000)
    return float(res.pvalue)


def monte_carlo_tol(p, draws):
    """How far (hits + 1) / (draws + 1) may be from the exact p."""
    return SIGMAS * math.sqrt(p * (1 - p) / draws) + 1.0 / (draws + 1)


def perm_agrees(c_p, c_exact, p, splits):
    if splits <= PERM_EXACT_MAX:
        if c_exact != 1:
            return False, f"stats.c drew random splits of {splits}"
        return close(c_p, p), f"p {c_p!r}, scipy's exact p {p!r}"
    tol = monte_carlo_tol(p, PERM_RANDOM)
    return (c_exact == 0 and abs(c_p - p) <= tol,
            f"p {c_p!r} (exact {c_exact}), scipy's exact p {p!r} +- {tol:.5f}")


def perm_checks(tool):
    asked = {n: tool.ask(f"perm {SEED} {len(a)} {fmt(a)} {fmt(b)}")
             for n, (a, b) in TWO_ARMS.items()}
    # the smallest p for sizes: two groups apart, no ties
    minp = {(na, nb): tool.ask(f"minp {na} {nb}") for na, nb in [(3, 3), (4, 6), (6, 6)]}
    tool.run_later.append(lambda: perm_report(tool, asked, minp))


def perm_report(tool, asked, minp):
    exact = {}
    for name, (a, b) in TWO_ARMS.items():
        c_p, c_exact = tool.numbers(asked[name])
        p = exact[name] = perm_exact_p(a, b)
        splits = math.comb(len(a) + len(b), len(a))
        good, why = perm_agrees(c_p, c_exact, p, splits)
        check(f"perm_{name}", good, why)
    for (na, nb), i in minp.items():
        a = list(range(na))
        b = [1000.0 * (na + nb) + na + j for j in range(nb)]
        p = perm_exact_p(a, b)
        check(f"perm_min_p_{na}_{nb}", close(tool.numbers(i)[0], p),
              f"p {tool.numbers(i)[0]!r}, scipy's {p!r}")
    # the wrong variants would have failed
    for name, variant, label in [("buckets", {"use_mean": False}, "median_only"),
                                 ("ties", {"use_mean": False}, "median_only"),
                                 ("unequal", {"use_median": False}, "mean_only")]:
        a, b = TWO_ARMS[name]
        wrong = perm_exact_p(a, b, **variant)
        c_p, c_exact = tool.numbers(asked[name])
        good, _ = perm_agrees(c_p, c_exact, wrong, math.comb(len(a) + len(b), len(a)))
        check(f"tells_perm_{label}_{name}", not good,
              f"a {label} test gives p {wrong!r}, as close to stats.c's {c_p!r} as the "
              f"right one {exact[name]!r}: this data set cannot tell them apart")


# --- median, quantiles, bootstrap ---

QUANTILES = [0, 0.1, 0.25, 0.5, 0.75, 0.9, 1]


def arms():
    for name, (a, b) in TWO_ARMS.items():
        yield f"{name}_a", a
        if b != a:
            yield f"{name}_b", b


def order_checks(tool):
    asked = {}
    for name, v in arms():
        asked[name] = (tool.ask(f"median {fmt(v)}"),
                       [tool.ask(f"quantile {q!r} {fmt(v)}") for q in QUANTILES])
    tool.run_later.append(lambda: order_report(tool, asked))


def order_report(tool, asked):
    for name, v in arms():
        im, iq = asked[name]
        m, want = tool.numbers(im)[0], float(np.median(v))
        check(f"median_{name}", close(m, want), f"median {m!r}, numpy's {want!r}")
        got = [tool.numbers(i)[0] for i in iq]
        want_q = [float(np.percentile(v, 100 * q, method="linear")) for q in QUANTILES]
        check(f"quantiles_{name}", all(close(g, w) for g, w in zip(got, want_q)),
              f"quantiles {got}, numpy's {want_q} at {QUANTILES}")
    # type 6 (weibull) instead of R's default type 7 would have failed
    v = TWO_ARMS["odd_even"][1]
    got = [tool.numbers(i)[0] for i in asked["odd_even_b"][1]]
    wrong = [float(np.percentile(v, 100 * q, method="weibull")) for q in QUANTILES]
    check("tells_quantile_type6", not all(close(g, w) for g, w in zip(got, wrong)),
          "type-6 quantiles agree with stats.c's on odd_even_b")


def boot_band(dist, q, level_resamples):
    """The values an end at level q may take: scipy's quantiles at q -+ 4 SE."""
    se = math.sqrt(q * (1 - q) * (1.0 / level_resamples + 1.0 / len(dist)))
    lo = np.quantile(dist, max(q - 4 * se, 0), method="lower")
    hi = np.quantile(dist, min(q + 4 * se, 1), method="higher")
    return float(lo), float(hi)


def boot_checks(tool):
    asked = {name: tool.ask(f"boot {SEED} 0.95 {BOOT_RESAMPLES} {fmt(v)}")
             for name, v in arms()}
    tool.run_later.append(lambda: boot_report(tool, asked))


def scipy_boot(v):
    res = stats.bootstrap((np.asarray(v, float),), np.median, n_resamples=SCIPY_BOOT,
                          method="percentile", confidence_level=0.95, vectorized=True,
                          batch=20000, random_state=np.random.default_rng(SEED))
    return np.sort(res.bootstrap_distribution), res.confidence_interval


def boot_report(tool, asked):
    dists = {}
    for name, v in arms():
        lo, hi = tool.numbers(asked[name])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")     # degenerate: one value resampled
            dist, ci = dists[name] = scipy_boot(v)
        band_lo = boot_band(dist, 0.025, BOOT_RESAMPLES)
        band_hi = boot_band(dist, 0.975, BOOT_RESAMPLES)
        good = band_lo[0] <= lo <= band_lo[1] and band_hi[0] <= hi <= band_hi[1]
        check(f"boot_{name}", good,
              f"interval [{lo!r}, {hi!r}]; scipy's ends may be in {band_lo} and {band_hi} "
              f"(its interval [{ci.low!r}, {ci.high!r}])")
    # a 90% interval would have failed
    for name in ["twelve_eight_a", "odd_even_b"]:
        dist = dists[name][0]
        v = dict(arms())[name]
        out = subprocess.run([tool.path], input=f"boot {SEED} 0.90 {BOOT_RESAMPLES} {fmt(v)}\n",
                             capture_output=True, text=True, check=False)
        lo, hi = (float(w) for w in out.stdout.split())
        band_lo = boot_band(dist, 0.025, BOOT_RESAMPLES)
        band_hi = boot_band(dist, 0.975, BOOT_RESAMPLES)
        inside = band_lo[0] <= lo <= band_lo[1] and band_hi[0] <= hi <= band_hi[1]
        check(f"tells_boot_90_{name}", not inside,
              f"a 90% interval [{lo}, {hi}] passes as 95% ({band_lo}, {band_hi})")


# --- rank correlation ---

def ranks_rho(rx, ry):
    """Spearman's rho from average ranks, along the last axis of @rx."""
    dx = rx - rx.mean(axis=-1, keepdims=True)
    dy = ry - ry.mean()
    return (dx * dy).sum(axis=-1) / np.sqrt((dx * dx).sum(axis=-1) * (dy * dy).sum())


def rank_exact_p(x, y, strata, sign=False):
    """The exact two-sided p (wrong variants: @sign one-sided, @strata None)."""
    rx, ry = stats.rankdata(x), stats.rankdata(y)
    obs = ranks_rho(rx, ry)

    def fold(r):
        r = r if sign else np.abs(r)
        o = obs if sign else abs(obs)
        return np.where(np.abs(r - o) <= 1e-9, o, r)
    if strata is None:
        res = stats.permutation_test((rx,), lambda p, axis=-1: fold(ranks_rho(p, ry)),
                                     permutation_type="pairings", vectorized=True,
                                     n_resamples=np.inf, alternative="greater")
        return float(res.pvalue), math.factorial(len(x))
    # every permutation of y within each stratum, by hand
    groups = [[i for i, s in enumerate(strata) if s == k] for k in sorted(set(strata))]
    perms = []
    for choice in itertools.product(*(itertools.permutations(g) for g in groups)):
        idx = list(range(len(y)))
        for g, p in zip(groups, choice):
            for i, j in zip(g, p):
                idx[i] = j
        perms.append(idx)
    null = fold(ranks_rho(ry[np.array(perms)], rx))
    o = obs if sign else abs(obs)
    return float(np.mean(null >= o)), len(perms)


def rank_checks(tool):
    asked = {}
    for name, (x, y, strata) in RANKS.items():
        extra = f" {fmt(strata)}" if strata else ""
        asked[name] = tool.ask(f"spearman {SEED} {len(x)} {fmt(x)} {fmt(y)}{extra}")
    tool.run_later.append(lambda: rank_report(tool, asked))


def rank_report(tool, asked):
    for name, (x, y, strata) in RANKS.items():
        rho, p = tool.numbers(asked[name])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")     # a constant: scipy warns, rho nan
            want = float(stats.spearmanr(x, y).correlation)
        check(f"spearman_rho_{name}", close(rho, want), f"rho {rho!r}, scipy's {want!r}")
        if math.isnan(want):
            check(f"spearman_p_{name}", math.isnan(p), f"p {p!r} of a constant, want nan")
            continue
        exact, perms = rank_exact_p(x, y, strata)
        tol = monte_carlo_tol(exact, RANK_PERMS)
        check(f"spearman_p_{name}", abs(p - exact) <= tol,
              f"p {p!r}, exact p {exact!r} over {perms} permutations +- {tol:.5f}")
    # a one-sided p, or permutations across strata, would have failed
    for label, name, strata in [("one_sided", "rank_seven", None),
                                ("no_strata", "rank_strata2", None)]:
        x, y, _ = RANKS[name]
        wrong, _ = rank_exact_p(x, y, strata, sign=label == "one_sided")
        p = tool.numbers(asked[name])[1]
        check(f"tells_spearman_{label}_{name}",
              abs(p - wrong) > monte_carlo_tol(wrong, RANK_PERMS),
              f"a {label} p {wrong!r} is as close to stats.c's {p!r}")


# --- Holm, choose ---

def holm(p, monotone=True, scale=True):
    order = sorted(range(len(p)), key=lambda i: (p[i], i))
    adj, running = [0.0] * len(p), 0.0
    for k, i in enumerate(order):
        v = min(1.0, p[i] * ((len(p) - k) if scale else len(p)))
        if monotone:
            v = running = max(v, running)
        adj[i] = v
    return adj


def holm_checks(tool):
    asked = {name: tool.ask(f"holm {fmt(p)}") for name, p in HOLM.items()}
    pairs = [(24, 12), (16, 8), (5, 0), (3, 5), (64, 32), (67, 33), (68, 34), (200, 100)]
    choose = {nk: tool.ask(f"choose {nk[0]} {nk[1]}") for nk in pairs}
    tool.run_later.append(lambda: holm_report(tool, asked, choose))


def holm_report(tool, asked, choose):
    for name, p in HOLM.items():
        got, want = tool.numbers(asked[name]), holm(p)
        check(name, len(got) == len(want) and all(close(g, w) for g, w in zip(got, want)),
              f"adjusted {got}, by hand {want}")
    got = tool.numbers(asked["holm_monotone"])
    for label, wrong in [("no_running_max", holm(HOLM["holm_monotone"], monotone=False)),
                         ("bonferroni", holm(HOLM["holm_monotone"], scale=False))]:
        check(f"tells_holm_{label}", not all(close(g, w) for g, w in zip(got, wrong)),
              f"{label} {wrong} agrees with stats.c's {got}")
    # Exact, or UINT64_MAX (saturated) where the coefficient is 2^64 or more.
    bad = []
    for (n, k), i in choose.items():
        want, got = special.comb(n, k, exact=True), int(tool.answers[i])
        if got != min(want, 2**64 - 1):
            bad.append(f"C({n},{k}) {got}, want {want}")
    check("choose", not bad, "; ".join(bad))


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: stats_oracle.py STATS_CLI")
    tool = Tool(sys.argv[1])
    for ask in (order_checks, boot_checks, perm_checks, holm_checks, rank_checks):
        ask(tool)
    tool.run()
    for report in tool.run_later:
        report()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
