# MLOS developer entry points. `make run` and `make test` work on a fresh Debian 12 machine.
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)
PORT       ?= 8080
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
# make test fuzzes a fixed number of runs from a fixed seed, so that CI is repeatable; `make fuzz`
# explores for FUZZ_SECONDS with a fresh seed.
FUZZ_TEST_RUNS ?= 100000
FUZZ_TEST_SECONDS ?= 300

.PHONY: all deps configure build build-asan build-fuzz fuzz run test test-unit test-asan fixtures format clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

configure: $(BUILD)/build.ninja

build: deps configure
	cmake --build $(BUILD) -j $(JOBS)

$(ASAN_BUILD)/build.ninja:
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DMLOS_SANITIZE=ON

# Unit tests, plus mlos-core and the echo plugin for the ASan server test (core_server_asan);
# the integration tests are not run here.
build-asan: deps $(ASAN_BUILD)/build.ninja
	cmake --build $(ASAN_BUILD) -j $(JOBS) --target unit_tests mlos-core test_plugins

$(FUZZ_BUILD)/build.ninja:
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DMLOS_FUZZ=ON

# libFuzzer targets (clang, ASan+UBSan, tools/fuzz/); only they are built in $(FUZZ_BUILD).
build-fuzz: deps $(FUZZ_BUILD)/build.ninja
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzzers

# Fuzzes the request parsers (REQUEST_FUZZ_SECONDS, 30 s) and model loading for $(FUZZ_SECONDS) s,
# seeded with tools/fuzz/request_seeds and the ONNX test suite's models.
fuzz: build-fuzz
	tools/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

# Builds, creates the demo model, starts mlos-core on $(PORT) with it registered.
run: build
	@scripts/run-demo.sh $(BUILD) $(PORT)

test: build build-asan build-fuzz
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS) -L unit
	tools/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_TEST_SECONDS) -seed=1 -runs=$(FUZZ_TEST_RUNS)

# Compares the engine with ONNX Runtime on the real-size architectures (tools/compare-ort); the
# first run exports them into $(BUILD)/compare-ort/models (several GB, minutes).
.PHONY: compare-ort
compare-ort: deps configure
	cmake --build $(BUILD) -j $(JOBS) --target mlos-run
	cd tools/compare-ort && { [ -d node_modules/onnxruntime-node ] || \
	  ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund; }
	tools/compare-ort/compare.py --models $(BUILD)/compare-ort/models \
	  --mlos-run $(BUILD)/bin/mlos-run

# Server benchmarks (tools/bench-server, docs/benchmarks.md): what mlos-core adds on top of the
# model over HTTP, requests/s, a ResNet-50 JSON request and dynamic batching. Prints figures; the
# first run exports ResNet-50 into $(BUILD)/bench-server/models. BENCH_ARGS=--quick: a smoke run.
.PHONY: bench-server
bench-server: deps configure
	cmake --build $(BUILD) -j $(JOBS) --target mlos-core mlos-bench-http mlos-bench-inprocess
	/usr/bin/python3 tools/bench-server/bench.py --build $(BUILD) $(BENCH_ARGS)

# The same fixture models (mlp, convnet) in-process through the onnx and the torchscript SMI
# plugins (tools/bench-plugins, docs/benchmarks.md): median latency per model per plugin and the
# ratio. Needs libtorch-dev. BENCH_ARGS: e.g. --torchscript-optimize all, --runs 500, --threads 1.
# The benchmark runs with libgomp's default wait policy: under OMP_WAIT_POLICY=PASSIVE LibTorch's
# sleeping OpenMP workers make small models several times slower (docs/benchmarks.md).
.PHONY: bench-plugins
bench-plugins: deps configure
	cmake --build $(BUILD) -j $(JOBS) --target mlos-bench-plugins
	OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 fixtures/make_fixtures.py --out $(BUILD)/fixtures \
	  --only mlp convnet
	$(BUILD)/bin/mlos-bench-plugins --plugin-dir $(BUILD)/lib/plugins \
	  --fixtures $(BUILD)/fixtures $(BENCH_ARGS)

# What each protocol adds on top of the model (tools/bench-protocols, docs/benchmarks.md): p50/p99
# and requests/s over HTTP, IPC, IPC with shared memory and gRPC, beside the in-process call, for a
# tiny model and a ResNet-50 sized input. BENCH_ARGS=--quick: a smoke run.
.PHONY: bench-protocols
bench-protocols: deps configure
	cmake --build $(BUILD) -j $(JOBS) --target mlos-core mlos-bench-client mlos-bench-grpc \
	  mlos-bench-inprocess
	/usr/bin/python3 tools/bench-protocols/bench.py --build $(BUILD) $(BENCH_ARGS)

# The system test over the real-size model zoo (tools/mlos-e2e, docs/e2e.md): publish, install,
# register and serve every model over every protocol, checked against torch; writes
# $(BUILD)/e2e/full/{summary.json,report.html,report.png}. The first run exports the zoo into
# $(BUILD)/e2e/zoo-real (several GB, many minutes). E2E_ARGS: e.g. --models bert clip.
.PHONY: e2e
e2e: build
	OMP_WAIT_POLICY=PASSIVE $(BUILD)/bin/mlos-e2e $(E2E_ARGS)

# Axon install time of a 100 MiB model from the hub emulator (tools/bench-axon, docs/benchmarks.md):
# one stream vs ranged parallel parts, on the bare loopback and behind a per-connection cap.
# BENCH_ARGS: e.g. --repeat 5, --size-mib 200, --cap-mib-s 10.
.PHONY: bench-axon
bench-axon: deps configure
	cmake --build $(BUILD) -j $(JOBS) --target axon
	/usr/bin/python3 tools/bench-axon/bench.py --axon $(BUILD)/bin/axon $(BENCH_ARGS)

# Our ONNX engine against ONNX Runtime on the real-size models (tools/bench-engine,
# docs/benchmarks.md): p50/p90, ratio, peak RSS and load time at 1 and 2 threads, batch-8
# throughput; writes $(BUILD)/bench-engine/results.json. The first run exports the models into
# $(BUILD)/compare-ort/models. BENCH_ARGS: e.g. --quick, --models bert-128, --openblas-env unset,
# --profile bert-128 --threads 2.
.PHONY: bench-engine
bench-engine: deps configure
	cmake --build $(BUILD) -j $(JOBS) --target mlos-bench-engine
	cd tools/compare-ort && { [ -d node_modules/onnxruntime-node ] || \
	  ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund; }
	/usr/bin/python3 tools/bench-engine/bench.py --build $(BUILD) $(BENCH_ARGS)

format:
	git ls-files '*.h' '*.cc' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
