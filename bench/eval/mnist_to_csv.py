#!/usr/bin/env python3
"""Writes MNIST IDX files as the CSV that `hearth eval classify` reads for an image classifier:
a header `label,pixel0,...,pixel783`, then one row per image (the digit, then its 784 grey values 0-255,
row by row).

Usage: python3 bench/eval/mnist_to_csv.py IMAGES.gz LABELS.gz OUT.csv [FROM [TO]]
  FROM/TO pick images FROM..TO-1; `hearth demo digits` trains on the first 8,000 of the t10k files
  and tests on the last 2,000, so `8000 10000` gives its test split.
"""
import gzip, struct, sys


def main(images, labels, out, start=0, end=None):
    with gzip.open(images, "rb") as f:
        magic, n, rows, cols = struct.unpack(">IIII", f.read(16))
        assert magic == 2051, f"{images}: not an IDX image file (magic {magic})"
        pixels = f.read()
    with gzip.open(labels, "rb") as f:
        magic, m = struct.unpack(">II", f.read(8))
        assert magic == 2049 and m == n, f"{labels}: not the label file of {images}"
        digits = f.read()
    end = n if end is None else end
    size = rows * cols
    with open(out, "w") as w:
        w.write("label," + ",".join(f"pixel{i}" for i in range(size)) + "\n")
        for k in range(start, end):
            w.write(str(digits[k]) + "," + ",".join(map(str, pixels[k * size:(k + 1) * size])) + "\n")
    print(f"{end - start} images ({rows}x{cols}) -> {out}")


if __name__ == "__main__":
    a = sys.argv[1:]
    main(a[0], a[1], a[2], int(a[3]) if len(a) > 3 else 0, int(a[4]) if len(a) > 4 else None)
