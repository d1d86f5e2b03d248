#!/usr/bin/env python3
"""The demo's MNIST conv net in PyTorch, for comparing with bench/mnist-cnn.sh on the same machine.

conv 3x3 (32) -> relu -> max-pool 2 -> conv 3x3 (64) -> relu -> max-pool 2 -> conv 3x3 (64) -> relu
-> dense 64 -> relu -> 10; Adam 1e-3, batch 32; first 8,000 of the MNIST t10k digits to train,
last 2,000 to test; pixels scaled to [0, 1].

    /usr/bin/python3 bench/mnist_cnn_torch.py [--epochs 3] [--threads 2] [--data ../shared/data]
"""
import argparse
import gzip
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    magic = int.from_bytes(raw[0:4], "big")
    count = int.from_bytes(raw[4:8], "big")
    if magic == 2051:
        rows, cols = int.from_bytes(raw[8:12], "big"), int.from_bytes(raw[12:16], "big")
        return np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(count, 1, rows, cols)
    return np.frombuffer(raw, dtype=np.uint8, offset=8)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 32, 3)
        self.c2 = nn.Conv2d(32, 64, 3)
        self.c3 = nn.Conv2d(64, 64, 3)
        self.d1 = nn.Linear(64 * 3 * 3, 64)
        self.d2 = nn.Linear(64, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        x = F.max_pool2d(F.relu(self.c2(x)), 2)
        x = F.relu(self.c3(x)).flatten(1)
        return self.d2(F.relu(self.d1(x)))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data"))
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    images = torch.tensor(read_idx(os.path.join(a.data, "mnist-t10k-images-idx3-ubyte.gz")), dtype=torch.float32) / 255
    labels = torch.tensor(read_idx(os.path.join(a.data, "mnist-t10k-labels-idx1-ubyte.gz")), dtype=torch.long)
    xtr, ytr, xte, yte = images[:8000], labels[:8000], images[8000:], labels[8000:]
    net = Net()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for epoch in range(1, a.epochs + 1):
        t0 = time.perf_counter()
        net.train()
        perm = torch.randperm(8000)
        for i in range(0, 8000, 32):
            idx = perm[i:i + 32]
            loss = F.cross_entropy(net(xtr[idx]), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        net.eval()
        with torch.no_grad():
            acc = (net(xte).argmax(1) == yte).float().mean().item()
        print(f"epoch {epoch}: test accuracy {100 * acc:.2f}% ({time.perf_counter() - t0:.1f} s)")
    print(f"torch {torch.__version__}, {a.threads} threads: test accuracy {100 * acc:.2f}%, "
          f"wall {time.perf_counter() - wall0:.1f} s, CPU {time.process_time() - cpu0:.1f} s")


if __name__ == "__main__":
    main()
