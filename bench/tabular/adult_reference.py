#!/usr/bin/env python3
"""Reference logistic regression for `hearth train tabular`, on exactly the same split.

Usage: python3 bench/tabular/adult_reference.py MODEL_DIR LABEL
  MODEL_DIR is a folder written by `hearth train tabular`: its data/train.csv, data/validation.csv and
  data/test.csv are the split Hearth used. The features are built the same way, independently: numeric
  columns (every value a number) standardised with the training mean and population standard deviation,
  the others one-hot over the training categories. Multinomial logistic regression is fitted in torch
  (float64, full-batch L-BFGS to convergence, no regularisation: the maximum-likelihood solution), and
  its accuracy printed for each part.
"""
import csv, sys
import numpy as np
import torch


def read(path):
    with open(path, newline="") as f:
        first = f.readline()
        delim = ";" if first.count(";") > first.count(",") else ","
        f.seek(0)
        rows = list(csv.reader(f, delimiter=delim))
    return rows[0], rows[1:]


def numeric(values):
    try:
        [float(v) for v in values]
        return True
    except ValueError:
        return False


def main(model_dir, label):
    header, train = read(f"{model_dir}/data/train.csv")
    _, val = read(f"{model_dir}/data/validation.csv")
    _, test = read(f"{model_dir}/data/test.csv")
    li = header.index(label)
    classes = sorted({r[li] for r in train + val + test})
    cols = []
    for c, name in enumerate(header):
        if c == li:
            continue
        vals = [r[c] for r in train + val + test]
        if numeric(vals):
            x = np.array([float(r[c]) for r in train])
            cols.append((c, "num", x.mean(), x.std()))
        else:
            cols.append((c, "cat", sorted({r[c] for r in train}), None))

    def encode(rows):
        parts = []
        for c, kind, a, b in cols:
            if kind == "num":
                parts.append(((np.array([float(r[c]) for r in rows]) - a) / b)[:, None])
            else:
                idx = {v: i for i, v in enumerate(a)}
                m = np.zeros((len(rows), len(a)))
                for i, r in enumerate(rows):
                    if r[c] in idx:
                        m[i, idx[r[c]]] = 1
                parts.append(m)
        return torch.tensor(np.hstack(parts)), torch.tensor([classes.index(r[li]) for r in rows])

    xtr, ytr = encode(train)
    lin = torch.nn.Linear(xtr.shape[1], len(classes)).double()
    opt = torch.optim.LBFGS(lin.parameters(), lr=1, max_iter=500, tolerance_grad=1e-9, tolerance_change=1e-12,
                            history_size=50, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(lin(xtr), ytr)
        loss.backward()
        return loss

    for _ in range(5):
        opt.step(closure)
    print(f"features: {xtr.shape[1]}; train loss {closure().item():.4f}")
    for name, rows in (("train", train), ("validation", val), ("test", test)):
        x, y = encode(rows)
        with torch.no_grad():
            acc = (lin(x).argmax(1) == y).double().mean().item()
        print(f"{name:10s} {len(rows):6d} rows  accuracy {acc:.4f}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
