"""verify=False outside HTTP clients means something else (no HTTP library imported here)."""

from mpmath import findroot
from numpy._core.overrides import array_function_dispatch

root = findroot(lambda x: x * x - 2, 1.0, verify=False)
dispatch = array_function_dispatch(lambda a: (a,), verify=False)
