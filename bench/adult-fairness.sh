#!/bin/sh
# UCI Adult: how much reweighing and per-group thresholds close the sex and race gaps of the tabular MLP,
# and what they cost in accuracy, all on the same seeded test split (6,032 rows). Needs ../shared/data
# (or ADULT=path/to/adult.csv) and jq. Prints one line per (mitigation, attribute).
# usage: bench/adult-fairness.sh [OUT_DIR]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
adult=${ADULT:-$root/../shared/data/adult.csv}
[ -f "$adult" ] || { echo "no $adult: set ADULT" >&2; exit 1; }
out=${1:-$(mktemp -d)}
mkdir -p "$out"
h() { ./hearth "$@" 2>/dev/null; }
h --version > /dev/null
train() { h train tabular --data "$adult" --label salary-class --model mlp --hidden 64 --seed 1 --out "$@" > /dev/null; }
report() { # FILE PREDICTION-COLUMN ATTRIBUTE -> "accuracy dp_diff eo_diff"
  h fairness report --in "$1" --label salary-class --prediction "$2" --positive '>50K' --sensitive "$3" \
    --bootstrap 0 --out "$out/r.json" > /dev/null
  jq -r '"\(.overall.accuracy) \(.demographic_parity_difference) \(.equalized_odds_difference)"' "$out/r.json"
}
line() { set -- "$1" "$2" $3; printf '%-34s %-5s accuracy %.4f  DP difference %.4f  EO difference %.4f\n' "$1" "$2" "$3" "$4" "$5"; }

train "$out/base"
h eval classify --model "$out/base" --data "test=$out/base/data/test.csv" --bootstrap 0 --latency-calls 0 \
  --out "$out/base/eval" > /dev/null
for a in sex race; do
  line "baseline MLP" "$a" "$(report "$out/base/eval/predictions-test.csv" prediction $a)"
done
for a in sex race; do
  train "$out/rw-$a" --reweigh "$a"
  h eval classify --model "$out/rw-$a" --data "test=$out/rw-$a/data/test.csv" --bootstrap 0 --latency-calls 0 \
    --out "$out/rw-$a/eval" > /dev/null
  line "reweighing ($a)" "$a" "$(report "$out/rw-$a/eval/predictions-test.csv" prediction $a)"
done
for c in demographic_parity equalized_odds; do
  for a in sex race; do
    h fairness mitigate --model "$out/base" --fit "$out/base/data/train.csv" --apply "$out/base/data/test.csv" \
      --sensitive "$a" --constraint $c --positive '>50K' --seed 1 --out "$out/$c-$a" > /dev/null
    line "thresholds, $c" "$a" "$(report "$out/$c-$a/predictions.csv" prediction $a)"
  done
done
echo "folders: $out"
