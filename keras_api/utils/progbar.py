"""Keras 3's progress bar: `4/4 ━━━━━━━━━━━━━━━━━━━━ 1s 22ms/step - accuracy: 0.3438 - loss: 1.5076`.

verbose=1 redraws one line in place (\\r) on a terminal; when stdout is not a terminal only the
final line of each bar is printed (no escape codes), so logs stay readable. verbose=2 prints one
line per bar when it finishes. Values are averaged over steps until the final update, which shows
the values it is given (Keras's stateless-metric handling)."""
from __future__ import annotations

import math
import os
import sys
import time
from typing import Any, Sequence


def _dynamic() -> bool:
    return (hasattr(sys.stdout, "isatty") and sys.stdout.isatty()) or "ipykernel" in sys.modules \
        or "PYCHARM_HOSTED" in os.environ


def _bar_chars(stream: Any) -> tuple[str, str]:
    """(filled, empty) bar characters: Keras's '━' where the stream can encode it, else plain ASCII
    ('=' and '.', Keras 2's look) for PYTHONIOENCODING=ascii, some consoles and CI logs."""
    encoding = getattr(stream, "encoding", None) or "ascii"
    try:
        "━".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return "=", "."
    return "━", "━"


def _write(text: str) -> None:
    """Write to the current sys.stdout; characters it cannot encode become '?' instead of an error."""
    try:
        sys.stdout.write(text)
    except UnicodeEncodeError:
        encoding = getattr(sys.stdout, "encoding", None) or "ascii"
        sys.stdout.write(text.encode(encoding, errors="replace").decode(encoding))
    sys.stdout.flush()


class Progbar:
    def __init__(self, target: int | None, width: int = 20, verbose: int = 1, interval: float = 0.05,
                 stateful_metrics: Sequence[str] | None = None, unit_name: str = "step") -> None:
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stateful_metrics = set(stateful_metrics or ())
        self._dynamic_display = _dynamic()
        self._seen_so_far = 0
        self._values: dict[str, list] = {}
        self._values_order: list[str] = []
        self._start = time.time()
        self._last_update = 0.0
        self._time_after_first_step: float | None = None
        self._prev_total_width = 0

    def update(self, current: int, values: Sequence[tuple[str, Any]] | None = None,
               finalize: bool | None = None) -> None:
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        for k, v in values or []:
            if k not in self._values_order:
                self._values_order.append(k)
            if k not in self.stateful_metrics and not finalize:
                base = max(current - self._seen_so_far, 1)
                if k not in self._values:
                    self._values[k] = [v * base, base]
                else:
                    self._values[k][0] += v * base
                    self._values[k][1] += base
            else:
                self._values[k] = [v, 1]
        self._seen_so_far = current
        now = time.time()
        time_per_unit = self._estimate_step_duration(current, now)
        if self.verbose == 1:
            if now - self._last_update < self.interval and not finalize:
                return
            if not self._dynamic_display and not finalize:
                self._last_update = now
                return
            bold = (lambda s: f"\x1b[1m{s}\x1b[0m") if self._dynamic_display else (lambda s: s)
            if self.target is not None and self.target > 0:
                numdigits = int(math.log10(self.target)) + 1
                count = f"%{numdigits}d/%d" % (current, self.target)
                filled = int(self.width * float(current) / self.target)
                full, empty = _bar_chars(sys.stdout)
                if self._dynamic_display:
                    bar = bold(count) + " " + (f"\x1b[32m{full * filled}\x1b[0m" if filled > 0 else "") + \
                        f"\x1b[37m{empty * (self.width - filled)}\x1b[0m"
                else:
                    bar = f"{count} {full * self.width}"
                plain_len = len(count) + 1 + self.width
            else:
                bar = "%7d/Unknown" % current
                plain_len = len(bar)
            if self.target is not None and self.target > 0 and not finalize:
                eta = time_per_unit * (self.target - current)
                if eta > 3600:
                    eta_format = "%d:%02d:%02d" % (eta // 3600, (eta % 3600) // 60, eta % 60)
                elif eta > 60:
                    eta_format = "%d:%02d" % (eta // 60, eta % 60)
                else:
                    eta_format = "%ds" % eta
                info_t = eta_format
            else:
                info_t = f"{now - self._start:.0f}s"
            info = " " + bold(info_t) + self._format_time(time_per_unit, self.unit_name)
            plain = " " + info_t + self._format_time(time_per_unit, self.unit_name)
            metrics = self._format_values(abs_threshold=True)
            info += metrics
            plain += metrics
            total_width = plain_len + len(plain)
            message = ("\r" if self._dynamic_display else "") + bar + info
            if self._dynamic_display and self._prev_total_width > total_width:
                message += " " * (self._prev_total_width - total_width)
            if finalize:
                message += "\n"
            _write(message)
            self._prev_total_width = total_width
        elif self.verbose == 2:
            if finalize and self.target is not None and self.target > 0:
                numdigits = int(math.log10(self.target)) + 1
                count = f"%{numdigits}d/%d" % (current, self.target)
                info = f"{count} - {now - self._start:.0f}s -{self._format_time(time_per_unit, self.unit_name)}"
                info += self._format_values(abs_threshold=False)
                _write(info + "\n")
        self._last_update = now

    def _format_values(self, abs_threshold: bool) -> str:
        out = ""
        for k in self._values_order:
            total, count = self._values[k]
            avg = float(total) / max(1, count)
            big = abs(avg) > 1e-3 if abs_threshold else avg > 1e-3
            out += f" - {k}: {avg:.4f}" if big else f" - {k}: {avg:.4e}"
        return out

    def add(self, n: int, values: Sequence[tuple[str, Any]] | None = None) -> None:
        self.update(self._seen_so_far + n, values)

    @staticmethod
    def _format_time(time_per_unit: float, unit_name: str) -> str:
        if time_per_unit >= 1 or time_per_unit == 0:
            return f" {time_per_unit:.0f}s/{unit_name}"
        if time_per_unit >= 1e-3:
            return f" {time_per_unit * 1000.0:.0f}ms/{unit_name}"
        return f" {time_per_unit * 1000000.0:.0f}us/{unit_name}"

    def _estimate_step_duration(self, current: int, now: float) -> float:
        if not current:
            return 0.0
        if self._time_after_first_step is not None and current > 1:
            tpu = (now - self._time_after_first_step) / (current - 1)
        else:
            tpu = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return tpu
