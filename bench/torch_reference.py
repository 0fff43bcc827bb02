"""The same network and steps in PyTorch (CPU), written the way a PyTorch user would."""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F


class TorchNet:
    """784 -> H sigmoid -> 10, weights copied from an mlcore Params (so both start equal)."""

    def __init__(self, params):
        self.weights = [
            torch.tensor(a, requires_grad=True)
            for a in (params.w1, params.b1, params.w2, params.b2)
        ]
        self.opt = None

    def logits(self, X):
        w1, b1, w2, b2 = self.weights
        return torch.sigmoid(X @ w1 + b1) @ w2 + b2

    def step(self, X, y, lr: float, momentum: float = 0.0) -> float:
        """One gradient step on the mean cross-entropy of X (n, 784), y (n,)."""
        if self.opt is None:
            self.opt = torch.optim.SGD(self.weights, lr=lr, momentum=momentum)
        for group in self.opt.param_groups:
            group["lr"] = lr
        self.opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(self.logits(X), y)
        loss.backward()
        self.opt.step()
        return loss.item()

    @torch.no_grad()
    def accuracy(self, X, y) -> float:
        return float((self.logits(X).argmax(dim=1) == y).float().mean())


def epoch(net: TorchNet, X, y, batch: int, lr_at, generator, momentum: float) -> None:
    """One shuffled pass over X in mini-batches; lr_at(fraction of the pass) gives the rate."""
    n = X.shape[0]
    order = torch.randperm(n, generator=generator)
    n_batches = math.ceil(n / batch)
    for i in range(n_batches):
        idx = order[i * batch : (i + 1) * batch]
        net.step(X[idx], y[idx], lr_at(i / n_batches), momentum)


def tensors(*arrays: np.ndarray):
    return [torch.from_numpy(np.ascontiguousarray(a)) for a in arrays]
