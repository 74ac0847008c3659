"""The error function, evaluated with W. J. Cody's rational Chebyshev approximations.

NumPy has no ``erf``; exact GELU needs one accurate to double precision.
Cody ("Rational Chebyshev approximations for the error function", Math.
Comp. 23, 1969) approximates erf on |x| <= 0.5 and erfc beyond; the published
coefficients below give near full double precision. Only array math here.
"""

from __future__ import annotations

from typing import Any

__all__ = ["erf_array"]

# erf(x) = x P(x^2) / Q(x^2) for |x| <= 0.46875
_A = (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
      3.20937758913846947e03, 1.85777706184603153e-1)
_B = (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
      2.84423683343917062e03)
# erfc(x) = exp(-x^2) P(x) / Q(x) for 0.46875 < |x| <= 4
_C = (5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
      2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03,
      2.05107837782607147e03, 1.23033935479799725e03, 2.15311535474403846e-8)
_D = (1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
      1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
      3.43936767414372164e03, 1.23033935480374942e03)
# erfc(x) = exp(-x^2)/x (1/sqrt(pi) + P(1/x^2)/(x^2 Q(1/x^2))) for |x| > 4
_P = (3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
      1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2)
_Q = (2.56852019228982242e00, 1.87295284992346047e00, 5.27905102951428412e-1,
      6.05183413124413191e-2, 2.33520497626869185e-3)
_INV_SQRT_PI = 0.56418958354775628695


def _ratio(t: Any, num: tuple[float, ...], den: tuple[float, ...]) -> Any:
    """Cody's nested evaluation: num[-1] leads the numerator, den is monic."""
    n, d = num[-1] * t, t
    for a, b in zip(num[:-2], den[:-1]):
        n, d = (n + a) * t, (d + b) * t
    return (n + num[-2]) / (d + den[-1])


def erf_array(xp: Any, x: Any) -> Any:
    """erf(x) for a float array, to about double precision (float32 in, float32 out)."""
    x64 = x.astype("float64")
    y = xp.abs(x64)
    small = x64 * _ratio(y * y, _A, _B)
    mid = _ratio(y, _C, _D)
    inv = 1.0 / xp.maximum(y * y, 16.0)
    large = (_INV_SQRT_PI - inv * _ratio(inv, _P, _Q)) / xp.maximum(y, 4.0)
    erfc = xp.where(y <= 4.0, mid, large) * _exp_minus_square(xp, y)
    big = xp.copysign(1.0 - erfc, x64)
    return xp.where(y <= 0.46875, small, big).astype(x.dtype)


def _exp_minus_square(xp: Any, y: Any) -> Any:
    """exp(-y^2), split as Cody does so the rounding of y^2 costs no accuracy."""
    head = xp.trunc(y * 16.0) / 16.0
    return xp.exp(-head * head) * xp.exp(-(y - head) * (y + head))
