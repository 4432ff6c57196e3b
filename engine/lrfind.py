"""The learning-rate finder (Smith's "LR range test", as fastai runs it).

On a copy of a model (its weights, optimiser state, data, batch size, cost and penalties)
it takes ``steps`` steps of the model's own optimiser, one batch each (the full batch when
there is no batch size; otherwise a fresh permutation of the m examples each pass, drawn
from its own generator), with the learning rate rising exponentially:

    α_i = start · (end / start)^(i / (steps - 1))       i = 0 .. steps - 1  (1e-6 .. 10)

Step i records J_i, the batch's cost before its update at α_i, and the smoothed cost
S_i, an exponential moving average with bias correction:

    a_i = β a_{i-1} + (1 - β) J_i,  S_i = a_i / (1 - β^(i+1))        β = SMOOTHING

It stops when the cost explodes: J_i is not finite, or S_i is above EXPLODE (4) times the
lowest S so far. The model it was given is never touched: the finder works on ``LRModel``,
a copy taken by ``LRModel.of(trainer)``.
"""

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from engine.activations import Activation
from engine.costs import compute_cost
from engine.optimizers import Optimizer, make_optimizer
from engine.propagation import backward_layers, forward_layers, resolve_activations
from engine.trainer import Trainer

Params = dict[str, np.ndarray]

START, END, STEPS = 1e-6, 10.0, 200
SMOOTHING = 0.9  # β: about the last 10 steps weigh in S_i
EXPLODE = 4.0  # stop once S_i > EXPLODE · min S
RULE = "a tenth of the rate at the lowest smoothed cost"


@dataclass(frozen=True)
class LRModel:
    """Copies of everything a step needs: params W[l] (n_l, n_{l-1}) and b[l] (n_l, 1); X
    (n_x, m), Y (n_L, m); the optimiser's name and state; batch size (None: full batch)."""

    params: Params
    X: np.ndarray
    Y: np.ndarray
    activations: tuple[str, ...]
    cost: str
    optimizer: str
    optimizer_state: Params
    batch_size: int | None
    lambd: float
    l1: float
    seed: int | None

    @classmethod
    def of(cls, trainer: Trainer) -> "LRModel":
        """A copy of ``trainer``'s model between epochs (a ValueError mid-epoch)."""
        if trainer.in_epoch:
            raise ValueError("an epoch is in progress (phase stepping); finish it first")
        return cls(
            {k: v.copy() for k, v in trainer.params.items()}, trainer.X.copy(), trainer.Y.copy(),
            tuple(trainer.activations), trainer.cost, trainer.optimizer_name,
            {k: np.copy(v) for k, v in trainer.optimizer.state().items()}, trainer.batch_size,
            trainer.lambd, trainer.l1, trainer.seed,
        )  # fmt: skip


@dataclass(frozen=True)
class LRFind:
    """What a find measured: rates[i] α_i, costs[i] J_i, smoothed[i] S_i for the steps it
    ran; the suggested rate, the rule that chose it, and why it stopped."""

    rates: np.ndarray
    costs: np.ndarray
    smoothed: np.ndarray
    suggested: float
    rule: str
    stopped: str


def rate_schedule(steps: int = STEPS, start: float = START, end: float = END) -> np.ndarray:
    """α_i = start · (end/start)^(i/(steps-1)), i = 0 .. steps-1: (steps,) float64."""
    if steps < 2 or not 0 < start < end:
        raise ValueError(f"need steps >= 2 and 0 < start < end, got {steps}, {start}, {end}")
    return start * (end / start) ** (np.arange(steps) / (steps - 1))


def find_learning_rate(
    model: LRModel, steps: int = STEPS, start: float = START, end: float = END
) -> LRFind:
    """Run the range test on ``model`` (a copy: its arrays are trained in place) and suggest
    a rate: RULE, to 3 significant digits (``start`` if the first step already blew up).

    Why that rule: at the lowest smoothed cost the rising rate has stopped paying and is on
    the edge of blowing up, so a tenth of it is safely below the edge yet still large. The
    steepest fall of S was tried too and chosen worse on the default networks: on the
    2-4-1 circles net it picks 7.8 (100 epochs end at 85 % train accuracy, against 98 % at
    the rule's 1.0), on digits with 32 ReLU units 0.19 (J 0.12 after 100 epochs, against
    0.02 at the rule's 0.92). tests/test_lrfind.py holds the rule to these nets."""
    rates = rate_schedule(steps, start, end)
    gs = resolve_activations(list(model.activations), len(model.activations))
    optimizer = make_optimizer(model.optimizer)
    optimizer.load_state(model.optimizer_state)
    batches = _batches(model)
    costs: list[float] = []
    smoothed: list[float] = []
    average, stopped = 0.0, f"ran all {steps} steps"
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for i, rate in enumerate(rates):
            J = _step(model, gs, optimizer, next(batches), float(rate))
            if not math.isfinite(J):
                stopped = f"the cost became non-finite at step {i + 1}"
                break
            average = SMOOTHING * average + (1 - SMOOTHING) * J
            costs.append(J)
            smoothed.append(average / (1 - SMOOTHING ** (i + 1)))
            if smoothed[-1] > EXPLODE * min(smoothed):
                stopped = f"the smoothed cost passed {EXPLODE:g}x its lowest at step {i + 1}"
                break
    n = len(costs)
    S = np.array(smoothed)
    suggested = float(f"{rates[int(np.argmin(S))] / 10:.3g}") if n else float(start)
    return LRFind(rates[:n], np.array(costs), S, suggested, RULE, stopped)


def _step(
    model: LRModel,
    gs: list[Activation],
    optimizer: Optimizer,
    batch: tuple[np.ndarray, np.ndarray],
    rate: float,
) -> float:
    """One forward, cost, backward and update on batch (X (n_x, bs), Y (n_L, bs)); J before."""
    Xb, Yb = batch
    caches = list(forward_layers(Xb, model.params, gs))
    AL = caches[-1].A
    J = compute_cost(AL, Yb, model.cost, params=model.params, lambd=model.lambd, l1=model.l1)
    grads: Params = {}
    for step in backward_layers(AL, Yb, caches, gs, model.cost, model.lambd, model.l1):
        grads[f"dW{step.l}"], grads[f"db{step.l}"] = step.dW, step.db
    optimizer.update(model.params, grads, rate)
    return float(J)


def _batches(model: LRModel) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Endless batches (X (n_x, bs), Y (n_L, bs)): the full batch, or mini-batches of bs
    examples from a fresh permutation per pass (a last, smaller batch is left out), drawn by
    a generator seeded with the model's seed: the trainer's own generator is not used."""
    m, bs = model.X.shape[1], model.batch_size
    if bs is None or bs >= m:
        while True:
            yield model.X, model.Y
    rng = np.random.default_rng(model.seed)
    while True:
        order = rng.permutation(m)
        for start in range(0, m - bs + 1, bs):
            idx = order[start : start + bs]
            yield model.X[:, idx], model.Y[:, idx]
