"""A tour of minigrad's autograd internals.

    python examples/autograd_internals.py [--out DIR]

1. build a small expression and print its tape (a Wengert list);
2. take one step of a tiny MLP and print that tape too;
3. write the graph as Graphviz DOT (and SVG when `dot` is installed);
4. take a Hessian-vector product with create_graph=True;
5. write a custom op as a Function and check it with gradcheck;
6. catch the op that produced a NaN with detect_anomaly.
"""

from __future__ import annotations

import argparse
import os
import shutil

import minigrad as mg


def small_expression() -> None:
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    w = mg.tensor([0.5, -0.5], requires_grad=True)
    y = ((x * w).tanh() + x.exp()).sum()
    print(mg.trace(y))
    y.backward()
    print("dy/dx =", x.grad, " dy/dw =", w.grad, "\n")


def mlp_step(out_dir: str) -> None:
    mg.manual_seed(0)
    w1, b1 = mg.randn(2, 8, requires_grad=True), mg.zeros(8, requires_grad=True)
    w2, b2 = mg.randn(8, 1, requires_grad=True), mg.zeros(1, requires_grad=True)
    x, target = mg.randn(16, 2), mg.randn(16, 1)
    loss = (((x @ w1 + b1).relu() @ w2 + b2 - target) ** 2).mean()
    print(mg.trace(loss), "\n")
    loss.backward(retain_graph=True)
    with mg.no_grad():
        for p in (w1, b1, w2, b2):
            p -= 0.1 * p.grad  # one hand-written SGD step
    dot = mg.to_dot(loss, show_grads=True)
    dot_path = os.path.join(out_dir, "mlp_step.dot")
    with open(dot_path, "w") as f:
        f.write(dot)
    print(f"wrote {dot_path}")
    if shutil.which("dot"):
        print(f"wrote {dot.render(os.path.join(out_dir, 'mlp_step.svg'))}")


def hessian_vector_product() -> None:
    x = mg.tensor([1.0, 2.0, 3.0], dtype=mg.float64, requires_grad=True)
    v = mg.tensor([1.0, 0.0, -1.0], dtype=mg.float64)
    f = (x ** 3).sum() + x[0] * x[1]
    (g,) = mg.grad(f, x, create_graph=True)  # the backward pass is itself recorded
    (hv,) = mg.grad((g * v).sum(), x)  # d/dx <grad f, v> = H v
    print("H v =", hv, "(H = diag(6x) + the x0*x1 cross term)\n")


class Softsign(mg.Function):
    """softsign(x) = x / (1 + |x|);  d = dx / (1 + |x|)^2"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.data / (1 + abs(x.data))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (1 + x.abs()) ** 2


def custom_function() -> None:
    x = mg.tensor([-2.0, -0.5, 0.3, 4.0], dtype=mg.float64, requires_grad=True)
    print("softsign:", Softsign.apply(x))
    print("gradcheck:", mg.gradcheck(Softsign.apply, [x]), " gradgradcheck:", mg.gradgradcheck(Softsign.apply, [x]), "\n")


def catch_a_nan() -> None:
    x = mg.tensor([0.0, 4.0], requires_grad=True)
    try:
        with mg.detect_anomaly():
            x.sqrt().sum().backward()  # d sqrt(x) = 1 / (2 sqrt(x)) is inf at 0
    except RuntimeError as err:
        print("detect_anomaly caught it:\n ", err)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)), help="where to write the graph")
    args = parser.parse_args()
    small_expression()
    mlp_step(args.out)
    hessian_vector_product()
    custom_function()
    catch_a_nan()


if __name__ == "__main__":
    main()
