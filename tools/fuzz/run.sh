#!/usr/bin/env bash
# Runs the request-parser fuzzer for REQUEST_FUZZ_SECONDS (default 30), seeded with the requests in
# tools/fuzz/request_seeds/, the IPC frame fuzzer for IPC_FUZZ_SECONDS (default 20), seeded with
# the frames in tools/fuzz/ipc_seeds/, then the model-loading fuzzer for SECONDS, seeded with the
# ONNX backend test suite's models; the extra libFuzzer flags (e.g. -seed=1 -runs=N) go to all.
# Usage: tools/fuzz/run.sh BUILD_DIR [SECONDS] [extra libFuzzer flags...]
# Inputs that grow coverage accumulate in BUILD_DIR/fuzz/corpus, BUILD_DIR/fuzz-requests/corpus and
# BUILD_DIR/fuzz-ipc/corpus (kept between runs); a crash, leak, timeout or out-of-memory input is written to the artifacts/
# folder beside them and the script fails. Reproduce one with:
# BUILD_DIR/bin/model_load_fuzzer BUILD_DIR/fuzz/artifacts/crash-... (or request_parser_fuzzer,
# ipc_frame_fuzzer).
set -euo pipefail

build=${1:?usage: run.sh BUILD_DIR [SECONDS] [libFuzzer flags...]}
seconds=${2:-60}
shift $(( $# >= 2 ? 2 : 1 ))
fuzzer="$build/bin/model_load_fuzzer"

requests="$build/fuzz-requests"
mkdir -p "$requests/corpus" "$requests/artifacts"
echo "fuzz: request_parser_fuzzer for ${REQUEST_FUZZ_SECONDS:-30}s"
"$build/bin/request_parser_fuzzer" "$requests/corpus" "$(dirname "$0")/request_seeds" \
  -max_total_time="${REQUEST_FUZZ_SECONDS:-30}" -rss_limit_mb=2048 -timeout=10 -max_len=4096 \
  -artifact_prefix="$requests/artifacts/" -print_final_stats=1 "$@"

frames="$build/fuzz-ipc"
mkdir -p "$frames/corpus" "$frames/artifacts"
echo "fuzz: ipc_frame_fuzzer for ${IPC_FUZZ_SECONDS:-20}s"
"$build/bin/ipc_frame_fuzzer" "$frames/corpus" "$(dirname "$0")/ipc_seeds" \
  -max_total_time="${IPC_FUZZ_SECONDS:-20}" -rss_limit_mb=2048 -timeout=10 -max_len=4096 \
  -artifact_prefix="$frames/artifacts/" -print_final_stats=1 "$@"

work="$build/fuzz"
mkdir -p "$work/corpus" "$work/seeds" "$work/artifacts"

# One seed per suite model, named after its test, plus the hand-made seeds beside this script.
for model in /usr/share/libonnx-testdata/data/*/*/model.onnx; do
  name=$(basename "$(dirname "$model")")
  [[ -e "$work/seeds/$name.onnx" ]] || cp "$model" "$work/seeds/$name.onnx"
done
cp "$(dirname "$0")"/seeds/*.onnx "$work/seeds/"

echo "fuzz: model_load_fuzzer for ${seconds}s ($(ls "$work/seeds" | wc -l) seeds)"
# -rss_limit_mb also caps single allocations (malloc_limit_mb defaults to it): a model must not
# make the loader allocate what its bytes do not hold. The corpus directory comes first: new
# inputs are written there.
exec "$fuzzer" "$work/corpus" "$work/seeds" \
  -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len=65536 \
  -artifact_prefix="$work/artifacts/" -print_final_stats=1 "$@"
