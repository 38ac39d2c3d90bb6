"""LoopStep run natively by the LLVM driver, on hand-built programs (forward only):
a cumulative sum (sliced input and output, carried sum) and a running product with a carried
state that starts from an input and is returned at the end (odd and even iteration counts, so
the final state is found in either of its two buffers), also over reversed sequences."""
from __future__ import annotations

import types

import numpy as np
import pytest

from codegen.kernel import (FRESH, INPUT, TEMP, WINDOW, CarriedState, LoopStep, Program, SequenceSlice,
                            ShapeFrom)
from codegen.llvm.backend import LLVM_TARGET, LLVMRunner
from codegen.lower.context import Lowering
from codegen.lower.programs import S, as_composite, identity_composite


class _Graph:
    """The little of a FunctionGraph the buffer plan reads for a hand-built program."""

    def __init__(self, n_inputs: int) -> None:
        self.inputs = [types.SimpleNamespace(name=f"in{i}") for i in range(n_inputs)]
        self.outputs: list = []

    def toposort(self) -> list:
        return []


def _sliced(ctx, seq, dtype, ndim, axis=0, reverse=False):
    sl = SequenceSlice(sequence=seq, axis=axis, reverse=reverse)
    sl.step = ctx.whole(ctx.new_base(WINDOW, dtype, ndim - 1, ref=sl, contiguous=False), None, (None,) * (ndim - 1))
    return sl


def _body(ctx, make):
    """Kernels made by `make()` become a body (taken off the program's top-level steps)."""
    start = len(ctx.steps)
    make()
    body = ctx.steps[start:]
    del ctx.steps[start:]
    return body


def _cumsum_program(dtype, reverse=False):
    g = _Graph(1)
    ctx = Lowering(g, 0, LLVM_TARGET)
    xbase = ctx.new_base(INPUT, dtype, 2, ref=0, contiguous=False)
    x = ctx.whole(xbase, None, (None, None))
    row = lambda plan: (plan.base_layout[xbase.index][0][1],)  # noqa: E731
    out = ctx.whole(ctx.new_base(FRESH, dtype, 2, ref=lambda plan: plan.base_layout[xbase.index][0]), None, (None, None))
    cur = ctx.whole(ctx.new_base(TEMP, dtype, 1, ref=row), None, (None,))
    nxt = ctx.whole(ctx.new_base(TEMP, dtype, 1, ref=row), None, (None,))
    zero = ctx.buffer_of(types.SimpleNamespace(data=np.zeros((), dtype), dtype=dtype, ndim=0,
                                               type=types.SimpleNamespace(shape=())))
    ctx.loop("init", [], 1, [zero], [cur], identity_composite(dtype, dtype), shape_from=cur)
    xs, ys = _sliced(ctx, x, dtype, 2, reverse=reverse), _sliced(ctx, out, dtype, 2, reverse=reverse)

    def make():
        ctx.loop("acc", [], 1, [cur, xs.step], [nxt], as_composite(S.add, [dtype, dtype]), shape_from=nxt)
        ctx.loop("emit", [], 1, [nxt], [ys.step], identity_composite(dtype, dtype), shape_from=nxt)
    body = _body(ctx, make)
    ctx.steps.append(LoopStep("k_scan", [], body=body, count_from=x, count_axis=0, sliced=[xs, ys],
                              carried=[CarriedState(cur, nxt)]))
    prog = Program(ctx.bases, ctx.buffers, ctx.steps, {}, [], [xbase], [], [out])
    return LLVMRunner(g, 1, [], program=prog)


def _running_product_program(dtype):
    """y[i] = s_i = s_{i-1} * x[i] (s_{-1} = s0); also returns the final state."""
    g = _Graph(2)
    ctx = Lowering(g, 0, LLVM_TARGET)
    xbase = ctx.new_base(INPUT, dtype, 2, ref=0, contiguous=False)
    sbase = ctx.new_base(INPUT, dtype, 1, ref=1, contiguous=False)
    x, s0 = ctx.whole(xbase, None, (None, None)), ctx.whole(sbase, None, (None,))
    row = lambda plan: plan.base_layout[sbase.index][0]  # noqa: E731
    out = ctx.whole(ctx.new_base(FRESH, dtype, 2, ref=lambda plan: plan.base_layout[xbase.index][0]), None, (None, None))
    final = ctx.whole(ctx.new_base(FRESH, dtype, 1, ref=row), None, (None,))
    cur = ctx.whole(ctx.new_base(TEMP, dtype, 1, ref=row), None, (None,))
    nxt = ctx.whole(ctx.new_base(TEMP, dtype, 1, ref=row), None, (None,))
    ctx.loop("init", [], 1, [s0], [cur], identity_composite(dtype, dtype), shape_from=cur)
    xs, ys = _sliced(ctx, x, dtype, 2), _sliced(ctx, out, dtype, 2)

    def make():
        # two outputs from one body kernel: the next state and this step's output
        pb_out = as_composite(S.mul, [dtype, dtype])
        comp = S.Composite(pb_out.in_dtypes, list(pb_out.program) + [(S.identity, (2,), dtype)], [2, 3])
        ctx.loop("step", [], 1, [cur, xs.step], [nxt, ys.step], comp, shape_from=nxt)
    body = _body(ctx, make)
    ctx.steps.append(LoopStep("k_scan", [], body=body, count_from=x, count_axis=0, sliced=[xs, ys],
                              carried=[CarriedState(cur, nxt)]))
    ctx.loop("final", [], 1, [cur], [final], identity_composite(dtype, dtype), shape_from=final)
    prog = Program(ctx.bases, ctx.buffers, ctx.steps, {}, [], [xbase, sbase], [], [out, final])
    return LLVMRunner(g, 2, [], program=prog)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
@pytest.mark.parametrize("n", [0, 1, 2, 5, 8])
def test_cumulative_sum(dtype, n):
    run = _cumsum_program(dtype)
    x = (np.arange(n * 3).reshape(n, 3) % 7 - 3).astype(dtype)
    (y,) = run([x])
    np.testing.assert_array_equal(y, np.cumsum(x, axis=0, dtype=dtype))
    (y2,) = run([x[:, ::-1]])      # strided input, same plan shape
    np.testing.assert_array_equal(y2, np.cumsum(x[:, ::-1], axis=0, dtype=dtype))


def test_cumulative_sum_reversed_sequence():
    run = _cumsum_program("float64", reverse=True)
    x = np.random.default_rng(0).standard_normal((7, 4))
    (y,) = run([x])
    np.testing.assert_allclose(y, np.cumsum(x[::-1], axis=0)[::-1], rtol=1e-12)


def test_loop_step_is_one_native_call_and_listed():
    run = _cumsum_program("float32")
    assert [s.native for s in run.segments] == [True]
    kinds = [k.kind for k in run.kernels]
    assert "LoopStep" in kinds and kinds.count("LoopKernel") == 3, kinds
    assert "k_scan" in repr(run.kernels[1])


@pytest.mark.parametrize("n", [0, 1, 2, 3, 6, 7])
def test_running_product_with_carried_state(n):
    run = _running_product_program("float64")
    rng = np.random.default_rng(n)
    x = rng.uniform(0.5, 1.5, (n, 5))
    s0 = rng.uniform(0.5, 1.5, 5)
    for _ in range(2):          # twice: the carried buffers are restored between calls
        y, final = run([x, s0])
        want = s0 * np.cumprod(x, axis=0) if n else np.zeros((0, 5))
        np.testing.assert_allclose(y, want, rtol=1e-13)
        np.testing.assert_allclose(final, want[-1] if n else s0, rtol=1e-13)


def test_loop_step_sequence_shorter_than_its_count_is_refused():
    """The count comes from x; an output sequence that is too short would be written past its end."""
    run = _cumsum_program("float64")
    x = np.ones((4, 3))
    (y,) = run([x])
    assert y.shape == (4, 3)
    prog = run.program
    step = next(s for s in prog.steps if isinstance(s, LoopStep))
    from codegen.checks import ShapeMismatch, check_kernel
    from codegen.lower import Layout
    plan = Layout(prog, run.fgraph, [np.ones((4, 3))], [])
    plan.layout[step.sliced[1].sequence.index] = (0, (2, 3), (24, 8))
    with pytest.raises(ShapeMismatch, match="steps along axis 0"):
        check_kernel(step, plan)
