#!/usr/bin/env python3
"""Independent numpy versions of scikit-learn's classification metrics, to check `hearth eval classify`.

Usage:
  python3 bench/eval/classification_reference.py REPORT_DIR     # checks every set of report.json against
                                                               # its predictions-NAME.csv (to 1e-9)
  python3 bench/eval/classification_reference.py --example     # prints the metrics of the fixed multiclass
                                                               # example used in ClassificationMetricsTest

The formulas are scikit-learn's (precision_recall_fscore_support with zero_division=0, roc_auc_score with
multi_class="ovr", average="macro", log_loss), written here from their documented definitions; ECE is
Guo et al. (2017) with equal-width bins (i/B, (i+1)/B].
"""
import csv, json, os, sys
import numpy as np


def prf(y, pred, k):
    labels = sorted(set(y.tolist()) | set(pred.tolist()))
    tp = np.array([np.sum((y == c) & (pred == c)) for c in labels], float)
    pp = np.array([np.sum(pred == c) for c in labels], float)
    sup = np.array([np.sum(y == c) for c in labels], float)
    p = np.divide(tp, pp, out=np.zeros_like(tp), where=pp > 0)
    r = np.divide(tp, sup, out=np.zeros_like(tp), where=sup > 0)
    f = np.divide(2 * tp, pp + sup, out=np.zeros_like(tp), where=(pp + sup) > 0)
    out = {"precision_macro": p.mean(), "recall_macro": r.mean(), "f1_macro": f.mean(),
           "precision_weighted": (p * sup).sum() / sup.sum(), "recall_weighted": (r * sup).sum() / sup.sum(),
           "f1_weighted": (f * sup).sum() / sup.sum()}
    mp = tp.sum() / pp.sum()
    mr = tp.sum() / sup.sum()
    out.update(precision_micro=mp, recall_micro=mr, f1_micro=2 * mp * mr / (mp + mr) if mp + mr > 0 else 0.0)
    return out


def auc(pos, s):
    """Trapezoids through the ROC points at every distinct threshold (what roc_auc_score computes)."""
    order = np.argsort(-s, kind="mergesort")
    s, pos = s[order], pos[order]
    distinct = np.where(np.diff(s))[0]
    idx = np.r_[distinct, len(s) - 1]
    tps = np.cumsum(pos)[idx]
    fps = (idx + 1) - tps
    if tps[-1] == 0 or fps[-1] == 0:
        return float("nan")
    tpr = np.r_[0, tps / tps[-1]]
    fpr = np.r_[0, fps / fps[-1]]
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))


def metrics(y, p, bins=10):
    n, k = p.shape
    pred = p.argmax(1)
    out = {"accuracy": float(np.mean(pred == y))}
    out.update(prf(y, pred, k))
    aucs = [auc(y == c, p[:, c]) for c in range(k)]
    out["roc_auc"] = aucs[1] if k == 2 else float(np.nanmean(aucs))
    out["log_loss"] = float(-np.mean(np.log(np.clip(p[np.arange(n), y], 1e-15, 1))))
    conf = p.max(1)
    b = np.clip(np.ceil(conf * bins).astype(int) - 1, 0, bins - 1)
    ece = 0.0
    for i in range(bins):
        m = b == i
        if m.any():
            ece += m.sum() / n * abs(np.mean(pred[m] == y[m]) - conf[m].mean())
    out["ece"] = ece
    cm = np.zeros((k, k), int)
    np.add.at(cm, (y, pred), 1)
    out["confusion_matrix"] = cm.tolist()
    return out


def example():
    rng = np.random.default_rng(7)
    n, k = 40, 4
    y = rng.integers(0, k, n)
    logits = rng.normal(size=(n, k)) + 1.5 * np.eye(k)[y]
    p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    p = np.round(p, 6)
    return y, p


def check(report_dir):
    rep = json.load(open(os.path.join(report_dir, "report.json")))
    classes = rep["classes"]
    worst = 0.0
    for name, s in rep["sets"].items():
        safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in name)
        with open(os.path.join(report_dir, f"predictions-{safe}.csv"), newline="") as f:
            first = f.readline()
            delim = ";" if first.count(";") > first.count(",") else ","
            f.seek(0)
            rows = list(csv.DictReader(f, delimiter=delim))
        y = np.array([classes.index(r[rep["label"]].strip()) for r in rows])
        p = np.array([[float(r["prob_" + c]) for c in classes] for r in rows])
        ref = metrics(y, p, rep["calibration_bins"])
        for key, v in ref.items():
            if key == "confusion_matrix":
                assert v == s[key], (name, key, v, s[key])
                continue
            d = abs(v - s[key])
            worst = max(worst, d)
            assert d < 1e-9, (name, key, v, s[key])
        print(f"{name}: {len(rows)} rows; accuracy {ref['accuracy']:.4f}, f1_macro {ref['f1_macro']:.4f}, "
              f"roc_auc {ref['roc_auc']:.4f}, ece {ref['ece']:.4f} - all metrics agree with report.json")
    print(f"largest difference {worst:.2e}")


if __name__ == "__main__":
    if sys.argv[1:] == ["--example"]:
        y, p = example()
        print("y =", ",".join(map(str, y)))
        print("p =", ";".join(",".join(f"{v:.6f}" for v in row) for row in p))
        for key, v in metrics(y, p).items():
            print(key, repr(v))
    else:
        check(sys.argv[1])
