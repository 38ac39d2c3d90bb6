"""Softmax, log-softmax, softmax crossentropy (dense and sparse) and argmax/argmin."""
from __future__ import annotations

from typing import Any

from ..kernel import ArgKernel, GatherKernel, ShapeFrom
from .context import Lowering
from .programs import S, ProgramBuilder, identity_composite
from .views import view_dimshuffle, view_expand


def _softmax_like(ctx: Lowering, node: Any, log: bool) -> str | None:
    from symnet.types import normalize_axis
    bad = ctx.unsupported_dtype(node)
    if bad:
        return bad
    x = node.inputs[0]
    out_var = node.outputs[0]
    dt = out_var.dtype
    nd = x.ndim
    ax = normalize_axis(node.op.axis, nd)
    xb = ctx.buffer_of(x)
    red_shape = lambda plan: tuple(d for a, d in enumerate(plan.shapes[id(x)]) if a != ax)
    red_static = tuple(d for a, d in enumerate(x.type.shape) if a != ax)
    m = ctx.temp(dt, nd - 1, red_shape, sshape=red_static)
    ctx.loop("softmax_max", [node], nd, [xb], [ctx.view(m, view_expand((ax,), nd), nd, True)],
             identity_composite(x.dtype, dt), reduce="max", shape_from=xb)
    # m' = m where finite else 0 (NumPy's log_softmax guard; harmless for softmax: inf - inf is nan either way)
    pb = ProgramBuilder([x.dtype, dt])
    xv = pb.cast(0, dt)
    mv = 1
    if log:
        fin = pb.op(S.not_, pb.op(S.or_, pb.op(S.isnan, mv), pb.op(S.isinf, mv)))
        mv = pb.op(S.switch, fin, mv, pb.const(0, dt), dtype=dt)
    sh = pb.op(S.sub, xv, mv)
    e = pb.op(S.exp, sh)
    s = ctx.temp(dt, nd - 1, red_shape, sshape=red_static)
    mview = ctx.view(m, view_expand((ax,), nd), nd, True)
    sview = ctx.view(s, view_expand((ax,), nd), nd, True)
    ctx.loop("softmax_sum", [node], nd, [xb, mview], [sview], pb.finish([e]), reduce="sum", shape_from=xb)
    out = ctx.output_buffer(out_var)
    pb2 = ProgramBuilder([x.dtype, dt, dt])
    xv = pb2.cast(0, dt)
    mv = 1
    if log:
        fin = pb2.op(S.not_, pb2.op(S.or_, pb2.op(S.isnan, mv), pb2.op(S.isinf, mv)))
        mv = pb2.op(S.switch, fin, mv, pb2.const(0, dt), dtype=dt)
        res = pb2.op(S.sub, pb2.op(S.sub, xv, mv), pb2.op(S.log, 2))
    else:
        res = pb2.op(S.true_div, pb2.op(S.exp, pb2.op(S.sub, xv, mv)), 2)
    ctx.loop("softmax_out", [node], nd, [xb, mview, sview], [out], pb2.finish([res]), shape_from=out)
    return None

def _softmax(ctx: Lowering, node: Any) -> str | None:
    return _softmax_like(ctx, node, False)

def _log_softmax(ctx: Lowering, node: Any) -> str | None:
    return _softmax_like(ctx, node, True)

def _xent(ctx: Lowering, node: Any) -> str | None:
    """SoftmaxCrossentropyWithLogits: m = max, s = sum(exp(x - m')), lsm = (x - m') - log s;
    dense: loss = -sum(where(t == 0, 0, t * lsm)); sparse: loss = -lsm[t] (a row pick)."""
    from symnet.types import normalize_axis
    bad = ctx.unsupported_dtype(node)
    if bad:
        return bad
    x, t = node.inputs
    out_var = node.outputs[0]
    dt = out_var.dtype
    ax = normalize_axis(node.op.axis, x.ndim)
    xb, tb = ctx.buffer_of(x), ctx.buffer_of(t)
    red_shape = lambda plan: tuple(d for a, d in enumerate(plan.shapes[id(x)]) if a != ax)
    red_static = tuple(d for a, d in enumerate(x.type.shape) if a != ax)
    m = ctx.temp(dt, x.ndim - 1, red_shape, sshape=red_static)
    mview = ctx.view(m, view_expand((ax,), x.ndim), x.ndim, True)
    ctx.loop("xent_max", [node], x.ndim, [xb], [mview], identity_composite(x.dtype, dt), reduce="max", shape_from=xb)
    s = ctx.temp(dt, x.ndim - 1, red_shape, sshape=red_static)
    sview = ctx.view(s, view_expand((ax,), x.ndim), x.ndim, True)

    def fin_m(pb, mv):
        fin = pb.op(S.not_, pb.op(S.or_, pb.op(S.isnan, mv), pb.op(S.isinf, mv)))
        return pb.op(S.switch, fin, mv, pb.const(0, dt), dtype=dt)
    pb = ProgramBuilder([x.dtype, dt])
    e = pb.op(S.exp, pb.op(S.sub, pb.cast(0, dt), fin_m(pb, 1)))
    ctx.loop("xent_sum", [node], x.ndim, [xb, mview], [sview], pb.finish([e]), reduce="sum", shape_from=xb)
    out = ctx.output_buffer(out_var)
    if node.op.sparse:
        order = tuple(a for a in range(x.ndim) if a != ax) + (ax,)
        xl = ctx.view(xb, view_dimshuffle(order, ()), x.ndim, xb.contiguous and ax == x.ndim - 1,
                      sshape=tuple(x.type.shape[a] for a in order))
        if not xl.contiguous:
            xc = ctx.temp(x.dtype, x.ndim, lambda plan: tuple(plan.shapes[id(x)][a] for a in order),
                          sshape=xl.sshape)
            ctx.loop("xent_copy", [node], x.ndim, [xl], [xc], identity_composite(x.dtype, x.dtype), shape_from=xc)
            xl = xc
        pick = ctx.temp(x.dtype, x.ndim - 1, red_shape, sshape=red_static)
        # one label per row: the pick's shape contract (codegen/checks.py) rejects any other shape
        ctx.steps.append(GatherKernel(ctx.name("xent_pick"), [node], mode="pick", x=xl,
                                      idx=ctx.contiguous_buffer(t, [node]), out=pick))
        pb2 = ProgramBuilder([x.dtype, dt, dt])
        lsm = pb2.op(S.sub, pb2.op(S.sub, pb2.cast(0, dt), fin_m(pb2, 1)), pb2.op(S.log, 2))
        ctx.loop("xent_loss", [node], x.ndim - 1, [pick, m, s], [out], pb2.finish([pb2.op(S.neg, lsm)]),
                 shape_from=out)
        return None
    nd = max(x.ndim, t.ndim)
    pb2 = ProgramBuilder([x.dtype, t.dtype, dt, dt])
    lsm = pb2.op(S.sub, pb2.op(S.sub, pb2.cast(0, dt), fin_m(pb2, 2)), pb2.op(S.log, 3))
    tv = pb2.cast(1, dt)
    prod = pb2.op(S.switch, pb2.op(S.eq, tv, pb2.const(0, dt)), pb2.const(0, dt), pb2.op(S.mul, tv, lsm), dtype=dt)
    term = pb2.op(S.neg, prod)
    oview = ctx.view(out, view_expand((ax,), nd), nd, True)
    k = ctx.loop("xent_loss", [node], nd, [xb, tb, mview, sview], [oview], pb2.finish([term]), reduce="sum",
                 shape_from=ShapeFrom.broadcast_of([xb, tb]))
    k.reduced_axes = (ax,)
    return None

def _argmax(ctx: Lowering, node: Any) -> str | None:
    bad = ctx.unsupported_dtype(node)
    if bad:
        return bad
    x = node.inputs[0]
    xb = ctx.buffer_of(x)
    out = ctx.output_buffer(node.outputs[0])
    axis = node.op.axis
    if axis is None:
        nred, src = x.ndim, xb
    else:
        ax = axis % x.ndim if x.ndim else 0
        order = tuple(a for a in range(x.ndim) if a != ax) + (ax,)
        src = ctx.view(xb, view_dimshuffle(order, ()), x.ndim, False)
        nred = 1
    ctx.steps.append(ArgKernel(ctx.name("arg" + node.op.kind), [node], kind=node.op.kind, ndim=x.ndim, nred=nred,
                               input=src, output=out))
    return None


def rules() -> dict:
    """Op class -> lowering rule (imported here: codegen loads symnet's ops only when lowering)."""
    from symnet.ops.nnet import LogSoftmax, Softmax
    from symnet.ops.fused import SoftmaxCrossentropyWithLogits
    from symnet.ops.reduce import Argmax
    return {
        Softmax: _softmax,
        LogSoftmax: _log_softmax,
        SoftmaxCrossentropyWithLogits: _xent,
        Argmax: _argmax,
    }
