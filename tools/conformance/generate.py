#!/usr/bin/python3
"""Writes the serving conformance set: ONNX models from real exporters and hand-built graphs, with inputs.

Run with Debian's python (packages python3-torch, python3-onnx):

    /usr/bin/python3 tools/conformance/generate.py tests/MlOps.Sdk.Serving.Tests/Conformance

then record ONNX Runtime's outputs for every case (and add the ML.NET export):

    dotnet run --project tools/conformance/Record -- tests/MlOps.Sdk.Serving.Tests/Conformance

Each model is a folder: model.onnx, and test_data_set_<k>/input_<i>.pb (ONNX TensorProto, named after the input) as
the ONNX backend tests lay them out; exporter_output_<j>.pb is what the exporter's own framework computed.
"""
import os
import sys

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

torch.manual_seed(7)
rng = np.random.default_rng(7)
root = sys.argv[1] if len(sys.argv) > 1 else "tests/MlOps.Sdk.Serving.Tests/Conformance"


def folder(name):
    path = os.path.join(root, name)
    os.makedirs(path, exist_ok=True)
    return path


def save_case(name, k, inputs, exporter_outputs=None):
    case = os.path.join(folder(name), f"test_data_set_{k}")
    os.makedirs(case, exist_ok=True)
    for i, (input_name, value) in enumerate(inputs):
        tensor = string_tensor(input_name, value) if value.dtype.kind in "OU" else numpy_helper.from_array(value, input_name)
        with open(os.path.join(case, f"input_{i}.pb"), "wb") as f:
            f.write(tensor.SerializeToString())
    for j, value in enumerate(exporter_outputs or []):
        with open(os.path.join(case, f"exporter_output_{j}.pb"), "wb") as f:
            f.write(numpy_helper.from_array(value).SerializeToString())


def string_tensor(name, value):
    return helper.make_tensor(name, TensorProto.STRING, value.shape, [s.encode("utf-8") for s in value.flatten()])


def save_model(name, model):
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(folder(name), "model.onnx"))


# --- PyTorch exports --------------------------------------------------------------------------------------------------

class Cnn(torch.nn.Module):
    """Two convolutions and a pooled head: free batch, height and width; the feature map's size follows the input's."""

    def __init__(self):
        super().__init__()
        self.features = torch.nn.Sequential(
            torch.nn.Conv2d(3, 8, 3, padding=1), torch.nn.ReLU(),
            torch.nn.Conv2d(8, 8, 3, stride=2, padding=1), torch.nn.ReLU())
        self.head = torch.nn.Linear(8, 4)

    def forward(self, image):
        features = self.features(image)
        return features, torch.softmax(self.head(features.mean(dim=(2, 3))), dim=1)


def export_torch(name, module, args, input_names, output_names, dynamic_axes, cases):
    module.eval()
    path = os.path.join(folder(name), "model.onnx")
    torch.onnx.export(module, args, path, input_names=input_names, output_names=output_names,
                      dynamic_axes=dynamic_axes, opset_version=13, do_constant_folding=True)
    onnx.checker.check_model(onnx.load(path))
    for k, case in enumerate(cases):
        with torch.no_grad():
            outputs = module(*[torch.from_numpy(v) for v in case])
        outputs = outputs if isinstance(outputs, tuple) else (outputs,)
        save_case(name, k, list(zip(input_names, case)), [o.numpy() for o in outputs])


export_torch(
    "cnn", Cnn(), (torch.randn(1, 3, 16, 16),), ["image"], ["features", "classes"],
    {"image": {0: "N", 2: "H", 3: "W"}, "features": {0: "N", 2: "FH", 3: "FW"}, "classes": {0: "N"}},
    [[rng.standard_normal((1, 3, 16, 16), dtype=np.float32)],
     [rng.standard_normal((2, 3, 24, 40), dtype=np.float32)],
     [rng.standard_normal((1, 3, 9, 7), dtype=np.float32)]])


class Lstm(torch.nn.Module):
    """An LSTM over sequences of any length: the outputs at every step and the last hidden state."""

    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(8, 16, batch_first=True)

    def forward(self, tokens):
        steps, (hidden, _) = self.lstm(tokens)
        return steps, hidden[-1]


export_torch(
    "lstm", Lstm(), (torch.randn(1, 5, 8),), ["tokens"], ["steps", "last"],
    {"tokens": {0: "N", 1: "T"}, "steps": {0: "N", 1: "T"}, "last": {0: "N"}},
    [[rng.standard_normal((1, 5, 8), dtype=np.float32)],
     [rng.standard_normal((3, 2, 8), dtype=np.float32)],
     [rng.standard_normal((2, 17, 8), dtype=np.float32)]])


class HalfMlp(torch.nn.Module):
    """An MLP served in float16: float16 in and out, float16 weights (converted below)."""

    def __init__(self):
        super().__init__()
        self.mlp = torch.nn.Sequential(torch.nn.Linear(6, 12), torch.nn.ReLU(), torch.nn.Linear(12, 3))

    def forward(self, x):
        return self.mlp(x.float()).half()


def weights_to_float16(path):
    """Stores every float initializer as float16 with a Cast back to float in front of its users: half the size."""
    model = onnx.load(path)
    graph = model.graph
    casts = []
    for initializer in graph.initializer:
        if initializer.data_type != TensorProto.FLOAT:
            continue
        half = numpy_helper.from_array(numpy_helper.to_array(initializer).astype(np.float16), initializer.name + "_fp16")
        initializer.CopyFrom(half)
        casts.append(helper.make_node("Cast", [initializer.name], [initializer.name[:-5]], to=TensorProto.FLOAT))
    for node in reversed(casts):
        graph.node.insert(0, node)
    onnx.save(model, path)


half = HalfMlp()
half_cases = [[rng.standard_normal((1, 6)).astype(np.float16)], [rng.standard_normal((4, 6)).astype(np.float16)]]
export_torch("mlp_fp16", half, (torch.randn(2, 6).half(),), ["x"], ["y"], {"x": {0: "N"}, "y": {0: "N"}}, half_cases)
weights_to_float16(os.path.join(folder("mlp_fp16"), "model.onnx"))
for k, case in enumerate(half_cases):
    # The exporter's reference, recomputed with the weights rounded to float16 as they are now stored.
    mlp = half.mlp
    with torch.no_grad():
        for layer in (mlp[0], mlp[2]):
            layer.weight.copy_(layer.weight.half().float())
            layer.bias.copy_(layer.bias.half().float())
        save_case("mlp_fp16", k, [("x", case[0])], [half(torch.from_numpy(case[0])).numpy()])


def quantized_mlp():
    """
    A dynamically quantized linear layer as ONNX Runtime's quantizer (quantize_dynamic) writes it: the input quantized
    to uint8 at run time (DynamicQuantizeLinear), int8 weights, MatMulInteger, then rescaled to float. The quantized input
    is an output too, so that uint8 tensors are read; the weights come from a torch.nn.Linear. Written here because
    PyTorch 1.13 (Debian 12) cannot export a dynamically quantized model ("Exporting the operator
    'quantized::linear_dynamic' to ONNX opset version 13 is not supported"); its statically quantized export is
    quantized_static below.
    """
    linear = torch.nn.Linear(10, 4)
    weight = linear.weight.detach().numpy().T  # [10, 4]
    scale = np.float32(np.abs(weight).max() / 127)
    weight_q = np.round(weight / scale).astype(np.int8)
    nodes = [
        helper.make_node("DynamicQuantizeLinear", ["x"], ["x_q", "x_scale", "x_zero"]),
        helper.make_node("MatMulInteger", ["x_q", "w_q", "x_zero", "w_zero"], ["acc"]),
        helper.make_node("Cast", ["acc"], ["acc_f"], to=TensorProto.FLOAT),
        helper.make_node("Mul", ["x_scale", "w_scale"], ["both_scales"]),
        helper.make_node("Mul", ["acc_f", "both_scales"], ["product"]),
        helper.make_node("Add", ["product", "bias"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes, "quantized_linear",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 10])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 4]),
         helper.make_tensor_value_info("x_q", TensorProto.UINT8, ["N", 10])],
        [numpy_helper.from_array(weight_q, "w_q"), numpy_helper.from_array(np.int8(0), "w_zero"),
         numpy_helper.from_array(scale, "w_scale"), numpy_helper.from_array(linear.bias.detach().numpy(), "bias")])
    save_model("quantized", helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]))
    for k, rows in enumerate((1, 5)):
        x = rng.standard_normal((rows, 10), dtype=np.float32)
        with torch.no_grad():
            reference = linear(torch.from_numpy(x)).numpy()
        save_case("quantized", k, [("x", x)], [reference])


quantized_mlp()


# --- Hand-built graphs ------------------------------------------------------------------------------------------------

def model(name, nodes, inputs, outputs, initializers=(), opset=13, extra_domains=()):
    graph = helper.make_graph(nodes, name, inputs, outputs, list(initializers))
    imports = [helper.make_opsetid("", opset)] + [helper.make_opsetid(d, 2) for d in extra_domains]
    save_model(name, helper.make_model(graph, opset_imports=imports))


element_types = {
    "float": (TensorProto.FLOAT, np.float32), "double": (TensorProto.DOUBLE, np.float64),
    "float16": (TensorProto.FLOAT16, np.float16), "bfloat16": (TensorProto.BFLOAT16, None),
    "int8": (TensorProto.INT8, np.int8), "int16": (TensorProto.INT16, np.int16), "int32": (TensorProto.INT32, np.int32),
    "int64": (TensorProto.INT64, np.int64), "uint8": (TensorProto.UINT8, np.uint8), "uint16": (TensorProto.UINT16, np.uint16),
    "uint32": (TensorProto.UINT32, np.uint32), "uint64": (TensorProto.UINT64, np.uint64), "bool": (TensorProto.BOOL, np.bool_),
    "string": (TensorProto.STRING, np.object_),
}


def element_values(kind, shape):
    if kind == "bool":
        return rng.integers(0, 2, shape).astype(np.bool_)
    if kind == "string":
        words = np.array(["the", "model", "reads", "tokens", "", "naïve", "日本"], dtype=object)
        return words[rng.integers(0, len(words), shape)]
    if kind in ("float", "double", "float16"):
        return (rng.standard_normal(shape) * 10).astype(element_types[kind][1])
    info = np.iinfo(element_types[kind][1])
    return rng.integers(info.min, info.max, shape, dtype=element_types[kind][1], endpoint=True)


for kind, (onnx_type, _) in element_types.items():
    # x -> Identity -> y, and x reversed along its second axis -> Slice with step -1 (a control input) -> reversed.
    name = f"type_{kind}"
    model(name,
          [helper.make_node("Identity", ["x"], ["y"]),
           helper.make_node("Slice", ["x", "starts", "ends", "axes", "steps"], ["reversed"])],
          [helper.make_tensor_value_info("x", onnx_type, ["N", "T"])],
          [helper.make_tensor_value_info("y", onnx_type, ["N", "T"]), helper.make_tensor_value_info("reversed", onnx_type, ["N", "T"])],
          [numpy_helper.from_array(np.array([-1], np.int64), "starts"), numpy_helper.from_array(np.array([np.iinfo(np.int64).min], np.int64), "ends"),
           numpy_helper.from_array(np.array([1], np.int64), "axes"), numpy_helper.from_array(np.array([-1], np.int64), "steps")])
    for k, shape in enumerate(((1, 4), (3, 7))):
        if kind == "bfloat16":
            bits = (rng.standard_normal(shape).astype(np.float32).view(np.uint32) >> 16).astype(np.uint16)
            case = os.path.join(folder(name), f"test_data_set_{k}")
            os.makedirs(case, exist_ok=True)
            tensor = helper.make_tensor("x", TensorProto.BFLOAT16, shape, bits.tobytes(), raw=True)
            with open(os.path.join(case, "input_0.pb"), "wb") as f:
                f.write(tensor.SerializeToString())
        else:
            save_case(name, k, [("x", element_values(kind, shape))])

# Control inputs: values that zeros would make invalid.
model("resize",
      [helper.make_node("Resize", ["image", "", "scales"], ["resized"], mode="nearest")],
      [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 1, "H", "W"]), helper.make_tensor_value_info("scales", TensorProto.FLOAT, [4])],
      [helper.make_tensor_value_info("resized", TensorProto.FLOAT, [1, 1, "RH", "RW"])])
save_case("resize", 0, [("image", rng.standard_normal((1, 1, 3, 4), dtype=np.float32)), ("scales", np.array([1, 1, 2, 1.5], np.float32))])
save_case("resize", 1, [("image", rng.standard_normal((1, 1, 5, 2), dtype=np.float32)), ("scales", np.array([1, 1, 0.6, 3], np.float32))])

model("expand",
      [helper.make_node("Expand", ["row", "shape"], ["grid"])],
      [helper.make_tensor_value_info("row", TensorProto.FLOAT, [1, "C"]), helper.make_tensor_value_info("shape", TensorProto.INT64, [2])],
      [helper.make_tensor_value_info("grid", TensorProto.FLOAT, ["R", "C"])])
save_case("expand", 0, [("row", rng.standard_normal((1, 3), dtype=np.float32)), ("shape", np.array([4, 3], np.int64))])
save_case("expand", 1, [("row", rng.standard_normal((1, 5), dtype=np.float32)), ("shape", np.array([2, 1], np.int64))])

model("topk",
      [helper.make_node("TopK", ["scores", "k"], ["values", "indices"], axis=-1)],
      [helper.make_tensor_value_info("scores", TensorProto.FLOAT, ["N", 10]), helper.make_tensor_value_info("k", TensorProto.INT64, [1])],
      [helper.make_tensor_value_info("values", TensorProto.FLOAT, ["N", "K"]), helper.make_tensor_value_info("indices", TensorProto.INT64, ["N", "K"])])
save_case("topk", 0, [("scores", rng.standard_normal((1, 10), dtype=np.float32)), ("k", np.array([3], np.int64))])
save_case("topk", 1, [("scores", rng.standard_normal((4, 10), dtype=np.float32)), ("k", np.array([7], np.int64))])

# Zero-size dimensions: a declared size of 0 is kept (an empty feature block concatenated to a real one).
model("zero_size",
      [helper.make_node("Concat", ["empty", "features"], ["joined"], axis=1)],
      [helper.make_tensor_value_info("empty", TensorProto.FLOAT, ["N", 0]), helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", 3])],
      [helper.make_tensor_value_info("joined", TensorProto.FLOAT, ["N", 3])])
save_case("zero_size", 0, [("empty", np.zeros((1, 0), np.float32)), ("features", rng.standard_normal((1, 3), dtype=np.float32))])
save_case("zero_size", 1, [("empty", np.zeros((2, 0), np.float32)), ("features", rng.standard_normal((2, 3), dtype=np.float32))])

def map_type(key_type):
    """map(key_type, float): written by hand, the onnx of Debian 12 has no make_map_type_proto."""
    proto = onnx.TypeProto()
    proto.map_type.key_type = key_type
    proto.map_type.value_type.CopyFrom(helper.make_tensor_type_proto(TensorProto.FLOAT, None))
    return proto


# A classifier as scikit-learn exports one: a label and a ZipMap of class probabilities (seq(map(int64|string, float))).
for keys, attribute in (("int64", {"classlabels_int64s": [0, 1, 2]}), ("string", {"classlabels_strings": ["cat", "dog", "fox"]})):
    name = f"zipmap_{keys}"
    label_type = TensorProto.INT64 if keys == "int64" else TensorProto.STRING
    model(name,
          [helper.make_node("Softmax", ["x"], ["probabilities"], axis=1),
           helper.make_node("ArgMax", ["probabilities"], ["label_index"], axis=1, keepdims=0),
           helper.make_node("ZipMap", ["probabilities"], ["scores"], domain="ai.onnx.ml", **attribute),
           helper.make_node("LabelEncoder" if keys == "string" else "Identity", ["label_index"], ["label"],
                            **({"domain": "ai.onnx.ml", "keys_int64s": [0, 1, 2], "values_strings": ["cat", "dog", "fox"]} if keys == "string" else {}))],
          [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3])],
          [helper.make_tensor_value_info("label", label_type, ["N"]),
           helper.make_value_info("scores", helper.make_sequence_type_proto(map_type(TensorProto.INT64 if keys == "int64" else TensorProto.STRING)))],
          extra_domains=["ai.onnx.ml"])
    save_case(name, 0, [("x", rng.standard_normal((1, 3), dtype=np.float32))])
    save_case(name, 1, [("x", rng.standard_normal((4, 3), dtype=np.float32))])

# Fixed-size inputs and an output whose first dimension is not the batch: its size comes from the shape input, so it
# cannot be allocated ahead for one row.
model("expand_rows",
      [helper.make_node("Expand", ["row", "shape"], ["grid"])],
      [helper.make_tensor_value_info("row", TensorProto.FLOAT, [1, 3]), helper.make_tensor_value_info("shape", TensorProto.INT64, [2])],
      [helper.make_tensor_value_info("grid", TensorProto.FLOAT, ["R", 3])])
save_case("expand_rows", 0, [("row", rng.standard_normal((1, 3), dtype=np.float32)), ("shape", np.array([4, 3], np.int64))])
save_case("expand_rows", 1, [("row", rng.standard_normal((1, 3), dtype=np.float32)), ("shape", np.array([1, 3], np.int64))])



class StaticQuantized(torch.nn.Module):
    """A linear layer quantized by PyTorch (fbgemm, calibrated): exported as QuantizeLinear/DequantizeLinear to uint8 with int8 weights."""

    def __init__(self):
        super().__init__()
        self.quant = torch.quantization.QuantStub()
        self.linear = torch.nn.Linear(10, 4)
        self.dequant = torch.quantization.DeQuantStub()

    def forward(self, x):
        return self.dequant(self.linear(self.quant(x)))


static = StaticQuantized().eval()
static.qconfig = torch.quantization.get_default_qconfig("fbgemm")
prepared = torch.quantization.prepare(static)
prepared(torch.from_numpy(rng.standard_normal((256, 10), dtype=np.float32)))
export_torch("quantized_static", torch.quantization.convert(prepared), (torch.randn(1, 10),), ["x"], ["y"], {"x": {0: "N"}, "y": {0: "N"}},
             [[rng.standard_normal((1, 10), dtype=np.float32)], [rng.standard_normal((6, 10), dtype=np.float32)]])

print("wrote", sorted(os.listdir(root)))
