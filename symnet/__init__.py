"""symnet: a Theano-style symbolic graph compiler.

    import symnet as sn
    x = sn.matrix('x'); W = sn.shared(np.zeros((784, 10), 'float32'), 'W')
    cost = sn.mean(sn.softmax(x @ W))
    f = sn.function([x], cost, updates=[(W, W - 0.1 * sn.grad(cost, W))])
"""
from .config import config, ConfigError  # noqa: F401
from .graph import (Apply, Constant, FunctionGraph, Op, SharedVariable, Variable, name_scope,  # noqa: F401
                    NotDifferentiable)
from .types import TensorType  # noqa: F401
from .basic import *  # noqa: F401,F403
from .basic import (abs, all, any, max, min, pow, round, sum, tensor, constant, shared, scalar, vector,  # noqa: F401
                     matrix, tensor3, tensor4, concatenate, stack)
from .grad import grad, jacobian, hessian, verify_grad, DisconnectedInputError, GradientError  # noqa: F401
from .function import function, Function, MissingInputError, UnusedInputError  # noqa: F401
from . import printing  # noqa: F401
from . import random  # noqa: F401  (sn.random.RandomStream)
from . import nnet  # noqa: F401  (Theano's tensor.nnet names)
from .printing import debugprint  # noqa: F401

__version__ = "0.1.0"
from . import scan_module  # noqa: F401,E402  (Theano's scan_module.until)
from .scan_module import scan, map, reduce, foldl, foldr  # noqa: F401,E402
