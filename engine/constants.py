"""Numbers the element-wise passes use (0.5, 1, ...), as 0-d arrays of each float dtype.

A NumPy ufunc converts a Python number operand at every call; a 0-d array of the other
operand's dtype it takes as it is, about 0.2 µs sooner (of the ~0.5 µs such a call takes on
the 2-4-1's (4, 400) arrays) and with the same bits: the Python number would have been
rounded to that dtype all the same.
"""

import numpy as np


class Constant(dict):
    """``value`` as a read-only 0-d array of float32 and of float64, looked up by the dtype
    of the array it meets (``ONE[A.dtype]``); another dtype gets ``value`` itself."""

    def __init__(self, value: float) -> None:
        arrays = {np.dtype(t): np.array(value, t) for t in (np.float32, np.float64)}
        for array in arrays.values():
            array.flags.writeable = False
        super().__init__(arrays)
        self.value = value

    def __missing__(self, dtype: np.dtype) -> float:
        return self.value


HALF = Constant(0.5)
ONE = Constant(1.0)
