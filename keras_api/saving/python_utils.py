"""Python functions to and from Keras's ``__lambda__`` config (marshal'd bytecode, base64).

Turning such a config back into a function runs code from the file, so deserialization allows it
only outside safe mode (see serialization_lib.in_safe_mode)."""
from __future__ import annotations

import binascii
import codecs
import marshal
import types
from typing import Any


def func_dump(func: types.FunctionType) -> tuple[str, Any, Any]:
    """(code, defaults, closure) as Keras's python_utils.func_dump writes them."""
    code = codecs.encode(marshal.dumps(func.__code__), "base64").decode("ascii")
    closure = tuple(c.cell_contents for c in func.__closure__) if func.__closure__ else None
    return code, func.__defaults__, closure


def func_load(code: Any, defaults: Any = None, closure: Any = None, globs: dict | None = None) -> types.FunctionType:
    """Inverse of func_dump. Callers must have checked safe mode first."""
    if isinstance(code, (tuple, list)):
        code, defaults, closure = code
        if isinstance(defaults, list):
            defaults = tuple(defaults)

    def cell(value: Any) -> Any:
        return (lambda: value).__closure__[0]

    if closure is not None:
        closure = tuple(cell(c) for c in closure)
    try:
        raw = codecs.decode(code.encode("ascii"), "base64")
    except (UnicodeEncodeError, binascii.Error) as e:
        raise ValueError(f"The lambda's code in this config is not valid base64: {e}") from None
    try:
        code_obj = marshal.loads(raw)
    except (ValueError, EOFError, TypeError) as e:
        raise ValueError(f"The lambda's bytecode cannot be read by this Python (it was probably written by "
                         f"another Python version): {e}") from None
    if globs is None:
        import symnet
        globs = {"__builtins__": __builtins__, "sn": symnet}
    return types.FunctionType(code_obj, globs, name=code_obj.co_name, argdefs=defaults, closure=closure)
