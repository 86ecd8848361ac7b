"""Fake torch: the TorchScript calls the rendered score.py makes (see ../README.md)."""

import contextlib
import json

import numpy as np

__fake__ = True


class Tensor:
    def __init__(self, array):
        self._array = array

    def numpy(self):
        return self._array


def from_numpy(array):
    if not isinstance(array, np.ndarray) or array.dtype != np.float32 or array.ndim != 2:
        raise TypeError(f"expected a 2-D float32 array, got {type(array).__name__} {getattr(array, 'dtype', '')}")
    return Tensor(array)


@contextlib.contextmanager
def no_grad():
    yield


class _Scripted:
    def __init__(self, weights):
        self.weight = np.asarray(weights["weight"], dtype=np.float32)
        self.bias = np.asarray(weights["bias"], dtype=np.float32)
        self.evaluating = False

    def eval(self):
        self.evaluating = True
        return self

    def __call__(self, tensor):
        if not self.evaluating:
            raise RuntimeError("module called in training mode")
        if not isinstance(tensor, Tensor):
            raise TypeError("expected a Tensor")
        if tensor.numpy().shape[1] != self.weight.shape[1]:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({tensor.numpy().shape})")
        return Tensor(tensor.numpy() @ self.weight.T + self.bias)


class _Jit:
    @staticmethod
    def load(path, map_location=None):
        if map_location is None:
            raise TypeError("the fake expects map_location (score.py loads on the CPU)")
        with open(path, encoding="utf-8") as handle:
            return _Scripted(json.load(handle))


jit = _Jit()
