"""The CUDA printer (codegen/cuda): every kernel lowered from the test graphs (elementwise and fused
graphs of the LLVM tests over every dtype, reductions, argmax, softmax/crossentropy, gathers, an
MLP train step) prints, and the translation units compile with `nvcc -cubin -arch=sm_90`
(skipped where nvcc is absent). Several functions share one TU per nvcc call (nvcc costs about
half a second a call). No GPU is needed or used: nothing here runs a kernel."""
from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import pytest

import symnet as sn
from codegen.cuda import (PRELUDE_TEXT, CUDABackend, CUDARuntimeUnavailable, c_name, lower_function, print_function,
                          print_program)
from codegen.cuda.scalar import literal
from codegen.kernel import ArgKernel, GatherKernel, GemmKernel, LoopKernel

NVCC = shutil.which("nvcc")
needs_nvcc = pytest.mark.skipif(NVCC is None, reason="nvcc is not on PATH")

INT_DTYPES = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"]
FLOAT_DTYPES = ["float32", "float64"]


def _fn(*args, **kw):
    """The rewritten graph does not depend on the mode; the reference mode skips LLVM's JIT."""
    return sn.function(*args, mode="reference", **kw)


def _float_graphs(dt):
    x, y = sn.matrix("x", dtype=dt), sn.vector("y", dtype=dt)
    c = sn.tensor((None, 1), dtype=dt, name="c")
    un = [sn.exp, sn.log, sn.sin, sn.cos, sn.tan, sn.tanh, sn.erf, sn.expm1, sn.log1p, sn.sqrt, sn.sigmoid,
          sn.softplus, sn.relu, sn.nnet.elu, sn.floor, sn.ceil, sn.round, sn.sign, sn.abs, sn.neg, sn.sqr]
    outs = [u(x) for u in un]
    outs += [x ** y, sn.floor_div(x, y), sn.mod(x, c), sn.maximum(x, y), sn.minimum(x, c), sn.clip(x, -1.5, 2.0),
             sn.switch(sn.isnan(x) | sn.isinf(y), x, y * 2), sn.cast(x, "int32"), sn.cast(x, "uint64"),
             sn.cast(x, "bool"), x > y, sn.eq(x, c), (x < 0) ^ (y >= 1), x / (sn.abs(y) + 1)]
    f = _fn([x, y, c], outs, on_unused_input="ignore")
    # gradients of the unary family: relu's step, elu's and sigmoid's derivative forms
    cost = sum(sn.sum(u(x) * c) for u in [sn.tanh, sn.sigmoid, sn.softplus, sn.relu, sn.nnet.elu, sn.erf, sn.sqrt])
    g = _fn([x, c], sn.grad(cost, [x, c]), on_unused_input="ignore")
    return [f, g]


def _int_graphs(dt):
    x, y = sn.matrix("x", dtype=dt), sn.vector("y", dtype=dt)
    outs = [x + y, x - y, x * y, sn.floor_div(x, y), sn.mod(x, y), sn.maximum(x, y), sn.minimum(x, y), sn.abs(x),
            sn.sign(x), -x, sn.sqr(x), sn.clip(x, 1, 5), x > y, sn.neq(x, y), sn.cast(x, "float32"),
            sn.cast(x, "int8"), sn.cast(x, "bool"), sn.switch(x > y, x, y), x ** y]
    return [_fn([x, y], outs, on_unused_input="ignore")]


def _bool_graphs():
    a, b = sn.matrix("a", dtype="bool"), sn.vector("b", dtype="bool")
    return [_fn([a, b], [a & b, a | b, a ^ b, ~a, sn.any(a, axis=1), sn.all(a), a + b, a * b,
                                 sn.cast(a, "float64")])]


def _reduction_graphs():
    fns = []
    for dt in FLOAT_DTYPES + ["int32", "int64", "uint8"]:
        x = sn.tensor((None, None, None), dtype=dt, name="x")
        outs = [sn.sum(x), sn.sum(x, axis=1), sn.prod(x, axis=(0, 2)), sn.max(x, axis=2), sn.min(x, axis=0),
                sn.argmax(x, axis=1), sn.argmin(x, axis=-1), sn.sum(sn.sqr(x), axis=-1, keepdims=True)]
        fns.append(_fn([x], outs))
    return fns


def _nnet_graphs():
    fns = []
    for dt in FLOAT_DTYPES:
        x = sn.matrix("x", dtype=dt)
        t = sn.ivector("t")
        oh = sn.matrix("oh", dtype=dt)
        sm = sn.nnet.softmax(x)
        loss = sn.mean(sn.nnet.sparse_categorical_crossentropy(t, x, from_logits=True)) \
            if _has_kw(sn.nnet.sparse_categorical_crossentropy) else sn.mean(sn.nnet.categorical_crossentropy(sm, t))
        outs = [sm, sn.nnet.log_softmax(x), sn.nnet.categorical_crossentropy(sm, oh), loss]
        outs += sn.grad(loss, [x])
        fns.append(_fn([x, t, oh], outs, on_unused_input="ignore"))
    return fns


def _has_kw(fn) -> bool:
    import inspect
    try:
        return "from_logits" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


def _gather_graphs():
    w = sn.matrix("w")
    idx = sn.ivector("idx")
    lidx = sn.lvector("lidx")
    y = sn.matrix("y")
    emb = w[idx]
    outs = [emb, w[lidx], sn.inc_subtensor(w[idx], y), sn.set_subtensor(w[lidx], y)]
    outs += sn.grad(sn.sum(sn.tanh(emb) * y), [w])
    return [_fn([w, idx, lidx, y], outs, on_unused_input="ignore")]


def _mlp_train_step():
    rng = np.random.default_rng(0)
    x, t = sn.matrix("x"), sn.ivector("t")
    w1 = sn.shared(rng.standard_normal((8, 16)).astype("float32"), name="w1")
    b1 = sn.shared(np.zeros(16, "float32"), name="b1")
    w2 = sn.shared(rng.standard_normal((16, 4)).astype("float32"), name="w2")
    b2 = sn.shared(np.zeros(4, "float32"), name="b2")
    h = sn.relu(sn.dot(x, w1) + b1)
    logits = sn.dot(h, w2) + b2
    p = sn.nnet.softmax(logits)
    loss = sn.mean(sn.nnet.categorical_crossentropy(p, t))
    acc = sn.mean(sn.eq(sn.argmax(p, axis=1), t))
    params = [w1, b1, w2, b2]
    grads = sn.grad(loss, params)
    updates = [(v, v - np.float32(0.1) * g) for v, g in zip(params, grads)]
    return [_fn([x, t], [loss, acc], updates=updates)]


def _keras_mlp_train_step():
    """A Keras Sequential MLP's train function (Dense, relu, Dropout, softmax, Adam, accuracy)."""
    keras = pytest.importorskip("keras_api")
    old = sn.config.mode
    sn.config.mode = "reference"
    try:
        m = keras.Sequential([keras.layers.Input((8,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dropout(0.5), keras.layers.Dense(4, activation="softmax")])
        m.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        m.train_on_batch(np.ones((5, 8), "float32"), np.array([0, 1, 2, 3, 1]))
    finally:
        sn.config.mode = old
    fns = []
    for _, built in m._fns.values():
        fns.append(built[0] if isinstance(built, tuple) else built)
    assert fns
    return fns


def _conv_graphs():
    """A conv/relu/pool step: conv and pooling have no lowering yet (host fallbacks, printed as
    comments naming the CUDA target); the elementwise and reduction kernels around them print."""
    x = sn.tensor((None, None, None, None), name="x")
    w = sn.tensor((None, None, None, None), name="w")
    y = sn.nnet.pool_2d(sn.relu(sn.nnet.conv2d(x, w)), (2, 2), ignore_border=True)
    return [_fn([x, w], [y] + sn.grad(sn.sum(y * y), [w]))]


def test_fallbacks_are_comments_naming_the_cuda_target():
    source, missing, kernels = _group_tu("conv")
    assert "host fallback AbstractConv2d" in source and "no CUDA lowering for AbstractConv2d" in source
    assert kernels and missing == []


def _fused_graphs():
    """Deterministic instances of tests/codegen/test_llvm_fused.py's random graphs."""
    un = [sn.exp, sn.tanh, sn.sigmoid, sn.abs, sn.neg, sn.sqr, sn.softplus, sn.relu, lambda v: sn.log(sn.abs(v) + 1)]
    bi = [sn.add, sn.sub, sn.mul, sn.maximum, sn.minimum, lambda a, b: a / (sn.abs(b) + 1)]
    fns = []
    for case, (steps, red, dt) in enumerate([([(0, 0, 0), (1, 0, 1), (0, 0, 1)], None, "float32"),
                                             ([(2, 3, 2), (8, 5, 1), (6, 1, 0), (7, 2, 2)], 0, "float64"),
                                             ([(4, 4, 1), (5, 2, 2), (3, 0, 0)], 1, "float32"),
                                             ([(1, 1, 1), (6, 3, 0)], "none", "float64")]):
        x, b = sn.matrix("x", dtype=dt), sn.vector("b", dtype=dt)
        c = sn.tensor((None, 1), dtype=dt, name="c")
        leaves = [x, b, c]
        v = x
        for u, j, leaf in steps:
            v = bi[j](un[u](v), leaves[leaf])
        out = v if red == "none" else sn.sum(v, axis=red) if red is not None else sn.max(v)
        cost = sn.sum(out * out) if out.ndim else out * out
        fns.append(_fn([x, b, c], [out] + sn.grad(cost, [x, b], disconnected_inputs="ignore"),
                               on_unused_input="ignore"))
    return fns


def _blas_graphs():
    fns = []
    for dt in FLOAT_DTYPES:
        a, b = sn.matrix("a", dtype=dt), sn.matrix("b", dtype=dt)
        c = sn.matrix("c", dtype=dt)
        t3, u3 = sn.tensor((None, None, None), dtype=dt, name="t3"), sn.tensor((None, None, None), dtype=dt, name="u3")
        outs = [sn.dot(a, b), sn.dot(a.T, b), sn.dot(a, b.T) * 2 + c, sn.matmul(t3, u3), sn.matmul(t3, b)]
        fns.append(_fn([a, b, c, t3, u3], outs, on_unused_input="ignore"))
    return fns


GROUPS = {
    "random": lambda: _random_graphs(),
    "blas": _blas_graphs,
    "float": lambda: [f for dt in FLOAT_DTYPES for f in _float_graphs(dt)],
    "int": lambda: [f for dt in INT_DTYPES for f in _int_graphs(dt)] + _bool_graphs(),
    "reduce": _reduction_graphs,
    "nnet": _nnet_graphs,
    "gather": _gather_graphs,
    "fused": _fused_graphs,
    "mlp": _mlp_train_step,
    "conv": _conv_graphs,
    "keras_mlp": _keras_mlp_train_step,
}


@functools.lru_cache(maxsize=None)
def _group_tu(group: str) -> tuple[str, list, list]:
    """A group's functions in one TU (kernel names prefixed per function): (source, kernels not
    printed, [(C name, kernel)] of the loop/arg/gather kernels)."""
    parts, missing, kernels = [PRELUDE_TEXT], [], []
    for i, f in enumerate(GROUPS[group]()):
        prog = lower_function(f)
        text, miss = print_program(prog, prefix=f"f{i}_", prelude=False)
        parts.append(text)
        missing += miss
        kernels += [(c_name(f"f{i}_{s.name}"), s) for s in prog.steps
                    if isinstance(s, (LoopKernel, ArgKernel, GatherKernel, GemmKernel))]
    return "\n".join(parts), missing, kernels


def _nvcc(source: str, label: str) -> None:
    with tempfile.TemporaryDirectory() as d:
        cu = os.path.join(d, f"{label}.cu")
        with open(cu, "w") as fh:
            fh.write(source)
        r = subprocess.run([NVCC, "-cubin", "-arch=sm_90", "-o", os.path.join(d, f"{label}.cubin"), cu],
                           capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, f"nvcc failed on {label}:\n{r.stderr[-4000:]}"
        assert "warning" not in r.stderr.lower(), f"nvcc warnings on {label}:\n{r.stderr[-4000:]}"


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_group_prints_every_kernel(group):
    source, missing, kernels = _group_tu(group)
    assert missing == []          # every loop/arg/gather/GEMM kernel prints
    assert kernels
    for name, k in kernels:
        assert f"__global__ void __launch_bounds__(256) {name}(const {name}_params p)" in source, name
        if isinstance(k, LoopKernel) and k.reduce:
            assert f" {name}_finish(const {name}_params p, int nsplit)" in source, name


@needs_nvcc
@pytest.mark.parametrize("group", sorted(GROUPS))
def test_group_compiles_with_nvcc(group):
    source, _, _ = _group_tu(group)
    _nvcc(source, group)


def test_kernel_kinds_covered():
    """The groups exercise every printable kind: elementwise, reductions, arg, gather (all modes)."""
    kinds = set()
    for group in GROUPS:
        for _, s in _group_tu(group)[2]:
            if isinstance(s, LoopKernel):
                kinds.add("reduce" if s.reduce else "loop")
            elif isinstance(s, GatherKernel):
                kinds.add("gather_" + s.mode)
            else:
                kinds.add(type(s).__name__)
    assert {"loop", "reduce", "ArgKernel", "GemmKernel", "gather_take", "gather_inc", "gather_set", "gather_pick"} <= kinds, kinds


@needs_nvcc
def test_print_function_is_one_compilable_tu():
    x = sn.matrix("x")
    f = _fn([x], [sn.sum(sn.exp(x), axis=0), sn.argmax(x, axis=1)])
    src = print_function(f)
    assert src.count("template <typename T> __device__ __forceinline__ T sn_fmax_np") == 1
    _nvcc(src, "print_function")


def test_gemm_prints_the_tiled_kernel():
    a, b = sn.matrix("a"), sn.matrix("b")
    f = _fn([a, b], sn.dot(a, b))
    src, missing = print_program(lower_function(f))
    assert missing == [] and "NOT PRINTED" not in src
    assert "__shared__ float ta[16][16];" in src
    assert "beta == 0 ? alpha * acc" in src        # beta 0 never reads the output (BLAS semantics)
    print_function(f, strict=True)


def _random_graphs():
    srng = sn.RandomStream(1) if hasattr(sn, "RandomStream") else sn.random.RandomStream(1)
    x, d = sn.matrix("x"), sn.dmatrix("d")
    return [_fn([x, d], [x * srng.uniform(x.shape), srng.normal(x.shape, avg=1.0, std=2.0) + x,
                         srng.uniform(d.shape, low=-1, high=2, dtype="float64") * d,
                         srng.normal(d.shape, dtype="float64")])]


def test_samplers_print_philox():
    src, missing, kernels = _group_tu("random")
    assert missing == []
    assert sum(isinstance(k, LoopKernel) and k.sampler is not None for _, k in kernels) == 4
    assert "sn_uniform(x0, x1, (unsigned long long)(i)" in src and "sn_normal(x0, x1" in src


def test_print_function_rejects_non_functions():
    with pytest.raises(TypeError, match="Received: int"):
        print_function(3)


@pytest.mark.parametrize("value,dtype,text", [
    (1.0, "float32", "1.000000000e+00f"), (0.1, "float64", "1.00000000000000006e-01"),
    (float("inf"), "float32", "__int_as_float(0x7f800000)"), (float("-inf"), "float64", "-__longlong_as_double"),
    (float("nan"), "float32", "0x7fc00000"), (-(2 ** 63), "int64", "(-9223372036854775807LL - 1)"),
    (2 ** 64 - 1, "uint64", "18446744073709551615ULL"), (True, "bool", "true"), (-3, "int8", "((signed char)-3LL)"),
])
def test_literals(value, dtype, text):
    assert text in literal(value, dtype)


def test_signed_arithmetic_wraps_without_ub():
    x, y = sn.vector("x", dtype="int32"), sn.vector("y", dtype="int32")
    src = print_function(_fn([x, y], x * y + x))
    assert "(unsigned int)" in src         # int32 add/mul through the unsigned type


def test_mode_cuda_is_a_clear_error():
    """No CUDA runtime: mode=cuda says what running needs and that printing works."""
    x = sn.matrix("x")
    with pytest.raises(NotImplementedError, match="needs a CUDA GPU, its driver, pycuda") as e:
        sn.function([x], x * 2, mode="cuda")
    assert "symnet kernels FILE NAME --cuda" in str(e.value)
    with pytest.raises(sn.ConfigError, match="needs a CUDA GPU, its driver, pycuda"):
        sn.config.mode = "cuda"


def test_device_cuda_is_a_clear_error():
    with pytest.raises(sn.ConfigError, match="symnet kernels FILE NAME --cuda"):
        sn.config.device = "cuda"
    assert sn.config.device == "cpu"


def test_the_runtime_placeholder_refuses():
    with pytest.raises(CUDARuntimeUnavailable, match="pycuda"):
        CUDABackend()


def test_import_symnet_does_not_import_cuda():
    code = ("import sys, symnet as sn; x = sn.matrix('x'); sn.function([x], x + 1)([[1.0]]); "
            "assert 'codegen.cuda' not in sys.modules and 'pycuda' not in sys.modules, sorted(sys.modules)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                       cwd=os.path.join(os.path.dirname(__file__), "..", ".."))
    assert r.returncode == 0, r.stderr[-2000:]


def test_printing_imports_no_pycuda():
    code = ("import sys, symnet as sn, codegen.cuda as cu; x = sn.matrix('x'); "
            "cu.print_function(sn.function([x], sn.sum(x, axis=1))); assert 'pycuda' not in sys.modules")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                       cwd=os.path.join(os.path.dirname(__file__), "..", ".."))
    assert r.returncode == 0, r.stderr[-2000:]


@needs_nvcc
def test_tools_kernels_cuda_prints_a_compilable_tu(tmp_path):
    script = tmp_path / "built.py"
    script.write_text(
        "import numpy as np\nimport symnet as sn\n"
        "x = sn.matrix('x'); t = sn.ivector('t')\n"
        "w = sn.shared(np.ones((3, 4), 'float32'), name='w')\n"
        "loss = sn.mean(sn.nnet.categorical_crossentropy(sn.nnet.softmax(sn.dot(x, w)), t))\n"
        "train = sn.function([x, t], loss, updates=[(w, w - 0.1 * sn.grad(loss, w))], mode='reference')\n"
        "pred = sn.function([x], sn.argmax(sn.dot(x, w), axis=1), mode='reference')\n")
    root = os.path.join(os.path.dirname(__file__), "..", "..")
    r = subprocess.run([sys.executable, os.path.join(root, "tools", "kernels.py"), str(script), "--cuda"],
                       capture_output=True, text=True, timeout=300, cwd=root)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "// == train" in r.stdout and "// == pred" in r.stdout
    assert "train_k" in r.stdout and "pred_k" in r.stdout      # kernel names prefixed per function
    _nvcc(r.stdout, "tools_kernels")



def test_cli_kernels_cuda_one_function(tmp_path, capsys):
    """`symnet kernels FILE NAME --cuda`: one function, its kernel names unprefixed."""
    from symnet import cli
    script = tmp_path / "one.py"
    script.write_text("import symnet as sn\nx = sn.matrix('x')\n"
                      "pred = sn.function([x], sn.argmax(sn.exp(x), axis=1), mode='reference')\n")
    assert cli.main(["kernels", str(script), "pred", "--cuda"]) == 0
    out = capsys.readouterr().out
    assert "// == pred" in out and "__global__ void __launch_bounds__(256) k1_" in out


@pytest.mark.skipif(shutil.which("g++") is None, reason="g++ is not on PATH")
def test_printed_philox_matches_the_reference_generator(tmp_path):
    """The generator's C text (the part without device intrinsics) compiled for the host with g++
    gives the reference's words (symnet/ops/random.philox_blocks) bit for bit."""
    from codegen.cuda.philox import PHILOX_PRELUDE
    from symnet.ops.random import philox_blocks
    start = PHILOX_PRELUDE.index("__device__ __forceinline__ void sn_philox")
    end = PHILOX_PRELUDE.index("__device__ __forceinline__ float sn_uniform")
    gen = PHILOX_PRELUDE[start:end].replace("__device__ __forceinline__", "static inline")
    main = ("#include <cstdio>\n#include <cstdlib>\n" + gen +
            "int main(int argc, char** argv) {\n"
            "  unsigned long long key = strtoull(argv[1], 0, 10), ctr = strtoull(argv[2], 0, 10);\n"
            "  for (unsigned long long i = 0; i < 64; ++i) { unsigned int w[4]; sn_philox(key, ctr + i, w);\n"
            "    printf(\"%u %u %u %u\\n\", w[0], w[1], w[2], w[3]); }\n  return 0;\n}\n")
    src, exe = tmp_path / "philox.cpp", tmp_path / "philox"
    src.write_text(main)
    subprocess.run(["g++", "-O1", "-o", str(exe), str(src)], check=True, capture_output=True, timeout=120)
    for key, ctr in [(0, 0), (1234567, 2 ** 64 - 10), (2 ** 63 + 5, 2 ** 32 - 3)]:
        out = subprocess.run([str(exe), str(key), str(ctr)], check=True, capture_output=True, text=True).stdout
        got = np.array([[int(v) for v in ln.split()] for ln in out.splitlines()], dtype=np.uint64)
        want = np.stack(philox_blocks(key, ctr, 0, 64), axis=1)
        np.testing.assert_array_equal(got, want)


_HOST_CASTS = {"int8": "signed char", "int16": "short", "int32": "int", "int64": "long long", "uint8": "unsigned char",
               "uint16": "unsigned short", "uint32": "unsigned int", "uint64": "unsigned long long"}


@pytest.mark.skipif(shutil.which("g++") is None, reason="g++ is not on PATH")
def test_printed_float_to_int_casts_match_numpy(tmp_path):
    """The printed cast expressions (helpers of the prelude, made host functions) compiled with g++
    give NumPy's astype results on nan, infinities, out-of-range and ordinary values."""
    from codegen.cuda.scalar import PRELUDE, convert
    start = PRELUDE.index("template <typename F> __device__ __forceinline__ int sn_cvtt32")
    end = PRELUDE.index("// run-time errors")
    helpers = PRELUDE[start:end].replace("__device__ __forceinline__", "static inline")
    values = [0.0, -0.0, 1.5, -1.5, -1.0, 300.0, -300.0, 70000.7, 3e9, -3e9, 2.0 ** 31, 2.0 ** 32 + 5, 2.0 ** 63,
              1.5 * 2.0 ** 63, -2.0 ** 63, 1e30, -1e30, float("inf"), float("-inf"), float("nan")]
    for ft, fc in (("float32", "float"), ("float64", "double")):
        body = []
        for dst, c in _HOST_CASTS.items():
            expr = convert("x", ft, dst)
            body.append(f'  printf("%lld %llu\\n", (long long)({expr}), (unsigned long long)({expr}));')
        main = ("#include <cstdio>\n#include <cstdlib>\n" + helpers +
                f"int main(int argc, char** argv) {{\n  const {fc} x = ({fc})strtod(argv[1], 0);\n"
                + "\n".join(body) + "\n  return 0;\n}\n")
        src, exe = tmp_path / f"casts_{ft}.cpp", tmp_path / f"casts_{ft}"
        src.write_text(main)
        subprocess.run(["g++", "-O1", "-o", str(exe), str(src)], check=True, capture_output=True, timeout=120)
        for v in values:
            out = subprocess.run([str(exe), repr(v)], check=True, capture_output=True, text=True).stdout.split("\n")
            with np.errstate(invalid="ignore", over="ignore"):
                arr = np.array([v], dtype=ft)
                for line, dst in zip(out, _HOST_CASTS):
                    want = arr.astype(dst)[0]
                    got_signed, got_unsigned = (int(t) for t in line.split())
                    got = got_unsigned if dst.startswith("uint") else got_signed
                    assert got == int(want), f"{ft} {v!r} -> {dst}: printed {got}, NumPy {int(want)}"
