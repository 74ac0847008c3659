"""Bad input gets a clear error naming the op, the shapes or dtypes, and what was expected."""

from __future__ import annotations

import pytest

import minigrad as mg


def test_matmul_shape_mismatch() -> None:
    with pytest.raises(ValueError, match=r"matmul: shapes \(2, 3\) and \(4, 5\) are not aligned.*\(3\).*\(4\)"):
        mg.ones(2, 3) @ mg.ones(4, 5)


def test_broadcasting_mismatch_names_the_op_and_shapes() -> None:
    with pytest.raises(ValueError, match=r"add: .*broadcast.*\(inputs: \(2, 3\) float32, \(4,\) float32\)"):
        mg.ones(2, 3) + mg.ones(4)


def test_backward_on_a_non_scalar_needs_a_gradient() -> None:
    x = mg.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"backward: grad can be created implicitly only for a scalar.*\(3,\)"):
        (x * 2).backward()


def test_backward_on_a_tensor_that_requires_no_grad() -> None:
    with pytest.raises(RuntimeError, match="does not require grad"):
        mg.ones(3).sum().backward()


def test_backward_gradient_of_the_wrong_shape() -> None:
    x = mg.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"gradient has shape \(2,\) but the output has shape \(3,\)"):
        (x * 2).backward(mg.ones(2))


@pytest.mark.parametrize(("call", "message"), [
    (lambda x: x.reshape(4, 4), r"reshape: cannot reshape array of size 6"),
    (lambda x: x.sum(axis=2), r"sum: axis 2 is out of range for a tensor with 2 dimensions"),
    (lambda x: x.permute(0, 0), r"permute: \(0, 0\) is not a permutation"),
    (lambda x: x.transpose(0, 5), r"transpose: dimension 5 is out of range"),
    (lambda x: mg.concatenate([x, mg.ones(3, 3)], axis=1), r"concatenate: shapes must match except along axis 1"),
    (lambda x: mg.stack([x, mg.ones(3, 2)]), r"stack: shapes must match exactly"),
    (lambda x: x.split([1, 1], dim=1), r"split: sizes \[1, 1\] must be non-negative and sum to 3"),
    (lambda x: mg.gather(x, 1, mg.tensor([[0, 5]])), r"gather: index values must lie in \[0, 3\)"),
    (lambda x: mg.gather(x, 1, mg.tensor([[0.5]])), r"gather: index must be an integer tensor"),
    (lambda x: x[5], r"getitem: index 5 is out of bounds"),
    (lambda x: x.max(axis=(0, 0)), r"max: axis \(0, 0\) repeats an axis"),
    (lambda x: mg.where(x, x, x), r"where: condition must be a bool tensor"),
    (lambda x: x.pad([1]), r"pad: expected an even number"),
    (lambda x: mg.clip(x), r"clip: at least one of min and max"),
    (lambda x: x.expand(3), r"expand: 1 sizes given for a tensor with 2 dimensions"),
    (lambda x: mg.zeros(0).max(), r"max: cannot reduce an empty tensor"),
])
def test_bad_arguments_name_the_op(call: object, message: str) -> None:
    x = mg.ones(2, 3)
    with pytest.raises((ValueError, TypeError, IndexError), match=message):
        call(x)


def test_matmul_of_a_scalar() -> None:
    with pytest.raises(ValueError, match="matmul: both operands need at least one dimension"):
        mg.tensor(2.0) @ mg.ones(2)


@pytest.mark.parametrize(("labels", "options", "message"), [
    ([0, 1], {"axis": 2}, r"sparse_softmax_cross_entropy: axis 2 is out of range for logits of shape \(2, 3\)"),
    ([0.0, 1.0], {}, r"sparse_softmax_cross_entropy: labels must be integers of shape \(2,\).*got float32 of shape \(2,\)"),
    ([0, 1, 2], {}, r"labels must be integers of shape \(2,\) \(the logits' shape \(2, 3\) without axis 1\).*\(3,\)"),
    ([0, 3], {}, r"sparse_softmax_cross_entropy: labels must lie in \[0, 3\), got \[0, 3\]"),
    ([-1, 2], {}, r"sparse_softmax_cross_entropy: labels must lie in \[0, 3\), got \[-1, 2\]"),
])
def test_sparse_softmax_cross_entropy_names_bad_labels_and_axes(labels, options, message) -> None:
    from minigrad.ops.cross_entropy import sparse_softmax_cross_entropy

    with pytest.raises(ValueError, match=message):
        sparse_softmax_cross_entropy(mg.ones(2, 3, requires_grad=True), mg.tensor(labels), **options)
