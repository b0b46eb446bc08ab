"""An ensemble of networks trained together: ``n_ensemble`` in the spec.

:class:`EnsembleNetwork` holds ``n_ensemble`` networks of one engine, built
from the same spec with their own seeds (see ``_shared.member_seeds``). Each
epoch trains every network for one pass over the data, in turn; the
ensemble's prediction is the mean of theirs, and its validation loss, the
one best-epoch selection watches, is the loss of that mean. It keeps the
:class:`~skdense.backends.Engine` contract, so the training loop, both
engines and the estimator take it as any network.

When the estimator holds out the validation rows itself, it deals them out
among the networks (:meth:`EnsembleNetwork.hold_out`): each network
validates on its share and trains on every other row, so that the ensemble
learns from all of the data, and a validation row is predicted by the one
network that did not train on it.

This is TabM's fully independent ensemble (Gorishniy et al. 2025, "TabM-packed"):
its training step minimises the mean of the members' losses, whose gradient
for each member is its own loss's divided by ``n_ensemble``; Adam's steps do
not change when a gradient is scaled, and every member sees the same number
of batches, so training the members in turn takes the same steps. TabM
batches the members into one computation to keep a GPU busy; on a CPU the
matrix products cost the same either way.
"""

import numpy as np
import scipy.sparse as sp

from ._ops import ACTIVATIONS
from ._shared import forward_proba, member_seeds, members, penalty, stacked
from ._spec import Evaluation


class EnsembleNetwork:
    """``spec.n_ensemble`` networks built by ``make_member(spec, seed)``,
    trained and predicting together.

    Weights travel as one network's list, each array stacked over the
    networks on a new first axis (see ``_shared.members``).

    Examples
    --------
    >>> from skdense.backends import NetworkSpec, make_network
    >>> spec = NetworkSpec(4, 3, "softmax", hidden_layer_sizes=(8,), n_ensemble=2)
    >>> net = make_network("numpy", spec, random_state=0)
    >>> type(net).__name__, [w.shape for w in net.coefs_]
    ('EnsembleNetwork', [(2, 4, 8), (2, 8, 3)])
    """

    def __init__(self, spec, random_state, make_member):
        self.spec = spec
        seeds = member_seeds(random_state, spec.n_ensemble)
        self._member_spec = spec.member
        self.members = [make_member(self._member_spec, seed) for seed in seeds]
        self._held_out = None  # (validation, the network of each row), in a fit

    def hold_out(self, validation, held_by):
        """Deal the validation rows out among the networks until
        :meth:`end_training`: row ``j`` of ``validation`` (an ``(X, Y,
        sample_weight)`` tuple) is held out by network ``held_by[j]`` and
        trained on by the others. :meth:`evaluate` then predicts each row by
        its network."""
        held_by = np.asarray(held_by)
        if held_by.shape != (validation[0].shape[0],):
            raise ValueError("held_by needs one network index per validation row.")
        shares = [np.flatnonzero(held_by == i) for i in range(len(self.members))]
        self._held_out = (validation, held_by, shares)

    def _training_rows(self, i, X, Y, sample_weight):
        """Network ``i``'s training data: ``(X, Y, sample_weight)`` and the
        validation rows the other networks hold out."""
        if self._held_out is None:
            return X, Y, sample_weight
        (X_val, Y_val, sw_val), held_by, _ = self._held_out
        others = held_by != i
        stack = sp.vstack if sp.issparse(X) else np.concatenate
        X = stack([X, X_val[others]])
        if sp.issparse(X):
            X = X.tocsr()
        Y = np.concatenate([Y, Y_val[others]])
        if sample_weight is not None:
            sample_weight = np.concatenate([sample_weight, sw_val[others]])
        return X, Y, sample_weight

    def _shares_of(self, X, caller):
        """``(network index, its held-out rows)`` for each network holding
        some, after checking that ``X`` is the held-out rows."""
        _, held_by, shares = self._held_out
        if X.shape[0] != held_by.shape[0]:
            raise ValueError(f"{caller} takes the rows held out, all of them.")
        return [(i, rows) for i, rows in enumerate(shares) if rows.size]

    @property
    def learning_rate(self):
        return self.members[0].learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        for member in self.members:
            member.learning_rate = value

    @property
    def coefs_(self):
        return stacked(member.coefs_ for member in self.members)

    @property
    def intercepts_(self):
        return stacked(member.intercepts_ for member in self.members)

    def get_weights(self):
        return stacked(member.get_weights() for member in self.members)

    def set_weights(self, weights):
        for member, own in zip(self.members, members(weights, self.spec), strict=True):
            member.set_weights(own)

    def train_epoch(
        self, X, Y, sample_weight=None, batch_size=200, shuffle=True, stop=None
    ):
        """One pass over the data for each network: the means of their
        ``(loss, accuracy)``. Once ``stop`` is set, the networks not yet
        trained in this epoch are left as they are."""
        figures = []
        for i, member in enumerate(self.members):
            if figures and stop is not None and stop.is_set():
                break
            rows = self._training_rows(i, X, Y, sample_weight)
            figures.append(member.train_epoch(*rows, batch_size, shuffle, stop))
        losses, accuracies = zip(*figures, strict=True)
        accuracy = None if accuracies[0] is None else float(np.mean(accuracies))
        return float(np.mean(losses)), accuracy

    def end_training(self):
        self._held_out = None
        for member in self.members:
            member.end_training()

    def evaluate(self, X, Y, sample_weight=None):
        """The objective of the ensemble's mean output over all of ``X``, an
        :class:`~skdense.backends._spec.Evaluation` as an engine's; of each
        row's network's output instead, for the rows dealt out by
        :meth:`hold_out`. The penalty is the mean of the networks'."""
        sw = np.ones(X.shape[0]) if sample_weight is None else sample_weight
        member_penalties = [penalty(m.coefs_, self._member_spec) for m in self.members]
        if self._held_out is not None:
            return self._evaluate_held_out(X, Y, sw, member_penalties)
        outputs = self.predict_proba(X)
        logits = ACTIVATIONS[self.spec.out_activation].inverse(outputs)
        targets = self.spec.training_targets(Y).astype(np.float64)
        per_sample, correct = self.spec.loss_row.per_sample(targets, logits)
        data_loss = float(np.dot(sw, per_sample))
        loss = (data_loss + np.mean(member_penalties)) / float(np.sum(sw))
        accuracy = None if correct is None else float(np.mean(correct))
        return Evaluation(loss, accuracy, outputs)

    def _evaluate_held_out(self, X, Y, sw, member_penalties):
        """:meth:`evaluate` on the dealt-out rows: each network evaluates its
        own share, as a single network does (in its dtype); their data losses
        add up, and the mean penalty joins them."""
        has_accuracy = self.spec.score_name == "accuracy"
        data_loss, n_correct = 0.0, 0.0
        outputs = np.empty((X.shape[0], self.spec.n_outputs), np.float64)
        for i, rows in self._shares_of(X, "evaluate"):
            loss, accuracy, own = self.members[i].evaluate(X[rows], Y[rows], sw[rows])
            # A network's loss is (its data loss + its penalty) / its weight.
            data_loss += loss * float(np.sum(sw[rows])) - member_penalties[i]
            if has_accuracy:
                n_correct += accuracy * rows.size
            outputs[rows] = own
        loss = (data_loss + np.mean(member_penalties)) / float(np.sum(sw))
        return Evaluation(
            loss, n_correct / X.shape[0] if has_accuracy else None, outputs
        )

    def predict_proba(self, X):
        """The mean of the networks' outputs, float64."""
        return forward_proba(X, self.get_weights(), self.spec)
