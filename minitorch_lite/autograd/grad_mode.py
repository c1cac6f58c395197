"""Switching graph recording on and off: `no_grad`, `enable_grad`, `set_grad_enabled`, `inference_mode`.

    >>> import minitorch_lite as mt
    >>> x = mt.ones(2, requires_grad=True)
    >>> with mt.no_grad():
    ...     y = x * 2
    >>> y.requires_grad
    False

Each is a context manager and a decorator, as in torch. The switch is one class attribute that
`Function.apply` reads on every op, so turning recording off also removes its cost. (The state
is process-wide, not per-thread as in torch: minitorch_lite runs its data loading in-process.)
"""
import functools
import inspect


class GradMode:
    """The one switch: `GradMode.enabled` is read by every op before it records a graph node."""

    enabled = True
    inference = False


def is_grad_enabled():
    return GradMode.enabled


def is_inference_mode_enabled():
    return GradMode.inference


class _Switch:
    """Base of the grad-mode context managers; subclasses say which state they set."""

    enabled = True
    inference = False

    def __enter__(self):
        self._saved = (GradMode.enabled, GradMode.inference)
        GradMode.enabled = self.enabled
        GradMode.inference = self.inference

    def __exit__(self, *exc):
        GradMode.enabled, GradMode.inference = self._saved
        return False

    def __call__(self, fn):
        if inspect.isgeneratorfunction(fn):  # keep the mode across the generator's whole life
            @functools.wraps(fn)
            def wrapped_gen(*args, **kwargs):
                gen = fn(*args, **kwargs)
                value = None
                while True:
                    with self.clone():
                        try:
                            item = gen.send(value)
                        except StopIteration as stop:
                            return stop.value
                    value = yield item
            return wrapped_gen

        @functools.wraps(fn)
        def wrapped(*args, **kwargs):
            with self.clone():
                return fn(*args, **kwargs)
        return wrapped

    def clone(self):
        return self.__class__()


class no_grad(_Switch):
    """Ops inside record no graph: results have `requires_grad=False`."""

    enabled = False


class enable_grad(_Switch):
    """Turn recording back on inside a `no_grad` block."""

    enabled = True


class set_grad_enabled(_Switch):
    """`set_grad_enabled(False)` is `no_grad()`; usable as a plain call, a context or a decorator."""

    def __init__(self, mode):
        self.enabled = bool(mode)
        self._saved = (GradMode.enabled, GradMode.inference)
        GradMode.enabled = self.enabled  # a plain call switches at once, as torch does

    def __enter__(self):
        pass  # already switched in __init__; __exit__ restores what was there before

    def __call__(self, fn):
        GradMode.enabled = self._saved[0]  # as a decorator it must not switch at definition time
        return super().__call__(fn)

    def clone(self):
        return self.__class__(self.enabled)


class inference_mode(_Switch):
    """Like `no_grad` (the course uses it for every evaluation loop); `inference_mode(False)` is a no-op."""

    def __init__(self, mode=True):
        self.mode = bool(mode)
        self.enabled = False
        self.inference = True

    def __enter__(self):
        if self.mode:
            super().__enter__()
        else:
            self._saved = (GradMode.enabled, GradMode.inference)

    def clone(self):
        return self.__class__(self.mode)
