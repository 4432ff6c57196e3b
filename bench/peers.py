"""The same networks in the peers: PyTorch CPU and scikit-learn's MLPClassifier.

Each builder returns a function that runs one epoch, set up exactly like ours: the same
layer sizes, activations, cost, learning rate, batch size and plain gradient descent.
"""

from collections.abc import Callable
from itertools import pairwise

import numpy as np

Epoch = Callable[[], None]


def torch_epoch(
    X: np.ndarray, labels: np.ndarray, dims: list[int], hidden: str, lr: float, batch: int | None
) -> Epoch:
    """X (n_x, m) in our layout; PyTorch wants (m, n_x). Softmax CE for k > 1 outputs, else
    sigmoid + BCE. Mini-batches come from a fresh permutation each epoch, as ours do."""
    import torch

    torch.manual_seed(0)
    act = {"relu": torch.nn.ReLU, "sigmoid": torch.nn.Sigmoid, "tanh": torch.nn.Tanh}[hidden]
    layers: list[torch.nn.Module] = []
    for n_in, n_out in pairwise(dims[:-1]):
        layers += [torch.nn.Linear(n_in, n_out), act()]
    layers.append(torch.nn.Linear(dims[-2], dims[-1]))
    if dims[-1] == 1:
        layers.append(torch.nn.Sigmoid())
        loss_fn: torch.nn.Module = torch.nn.BCELoss()
        target = torch.from_numpy(labels.astype(np.float32)[:, None])
    else:
        loss_fn = torch.nn.CrossEntropyLoss()
        target = torch.from_numpy(labels.astype(np.int64))
    model = torch.nn.Sequential(*layers)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    inputs = torch.from_numpy(np.ascontiguousarray(X.T))
    m = inputs.shape[0]

    def step(xb: "torch.Tensor", yb: "torch.Tensor") -> None:
        optimizer.zero_grad(set_to_none=True)
        loss_fn(model(xb), yb).backward()
        optimizer.step()

    def epoch() -> None:
        if batch is None:
            step(inputs, target)
            return
        order = torch.randperm(m)
        for start in range(0, m, batch):
            idx = order[start : start + batch]
            step(inputs[idx], target[idx])

    return epoch


def sklearn_epoch(
    X: np.ndarray, labels: np.ndarray, dims: list[int], hidden: str, lr: float, batch: int | None
) -> Epoch:
    """One ``partial_fit`` is one pass over the data in batches of ``batch_size``."""
    from sklearn.neural_network import MLPClassifier

    activation = {"relu": "relu", "sigmoid": "logistic", "tanh": "tanh"}[hidden]
    inputs = np.ascontiguousarray(X.T, dtype=np.float32)
    m = inputs.shape[0]
    model = MLPClassifier(
        hidden_layer_sizes=tuple(dims[1:-1]), activation=activation, solver="sgd",
        learning_rate_init=lr, momentum=0.0, alpha=0.0, batch_size=batch or m,
        shuffle=batch is not None, random_state=0,
    )  # fmt: skip
    classes = np.unique(labels)
    model.partial_fit(inputs, labels, classes=classes)  # builds the network
    return lambda: model.partial_fit(inputs, labels)
