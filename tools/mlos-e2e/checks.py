"""The system test's checks of one reply against torch's reference outputs. Each returns a list
of {"check", "passed", "detail"} entries; none of them warns instead of failing.

  names   the reply has exactly the declared outputs
  shapes  each output's shape is torch's
  dtypes  each output's datatype is torch's
  values  |served - torch| <= ATOL * max(1, max|torch|) + RTOL * |torch|, element-wise
  top5    classifier logits: the same five classes on top as torch, for every row
  cosine  embeddings: cosine similarity with torch >= COSINE_MIN, for every row
"""

import numpy

RTOL = 1e-3
ATOL = 1e-4
COSINE_MIN = 0.999

DATATYPES = {numpy.dtype(numpy.float32): "FP32", numpy.dtype(numpy.float64): "FP64",
             numpy.dtype(numpy.float16): "FP16", numpy.dtype(numpy.int64): "INT64",
             numpy.dtype(numpy.int32): "INT32", numpy.dtype(numpy.bool_): "BOOL",
             numpy.dtype(numpy.uint8): "UINT8", numpy.dtype(numpy.int8): "INT8"}


def result(check, passed, detail):
    return {"check": check, "passed": bool(passed), "detail": detail}


def compare(expected, served, judgements=()):
    """EXPECTED: {output name: numpy array} (torch); SERVED: {output name: (datatype, numpy
    array)}; JUDGEMENTS: zoo.Judgement (output names as served)."""
    results = []
    missing = [name for name in expected if name not in served]
    extra = [name for name in served if name not in expected]
    results.append(result("names", not missing and not extra,
                          f"outputs {list(served)}" if not missing and not extra else
                          f"missing {missing}, unexpected {extra}"))
    for name, want in expected.items():
        if name not in served:
            continue
        datatype, have = served[name]
        results.append(shape_check(name, want, have))
        want_type = DATATYPES.get(want.dtype, str(want.dtype))
        results.append(result("dtypes", datatype == want_type,
                              f"{name}: {datatype}" + ("" if datatype == want_type else
                                                       f", torch gives {want_type}")))
        if have.shape == want.shape:
            results.append(values_check(name, want, have))
    for judgement in judgements:
        if judgement.output in served and judgement.output in expected:
            want, have = expected[judgement.output], served[judgement.output][1]
            if have.shape == want.shape:
                check = top5_check if judgement.kind == "top5" else cosine_check
                results.append(check(judgement.output, want, have))
    return results


def shape_check(name, want, have):
    passed = tuple(have.shape) == tuple(want.shape)
    return result("shapes", passed, f"{name}: {list(have.shape)}" +
                  ("" if passed else f", torch gives {list(want.shape)}"))


def values_check(name, want, have):
    if want.dtype.kind not in "fc":
        equal = numpy.array_equal(want, have)
        return result("values", equal, f"{name}: " + ("identical" if equal else
                      f"{int(numpy.sum(want != have))} of {want.size} elements differ"))
    want64, have64 = want.astype(numpy.float64), have.astype(numpy.float64)
    if not numpy.all(numpy.isfinite(have64)):
        return result("values", False, f"{name}: {int(numpy.sum(~numpy.isfinite(have64)))} "
                                       f"non-finite values")
    scale = max(1.0, float(numpy.max(numpy.abs(want64)))) if want.size else 1.0
    error = numpy.abs(have64 - want64)
    allowed = ATOL * scale + RTOL * numpy.abs(want64)
    worst = float(error.max()) if error.size else 0.0
    passed = bool(numpy.all(error <= allowed))
    return result("values", passed,
                  f"{name}: max |error| {worst:.3g}, allowed {ATOL:g}*{scale:.3g} + "
                  f"{RTOL:g}*|torch|" + ("" if passed else
                                         f"; {int(numpy.sum(error > allowed))} of "
                                         f"{error.size} elements outside"))


def rows(array):
    return array.reshape(-1, array.shape[-1]) if array.ndim > 1 else array.reshape(1, -1)


def top5_check(name, want, have):
    failures = []
    for index, (want_row, have_row) in enumerate(zip(rows(want), rows(have))):
        want_top = list(numpy.argsort(-want_row, kind="stable")[:5])
        have_top = list(numpy.argsort(-have_row, kind="stable")[:5])
        if set(want_top) != set(have_top):
            failures.append(f"row {index}: {have_top} instead of torch's {want_top}")
    return result("top5", not failures,
                  f"{name}: the same top-5 classes as torch in all {len(rows(want))} rows"
                  if not failures else f"{name}: " + "; ".join(failures))


def cosine_check(name, want, have):
    similarities = []
    for want_row, have_row in zip(rows(want).astype(numpy.float64),
                                  rows(have).astype(numpy.float64)):
        norm = numpy.linalg.norm(want_row) * numpy.linalg.norm(have_row)
        similarities.append(float(want_row @ have_row / norm) if norm > 0 else 0.0)
    lowest = min(similarities)
    return result("cosine", lowest >= COSINE_MIN,
                  f"{name}: lowest cosine similarity {lowest:.6f} (minimum {COSINE_MIN})")


def same_answers(replies):
    """REPLIES: {protocol: {output name: (datatype, array)}} for one request; every protocol must
    give the same bytes."""
    protocols = list(replies)
    if len(protocols) < 2:
        return result("same-answers", True, f"only {protocols} answered")
    first = replies[protocols[0]]
    differing = []
    for protocol in protocols[1:]:
        other = replies[protocol]
        if set(other) != set(first) or any(
                other[name][0] != first[name][0] or other[name][1].shape != first[name][1].shape
                or other[name][1].tobytes() != first[name][1].tobytes() for name in first):
            differing.append(protocol)
    return result("same-answers", not differing,
                  f"{', '.join(protocols)} gave identical bytes" if not differing else
                  f"{', '.join(differing)} differ from {protocols[0]}")
