#!/usr/bin/env bash
# The demo behind `make run`: starts mlos-core with fixture models installed by axon and registered,
# prints curl lines that call them, and keeps the server in the foreground until Ctrl-C.
#
# Usage: scripts/run-demo.sh BUILD_DIR PORT
# State lives under BUILD_DIR/demo (axon-home, mlos-home, server log), so a second run reuses it.
set -euo pipefail

if (( $# != 2 )); then
  echo "usage: $0 BUILD_DIR PORT" >&2
  exit 2
fi
build=$(realpath -m "$1")
port=$2
repo=$(cd "$(dirname "$0")/.." && pwd)
core="$build/bin/mlos-core"
axon="$build/bin/axon"
fixtures="$build/fixtures"
demo="$build/demo"
url="http://127.0.0.1:$port"
demo_models=(mlp tiny_bert)

for binary in "$core" "$axon"; do
  if [[ ! -x "$binary" ]]; then
    echo "demo: $binary is missing; build first (make build)" >&2
    exit 1
  fi
done

if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "demo: port $port is already in use; stop what listens there or pick another: make run PORT=8090" >&2
  exit 1
fi

for name in "${demo_models[@]}"; do
  if [[ ! -f "$fixtures/$name/model.onnx" ]]; then
    echo "demo: making the fixture models ${demo_models[*]} in $fixtures"
    OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 "$repo/fixtures/make_fixtures.py" \
      --out "$fixtures" --only "${demo_models[@]}"
    break
  fi
done

export AXON_HOME="$demo/axon-home"
mkdir -p "$AXON_HOME" "$demo/mlos-home"
for name in "${demo_models[@]}"; do
  if ! "$axon" info "local/$name@latest" >/dev/null 2>&1; then
    "$axon" install "$fixtures/$name" --as "local/$name@latest"
  fi
done

# gRPC and IPC are off so the demo needs nothing but PORT; the server's log goes to the terminal.
"$core" --http-port "$port" --home "$demo/mlos-home" --no-grpc --no-ipc &
server=$!
trap 'kill -TERM "$server" 2>/dev/null; wait "$server"' INT TERM
trap 'kill -TERM "$server" 2>/dev/null || true' EXIT

for (( attempt = 0; ; attempt++ )); do
  if curl -sf "$url/health" >/dev/null; then break; fi
  if ! kill -0 "$server" 2>/dev/null || (( attempt >= 300 )); then
    echo "demo: mlos-core did not come up on port $port (see its log above)" >&2
    exit 1
  fi
  sleep 0.1
done

for name in "${demo_models[@]}"; do
  "$axon" register "local/$name@latest" --core "$url"
done

mlp_call="curl -s -X POST '$url/models/local%2Fmlp%40latest/inference' -H 'Content-Type: application/json' -d '{\"input\": [0.5, -1, 2, 0, 1.5, -0.25, 3, 1, -2, 0.75, 1, -1.5, 2.5, 0, -0.5, 1]}'"
bert_call="curl -s -X POST '$url/models/local%2Ftiny_bert%40latest/inference?include_outputs=false' -H 'Content-Type: application/json' -d '{\"input_ids\": [[1, 17, 42, 8, 99, 2]]}'"

echo
echo "mlos-core is serving on $url with local/mlp@latest and local/tiny_bert@latest registered."
echo "Try:"
echo "  $mlp_call"
echo "  $bert_call"
echo "Its reply to the first:"
echo "  $(eval "$mlp_call")"
echo "Ctrl-C stops the server."
wait "$server"
