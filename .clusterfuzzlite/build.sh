#!/usr/bin/env bash
# Builds the synack fuzz targets under the OSS-Fuzz / ClusterFuzzLite
# contract: compilers and flags from $CC $CXX $CFLAGS $CXXFLAGS, the engine
# from $LIB_FUZZING_ENGINE, everything delivered to $OUT (binaries,
# <target>.dict, <target>_seed_corpus.zip).
#
#   .clusterfuzzlite/build.sh                 inside the builder image
#   .clusterfuzzlite/build.sh --local DIR     on this machine: sets the
#       variables the way OSS-Fuzz does for libFuzzer + ASan/UBSan, builds in
#       DIR/build, outputs to DIR/out, then replays every target's seeds once.
#       Exits 77 (ctest: skipped) with a message when clang is missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
local_dir=""
if [[ ${1:-} == --local ]]; then
  local_dir=${2:?usage: build.sh --local DIR}
  if ! command -v clang >/dev/null || ! command -v clang++ >/dev/null; then
    echo "build.sh: clang not found; skipping the ClusterFuzzLite build check" >&2
    exit 77
  fi
  mkdir -p "$local_dir"
  local_dir=$(cd "$local_dir" && pwd)
  export CC=clang CXX=clang++
  san="-fsanitize=address,undefined -fsanitize=fuzzer-no-link -fno-sanitize-recover=undefined"
  export CFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only $san"
  export CXXFLAGS="$CFLAGS"
  export LIB_FUZZING_ENGINE="-fsanitize=fuzzer"
  export OUT="$local_dir/out"
  export WORK="$local_dir/build"
fi
: "${OUT:?OUT must be set (or use --local DIR)}"
: "${LIB_FUZZING_ENGINE:?LIB_FUZZING_ENGINE must be set}"
build=${WORK:-$src/build/oss-fuzz}/synack
mkdir -p "$OUT" "$build"

# SynackOptions.cmake takes the sanitizer flags from $CFLAGS/$CXXFLAGS when
# LIB_FUZZING_ENGINE is in the environment; fuzz/CMakeLists.txt links it.
cmake -S "$src" -B "$build" -G Ninja \
  -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" \
  -DCMAKE_C_FLAGS="$CFLAGS" -DCMAKE_CXX_FLAGS="$CXXFLAGS" \
  -DCMAKE_C_FLAGS_RELEASE="" -DCMAKE_CXX_FLAGS_RELEASE="" \
  -DSYNACK_FUZZ=ON -DSYNACK_BUILD_TESTS=OFF -DSYNACK_BUILD_BENCH=OFF >/dev/null
targets=()
for f in "$src"/fuzz/fuzz_*.cc; do targets+=("$(basename "$f" .cc)"); done
cmake --build "$build" -j "$(nproc)" --target "${targets[@]}"

for t in "${targets[@]}"; do
  cp "$build/bin/$t" "$OUT/"
  short=${t#fuzz_}
  [[ -f $src/fuzz/$short.dict ]] && cp "$src/fuzz/$short.dict" "$OUT/$t.dict"
  if [[ -d $src/corpus/seeds/$t ]]; then
    rm -f "$OUT/${t}_seed_corpus.zip"
    if command -v zip >/dev/null; then
      (cd "$src/corpus/seeds/$t" && zip -q -r "$OUT/${t}_seed_corpus.zip" .)
    else
      python3 -c 'import sys, zipfile, pathlib
d = pathlib.Path(sys.argv[1])
with zipfile.ZipFile(sys.argv[2], "w") as z:
    [z.write(p, p.name) for p in sorted(d.iterdir()) if p.is_file()]' "$src/corpus/seeds/$t" "$OUT/${t}_seed_corpus.zip"
    fi
  fi
done

if [[ -n $local_dir ]]; then
  # The delivered binaries must run: replay each target's seeds once.
  for t in "${targets[@]}"; do
    if [[ -d $src/corpus/seeds/$t ]]; then
      "$OUT/$t" "$src/corpus/seeds/$t"/* >"$local_dir/$t.log" 2>&1 ||
        { echo "build.sh: $t failed on its seeds (see $local_dir/$t.log)" >&2; exit 1; }
    fi
  done
  echo "build.sh: ${#targets[@]} targets built into $OUT"
fi
