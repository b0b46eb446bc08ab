"""
How the "fashion-mnist-fast" preset was found
=============================================

Candidates train with the cosine schedule (after a one-epoch warm-up) at a
higher learning rate for fewer epochs. Each is fitted on 80 % of
Fashion-MNIST's training images and scored on the held-out stratified
20 %; a candidate qualifies when its fit, scaled to all 60,000 images, would
take at most 24 s on this 2-core machine. The most accurate qualifying
candidate is the preset. Needs Fashion-MNIST's files (``SKDENSE_DATA``).
Quick by default (3,000 images, two epochs); ``FULL = True`` runs the
search.
"""

# %%
# What every candidate shares, and the candidates.
import os

from sklearn.model_selection import train_test_split

from skdense.datasets import load_fashion_mnist

FULL = False
TIME_BUDGET = 24.0  # seconds for all 60,000 images
BASE = dict(
    activation="relu",
    weight_init="he",
    solver="adam",
    learning_rate="cosine",
    warmup_epochs=1,
    tol=0.0,
    n_iter_no_change=1000,
    random_state=0,
)
CANDIDATES = [
    dict(hidden_layer_sizes=(512, 256), dropout=0.2, batch_size=256,
         learning_rate_init=0.002, max_iter=12),
    dict(hidden_layer_sizes=(512, 256), dropout=0.2, batch_size=256,
         learning_rate_init=0.002, max_iter=16),
    dict(hidden_layer_sizes=(512, 256), dropout=0.3, batch_size=256,
         learning_rate_init=0.003, max_iter=16),
    dict(hidden_layer_sizes=(512, 256), dropout=0.2, batch_size=256,
         learning_rate_init=0.002, max_iter=20),
    dict(hidden_layer_sizes=(512,), dropout=0.2, batch_size=256,
         learning_rate_init=0.002, max_iter=20),
    dict(hidden_layer_sizes=(256, 128), dropout=0.2, batch_size=128,
         learning_rate_init=0.002, max_iter=20),
]  # fmt: skip

X, y = load_fashion_mnist(os.environ.get("SKDENSE_DATA"), return_X_y=True)
candidates = CANDIDATES
if not FULL:
    X, _, y, _ = train_test_split(X, y, train_size=3000, stratify=y, random_state=0)
    candidates = [{**c, "max_iter": 2} for c in CANDIDATES[:2]]
X_train, X_val, y_train, y_val = train_test_split(
    X, y, test_size=0.2, stratify=y, random_state=42
)

# %%
# Fit each candidate, time it, score it on the held-out images.
import time

from skdense import DenseClassifier

scale = 60_000 / len(y_train)
results = []
for params in candidates:
    model = DenseClassifier(**BASE, **params)
    start = time.perf_counter()
    model.fit(X_train, y_train)  # a cosine schedule ends at max_iter: no warning
    seconds = (time.perf_counter() - start) * scale
    accuracy = model.score(X_val, y_val)
    results.append((accuracy, seconds, params))
    print(f"validation {accuracy:.4f}  ~{seconds:4.1f} s on 60k  {params}")
qualifying = [r for r in results if r[1] <= TIME_BUDGET] or results
accuracy, seconds, best = max(qualifying, key=lambda r: r[0])
print(f"best: {best} (validation {accuracy:.4f})")

# %%
# Accuracy against time; the chosen candidate circled.
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
ax.scatter([r[1] for r in results], [r[0] for r in results])
ax.axvline(TIME_BUDGET, linestyle="--", color="grey", label="time budget")
ax.scatter([seconds], [accuracy], s=120, facecolors="none", edgecolors="red")
ax.set_xlabel("fit seconds, scaled to 60,000 images")
ax.set_ylabel("validation accuracy")
ax.legend()
