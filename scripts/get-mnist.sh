#!/usr/bin/env bash
# Downloads the four MNIST files into data/mnist (or $1) and checks their md5 sums.
# Needs internet access and curl. Offline machines: copy the files there by hand, or
# point ASTDP_MNIST_DIR / --mnist-dir at a folder that holds them.
set -euo pipefail
dest="${1:-data/mnist}"
base="${MNIST_MIRROR:-https://storage.googleapis.com/cvdf-datasets/mnist}"
mkdir -p "$dest"
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  if [ ! -f "$dest/$f.gz" ]; then
    curl -fL --retry 3 -o "$dest/$f.gz.part" "$base/$f.gz"
    mv "$dest/$f.gz.part" "$dest/$f.gz"
  fi
done
cd "$dest"
md5check() { gunzip -c "$1.gz" | md5sum | cut -d' ' -f1; }
ok=1
while read -r sum name; do
  got=$(md5check "$name")
  if [ "$got" != "$sum" ]; then echo "md5 mismatch for $name: $got (want $sum); delete it and retry" >&2; ok=0; fi
done <<'SUMS'
2646ac647ad5339dbf082846283269ea  t10k-images-idx3-ubyte
27ae3e4e09519cfbb04c329615203637  t10k-labels-idx1-ubyte
6bbc9ace898e44ae57da46a324031adb  train-images-idx3-ubyte
a25bea736e30d166cdddb491f175f624  train-labels-idx1-ubyte
SUMS
[ "$ok" = 1 ] && echo "MNIST ready in $dest"
