// Times one ONNX model in ONNX Runtime (onnxruntime-node, CPU), the counterpart of
// mlos-bench-engine for bench.py. Uses tools/compare-ort's npm package (no second copy).
//
// Usage: node bench_ort.js MODEL INPUTS_DIR THREADS [--warmup 2] [--min-runs 10] [--seconds 2]
//                          [--max-seconds 10] [--profile DIR]
//
// INPUTS_DIR holds inputs.json and the raw input files written by `mlos-bench-engine
// --write-inputs`. The session has intraOpNumThreads=THREADS, interOpNumThreads=1 and ORT's
// default graph optimizations (all). Runs --warmup untimed runs, then timed runs until --seconds
// have passed and at least --min-runs were made, or --max-seconds and at least 3 runs (the rule
// of mlos-bench-engine). Prints one JSON line like mlos-bench-engine's:
// load_ms (InferenceSession.create), runs, p50_ms/p90_ms/mean_ms (nearest rank), peak_rss_mib
// (VmHWM), start_rss_mib (VmHWM before onnxruntime is loaded: node's own share), ort_version;
// with --profile DIR, ORT's profiler writes its trace into DIR and "profile" lists
// [{op_type, nodes, ms}] per timed run from the trace's kernel events, most time first.
'use strict';

const fs = require('fs');
const path = require('path');

function peakRssMib() {
  const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) / 1024 : 0;
}

const startRssMib = peakRssMib();
const ort = require(path.join(__dirname, '..', 'compare-ort', 'node_modules', 'onnxruntime-node'));

const ARRAYS = {
  float32: Float32Array, float64: Float64Array, int8: Int8Array, uint8: Uint8Array,
  int16: Int16Array, uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array,
  int64: BigInt64Array, uint64: BigUint64Array, bool: Uint8Array,
};

function parseArguments(argv) {
  const [model, inputsDir, threads, ...rest] = argv;
  if (!model || !inputsDir || !threads) {
    throw new Error('usage: bench_ort.js MODEL INPUTS_DIR THREADS [--warmup N] [--min-runs N] ' +
                    '[--seconds S] [--max-seconds S] [--profile DIR]');
  }
  const options = {model, inputsDir, threads: Number(threads), warmup: 2, minRuns: 10,
                   seconds: 2, maxSeconds: 10, profileDir: null};
  const names = {'--warmup': 'warmup', '--min-runs': 'minRuns', '--seconds': 'seconds',
                 '--max-seconds': 'maxSeconds', '--profile': 'profileDir'};
  for (let i = 0; i < rest.length; i += 2) {
    const name = names[rest[i]];
    if (!name || rest[i + 1] === undefined) throw new Error(`bad argument ${rest[i]}`);
    options[name] = name === 'profileDir' ? rest[i + 1] : Number(rest[i + 1]);
  }
  return options;
}

function readInputs(dir) {
  const feeds = {};
  for (const {name, dtype, shape, file} of JSON.parse(
      fs.readFileSync(path.join(dir, 'inputs.json'), 'utf8'))) {
    const Array = ARRAYS[dtype];
    if (!Array) throw new Error(`${dir}: unsupported input type ${dtype} of '${name}'`);
    const bytes = fs.readFileSync(file);
    // Copy into a fresh, aligned buffer: a Buffer may start at any offset of its pool.
    const data = new Array(bytes.byteLength / Array.BYTES_PER_ELEMENT);
    new Uint8Array(data.buffer).set(bytes);
    feeds[name] = new ort.Tensor(dtype, data, shape);
  }
  return feeds;
}

function enoughRuns(runs, seconds, options) {
  const fewestRuns = 3;  // even a model slower than --max-seconds gets a median of 3
  return (runs >= options.minRuns && seconds >= options.seconds) ||
         (runs >= fewestRuns && seconds >= options.maxSeconds);
}

function nearestRank(sorted, quantile) {
  if (sorted.length === 0) return 0;
  return sorted[Math.max(0, Math.ceil(quantile * sorted.length) - 1)];
}

// [{op_type, nodes, ms}] per timed run: the trace's kernel events after the warm-up's runs.
function profilePerRun(traceFile, warmup, runs) {
  const events = JSON.parse(fs.readFileSync(traceFile, 'utf8'));
  const runStarts = events.filter((event) => event.name === 'model_run')
      .map((event) => event.ts).sort((a, b) => a - b);
  const timedFrom = runStarts[warmup] ?? 0;
  const totals = new Map();
  for (const event of events) {
    if (event.cat !== 'Node' || !event.name.endsWith('_kernel_time') || event.ts < timedFrom) {
      continue;
    }
    const opType = (event.args && event.args.op_name) || '?';
    const total = totals.get(opType) || {op_type: opType, nodes: 0, ms: 0};
    total.nodes += 1;
    total.ms += event.dur / 1e3;
    totals.set(opType, total);
  }
  return [...totals.values()]
      .map((total) => ({op_type: total.op_type, nodes: total.nodes / runs, ms: total.ms / runs}))
      .sort((a, b) => b.ms - a.ms);
}

async function main() {
  const options = parseArguments(process.argv.slice(2));
  const feeds = readInputs(options.inputsDir);
  const sessionOptions = {intraOpNumThreads: options.threads, interOpNumThreads: 1,
                          graphOptimizationLevel: 'all', executionMode: 'sequential'};
  if (options.profileDir) {
    fs.mkdirSync(options.profileDir, {recursive: true});
    Object.assign(sessionOptions, {enableProfiling: true,
                                   profileFilePrefix: path.join(options.profileDir, 'ort')});
  }
  const loadStarted = process.hrtime.bigint();
  const session = await ort.InferenceSession.create(options.model, sessionOptions);
  const loadMs = Number(process.hrtime.bigint() - loadStarted) / 1e6;
  for (let i = 0; i < options.warmup; ++i) await session.run(feeds);
  const latencies = [];
  const timedStarted = process.hrtime.bigint();
  while (!enoughRuns(latencies.length, Number(process.hrtime.bigint() - timedStarted) / 1e9,
                     options)) {
    const started = process.hrtime.bigint();
    await session.run(feeds);
    latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  const result = {
    engine: 'ort', ort_version: ort.env.versions ? ort.env.versions.common : '',
    threads: options.threads, load_ms: loadMs, warmup: options.warmup, runs: latencies.length,
    p50_ms: nearestRank(sorted, 0.5), p90_ms: nearestRank(sorted, 0.9),
    mean_ms: latencies.reduce((sum, value) => sum + value, 0) / latencies.length,
    peak_rss_mib: peakRssMib(), start_rss_mib: startRssMib,
  };
  if (options.profileDir) {
    session.endProfiling();
    const traces = fs.readdirSync(options.profileDir)
        .filter((name) => name.startsWith('ort') && name.endsWith('.json'));
    if (traces.length !== 1) {
      throw new Error(`expected one ORT trace in ${options.profileDir}, found ${traces.length}`);
    }
    result.profile = profilePerRun(path.join(options.profileDir, traces[0]), options.warmup,
                                   latencies.length);
  }
  await session.release();
  console.log(JSON.stringify(result));
}

main().catch((error) => {
  console.error(`bench_ort: ${error.message || error}`);
  process.exit(1);
});
