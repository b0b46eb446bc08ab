"""ONNX export: skdense's estimators for skl2onnx and onnxruntime.

Importing this module registers :class:`~skdense.DenseClassifier` and
:class:`~skdense.DenseRegressor` with skl2onnx, so that
``skl2onnx.to_onnx(pipeline, X[:1])`` converts pipelines that hold them, as it
converts MLPClassifier's. The graph is the network's forward pass (its input stage
included) in the input's float type: MatMul and Add per layer, the hidden
activation, then the output layer's (Sigmoid, Softmax, Identity or Exp);
an ensemble's networks side by side, then the Mean of their outputs.
Classifiers give MLPClassifier's two outputs, the labels and the
probabilities (one column per class; for a multilabel model, per label, with
0/1 label indicators). ``pip install 'skdense[onnx]'`` installs skl2onnx and
onnxruntime.
"""

from __future__ import annotations

from typing import Any

import numpy as np

try:
    from skl2onnx import to_onnx as _skl2onnx_to_onnx
    from skl2onnx import update_registered_converter
    from skl2onnx.common.data_types import (
        DoubleTensorType,
        FloatTensorType,
        Int64TensorType,
        StringTensorType,
    )
    from skl2onnx.proto import onnx_proto
except ImportError as error:  # pragma: no cover - depends on the extra
    raise ImportError(
        "ONNX export needs skl2onnx (and onnxruntime to run the model): "
        "pip install 'skdense[onnx]'."
    ) from error

from ._classifier import DenseClassifier
from ._regressor import DenseRegressor
from .backends._embeddings import TWO_PI, embedding_shapes
from .backends._ops import ACTIVATIONS
from .backends._shared import members, split_weights


def _float_type(operator):
    """The tensor type, proto type and NumPy dtype the graph computes in:
    double if an input is."""
    if any(isinstance(i.type, DoubleTensorType) for i in operator.inputs):
        return DoubleTensorType, onnx_proto.TensorProto.DOUBLE, np.float64
    return FloatTensorType, onnx_proto.TensorProto.FLOAT, np.float32


def _node(scope, container, op_type, inputs, **attributes):
    """Add one node; return its (new) output's name."""
    output = scope.get_unique_variable_name(op_type.lower())
    container.add_node(
        op_type,
        inputs,
        output,
        name=scope.get_unique_operator_name(op_type),
        **attributes,
    )
    return output


def _input_columns(graph, operator):
    """Each of the model's input features as an (n, 1) tensor: the
    operator's inputs are the columns (a DataFrame's) or hold several."""
    columns = []
    for variable in operator.inputs:
        width = _width(variable)
        if width == 1:
            columns.append(variable.full_name)
            continue
        for j in range(width):
            at = graph.integers([j])
            columns.append(graph.node("Gather", [variable.full_name, at], axis=1))
    return columns


def _level_index(graph, column, variable_type, levels, pooled):
    """A categorical column's values as level indices, in the graph's float
    type: -1 for others, or with ``pooled`` the infrequent level's index
    (and -1 for NaN)."""
    numbers = not isinstance(variable_type, StringTensorType)
    if numbers:  # compared as float32, as LabelEncoder takes them
        column = graph.node("Cast", column, to=onnx_proto.TensorProto.FLOAT)
        keys = {"keys_floats": [float(level) for level in levels]}
    else:
        keys = {"keys_strings": [str(level) for level in levels]}
    index = graph.node(
        "LabelEncoder",
        column,
        op_domain="ai.onnx.ml",
        op_version=2,
        values_int64s=list(range(len(levels))),
        default_int64=len(levels) if pooled else -1,
        **keys,
    )
    index = graph.node("Cast", index, to=graph.proto_type)
    if pooled and numbers:
        nan = graph.node("IsNaN", column)
        index = graph.node("Where", [nan, graph.constant(-1.0), index])
    return index


def _network_input(graph, operator, model):
    """The operator's inputs as the network reads them (see
    ``skdense._columns``): the numeric features, then the categorical
    features' level indices."""
    columns = model._categorical
    if columns is None and len(operator.inputs) == 1:
        x = graph.node("Cast", operator.inputs[0].full_name, to=graph.proto_type)
        return _missing_inputs(graph, x, model._missing)
    tensors = _input_columns(graph, operator)
    types = [v.type for v in operator.inputs for _ in range(_width(v))]
    numeric = range(len(tensors)) if columns is None else columns.numeric
    parts = [graph.node("Cast", tensors[j], to=graph.proto_type) for j in numeric]
    if parts:
        x = graph.node("Concat", parts, axis=1) if len(parts) > 1 else parts[0]
        parts = [_missing_inputs(graph, x, model._missing)]
    if columns is not None:
        parts += [
            _level_index(graph, tensors[j], types[j], levels, pooled)
            for j, levels, pooled in zip(
                columns.positions, columns.levels, columns.pooled, strict=True
            )
        ]
    return graph.node("Concat", parts, axis=1) if len(parts) > 1 else parts[0]


def _missing_inputs(graph, x, missing):
    """The numeric columns ``x`` with their NaN filled and the indicators
    after them (see ``skdense._missing``)."""
    if missing is None:
        return x
    nan = graph.node("IsNaN", x)
    fill = graph.constant(np.asarray(missing.fill)[None, :])
    filled = graph.node("Where", [nan, fill, x])
    if not missing.indicated:
        return filled
    at = graph.integers(list(missing.indicated))
    indicators = graph.node("Gather", [nan, at], axis=1)
    indicators = graph.node("Cast", indicators, to=graph.proto_type)
    return graph.node("Concat", [filled, indicators], axis=1)


def _width(variable):
    shape = variable.type.shape
    return shape[1] if len(shape) > 1 and isinstance(shape[1], int) else 1


def _constant(scope, container, array, proto_type):
    name = scope.get_unique_variable_name("constant")
    array = np.asarray(array)
    container.add_initializer(name, proto_type, list(array.shape), array.ravel())
    return name


def _input_stage(graph, spec, x):
    """The heavy-tailed columns' signed log, the columns' scaling and the
    smooth clip (see ``backends._inputs``)."""
    if spec.input_logged:
        logged = np.zeros((1, spec.n_numeric), bool)
        logged[0, list(spec.input_logged)] = True
        magnitude = graph.node("Add", [graph.node("Abs", x), graph.constant(1.0)])
        log = graph.node("Mul", [graph.node("Sign", x), graph.node("Log", magnitude)])
        x = graph.node("Where", [graph.mask(logged), log, x])
    if spec.input_center is not None:
        center = graph.constant(np.asarray(spec.input_center)[None, :])
        factor = graph.constant(np.asarray(spec.input_factor)[None, :])
        x = graph.node("Mul", [graph.node("Sub", [x, center]), factor])
    if spec.input_clip is not None:
        ratio = graph.node("Mul", [x, graph.constant(1.0 / spec.input_clip)])
        squared = graph.node("Mul", [ratio, ratio])
        root = graph.node("Sqrt", graph.node("Add", [squared, graph.constant(1.0)]))
        x = graph.node("Div", [x, root])
    return x


def _numeric_embedding(graph, x, embedding):
    """RealMLP's PBLD embedding (see ``backends._embeddings``): per column,
    ``cos(2 pi x w + c) @ V + d``, then the columns themselves."""
    freq, phase, linear, bias = embedding
    n, k = freq.shape
    size = bias.shape[1]
    columns = graph.node("Reshape", [x, graph.shape([0, n, 1])])
    angle = graph.node("Mul", [columns, graph.constant(TWO_PI * freq)])
    waves = graph.node("Cos", graph.node("Add", [angle, graph.constant(phase)]))
    waves = graph.node("Reshape", [waves, graph.shape([0, n, 1, k])])
    embedded = graph.node("MatMul", [waves, graph.constant(linear)])  # (m, n, 1, e)
    embedded = graph.node("Reshape", [embedded, graph.shape([0, n * size])])
    embedded = graph.node("Add", [embedded, graph.constant(bias.reshape(1, -1))])
    return graph.node("Concat", [embedded, x], axis=1)


def _categorical_columns(graph, codes, spec, tables):
    """Each categorical column's one-hot vector or embedding (see
    ``backends._categorical``), from its level index."""
    parts, tables = [], iter(tables)
    for j, levels in enumerate(spec.categorical_levels):
        code = graph.node("Gather", [codes, graph.integers([j])], axis=1)
        if levels <= spec.max_onehot_categories:
            hit = graph.node("Equal", [code, graph.constant(np.arange(levels)[None])])
            parts.append(graph.node("Cast", hit, to=graph.proto_type))
            continue
        table = next(tables)
        padded = np.vstack([table, np.zeros((1, table.shape[1]))])  # row -1: 0
        index = graph.node("Cast", code, to=onnx_proto.TensorProto.INT64)
        index = graph.node("Mod", [index, graph.integers(levels + 1)])
        index = graph.node("Reshape", [index, graph.integers([-1])])
        parts.append(graph.node("Gather", [graph.constant(padded), index], axis=0))
    return parts


def _front(graph, spec, x, front):
    """The first dense layer's input: the input stage, the numeric
    embedding and the categorical columns (see ``backends._shared``)."""
    n_embedding = len(embedding_shapes(spec))
    embedding, tables = front[:n_embedding], front[n_embedding:]
    if spec.categorical_levels:
        numeric_at = graph.integers(list(range(spec.n_numeric)))
        codes_at = graph.integers(list(range(spec.n_numeric, spec.n_features)))
        codes = graph.node("Gather", [x, codes_at], axis=1)
        x = graph.node("Gather", [x, numeric_at], axis=1)
    if spec.input_scale != 1.0:
        x = graph.node("Mul", [x, graph.constant(spec.input_scale)])
    x = _input_stage(graph, spec, x)
    if embedding:
        x = _numeric_embedding(graph, x, embedding)
    if not spec.categorical_levels:
        return x
    parts = _categorical_columns(graph, codes, spec, tables)
    if spec.n_numeric:
        parts.insert(0, x)
    return graph.node("Concat", parts, axis=1) if len(parts) > 1 else parts[0]


def _forward_pass(scope, operator, container):
    """The output layer's values, from the operator's inputs: an ensemble's
    are the Mean of its networks'."""
    model = operator.raw_operator
    spec = model.network_.spec
    _, proto_type, dtype = _float_type(operator)
    graph = _Graph(scope, container, proto_type, dtype)
    x = _network_input(graph, operator, model)
    outputs = [
        _network(graph, spec.member, x, weights)
        for weights in members(model.network_.get_weights(), spec)
    ]
    return graph.node("Mean", outputs) if len(outputs) > 1 else outputs[0]


def _network(graph, spec, x, weights):
    """One network's output layer, from its input ``x``."""
    coefs, intercepts, front = split_weights(weights, spec)
    x = _front(graph, spec, x, front)
    for i, (w, b) in enumerate(zip(coefs, intercepts, strict=True)):
        w = graph.constant(w)
        b = graph.constant(np.asarray(b)[None, :])
        x = graph.node("Add", [graph.node("MatMul", [x, w]), b])
        activation = spec.activation if i < len(coefs) - 1 else spec.out_activation
        x = ACTIVATIONS[activation].onnx(graph, x)
    return x


class _Graph:
    """What an activation's ONNX form builds with (see ``Activation.onnx``)."""

    def __init__(self, scope, container, proto_type, dtype):
        self.scope, self.container = scope, container
        self.proto_type, self.dtype = proto_type, dtype

    def node(self, op_type, inputs, **attributes):
        return _node(self.scope, self.container, op_type, inputs, **attributes)

    def constant(self, value):
        array = np.array(value, self.dtype)
        return _constant(self.scope, self.container, array, self.proto_type)

    def integers(self, value):
        """An int64 constant (indices, shapes)."""
        array = np.array(value, np.int64)
        return _constant(
            self.scope, self.container, array, onnx_proto.TensorProto.INT64
        )

    def mask(self, value):
        """A boolean constant."""
        array = np.array(value, bool)
        return _constant(self.scope, self.container, array, onnx_proto.TensorProto.BOOL)

    def shape(self, dims):
        """A Reshape's target shape (0 keeps the input's dimension)."""
        return self.integers(dims)


def _label_type(model):
    """ONNX labels: strings, or int64 (scikit-learn's classifiers take float
    labels only when they are whole numbers)."""
    classes = model.classes_
    if classes.dtype.kind in "OUS":
        return StringTensorType, onnx_proto.TensorProto.STRING, classes.astype(str)
    return Int64TensorType, onnx_proto.TensorProto.INT64, classes.astype(np.int64)


def _classifier_shapes(operator):
    model = operator.raw_operator
    n = operator.inputs[0].get_first_dimension()
    tensor_type = _float_type(operator)[0]
    label_type = _label_type(model)[0]
    n_classes = len(model.classes_)
    operator.outputs[0].type = label_type([n, n_classes] if model._multilabel else [n])
    operator.outputs[1].type = tensor_type([n, n_classes])


def _convert_classifier(scope, operator, container):
    model = operator.raw_operator
    _, proto_type, dtype = _float_type(operator)
    outputs = _forward_pass(scope, operator, container)
    labels, probabilities = (v.full_name for v in operator.outputs)
    if model._multilabel:
        container.add_node("Identity", outputs, probabilities)
        half = _constant(scope, container, np.array(0.5, dtype), proto_type)
        above = _node(scope, container, "Greater", [outputs, half])
        container.add_node("Cast", above, labels, to=onnx_proto.TensorProto.INT64)
        return
    if model.network_.spec.n_outputs == 1:  # one sigmoid unit: P(second class)
        one = _constant(scope, container, np.array(1.0, dtype), proto_type)
        negative = _node(scope, container, "Sub", [one, outputs])
        container.add_node("Concat", [negative, outputs], probabilities, axis=1)
    else:
        container.add_node("Identity", outputs, probabilities)
    _, label_proto, classes = _label_type(model)
    best = _node(scope, container, "ArgMax", probabilities, axis=1, keepdims=0)
    classes = _constant(scope, container, classes, label_proto)
    container.add_node("Gather", [classes, best], labels, axis=0)


def _regressor_shapes(operator):
    model = operator.raw_operator
    n = operator.inputs[0].get_first_dimension()
    operator.outputs[0].type = _float_type(operator)[0]([n, model.n_outputs_])


def _convert_regressor(scope, operator, container):
    model = operator.raw_operator
    outputs = _forward_pass(scope, operator, container)
    if model._target_scale is not None:  # target_scaling: back to y's units
        _, proto_type, dtype = _float_type(operator)
        graph = _Graph(scope, container, proto_type, dtype)
        center, scale = (np.asarray(v)[None, :] for v in model._target_scale)
        scaled = graph.node("Mul", [outputs, graph.constant(scale)])
        outputs = graph.node("Add", [scaled, graph.constant(center)])
    container.add_node("Identity", outputs, operator.outputs[0].full_name)


update_registered_converter(
    DenseClassifier,
    "SkdenseDenseClassifier",
    _classifier_shapes,
    _convert_classifier,
    options={"zipmap": [True, False, "columns"], "nocl": [True, False]},
)
update_registered_converter(
    DenseRegressor,
    "SkdenseDenseRegressor",
    _regressor_shapes,
    _convert_regressor,
)


def _is_numeric_frame(frame):
    return all(dtype.kind in "biuf" for dtype in frame.dtypes)


def to_onnx(model: Any, X_sample: Any, **kwargs: Any) -> Any:
    """Convert a fitted skdense model, or a pipeline holding one, to ONNX.

    ``skl2onnx.to_onnx`` with skdense's converters registered and, unless
    ``options`` says otherwise, classifiers' probabilities as a plain tensor
    (``zipmap=False``) rather than a list of dictionaries.

    Parameters
    ----------
    model : estimator
        A fitted DenseClassifier or DenseRegressor, or a Pipeline (or any
        model skl2onnx converts) holding one.
    X_sample : array-like of shape (n_samples, n_features)
        A few input rows: their dtype (float32 or float64) and width fix the
        ONNX input's, named "X". A DataFrame with categorical or text
        columns gives an input per column, named after it (strings for
        those columns), as skl2onnx converts DataFrames.
    **kwargs
        Passed to :func:`skl2onnx.to_onnx` (``target_opset``, ``options``, ...).

    Returns
    -------
    onnx_model : onnx.ModelProto
        Run it with ``onnxruntime.InferenceSession(onnx_model.SerializeToString())``.

    Examples
    --------
    >>> import numpy as np
    >>> import onnxruntime
    >>> from sklearn.datasets import load_iris
    >>> from skdense import DenseClassifier
    >>> from skdense.onnx import to_onnx
    >>> X, y = load_iris(return_X_y=True)
    >>> X = X.astype(np.float32)
    >>> clf = DenseClassifier((16,), solver="lbfgs", random_state=0).fit(X, y)
    >>> session = onnxruntime.InferenceSession(to_onnx(clf, X[:1]).SerializeToString())
    >>> labels, proba = session.run(None, {"X": X[:5]})
    >>> bool((labels == clf.predict(X[:5])).all())
    True
    >>> bool(np.allclose(proba, clf.predict_proba(X[:5]), atol=1e-5))
    True
    """
    kwargs.setdefault("options", {DenseClassifier: {"zipmap": False}})
    sample = X_sample
    if not hasattr(X_sample, "iloc") or _is_numeric_frame(X_sample):
        sample = np.asarray(X_sample)  # one input, "X"
    # A DataFrame with other columns stays one: an input per column.
    sample = sample.iloc[:1] if hasattr(sample, "iloc") else sample[:1]
    return _skl2onnx_to_onnx(model, sample, **kwargs)


__all__ = ["to_onnx"]
