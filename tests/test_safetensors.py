"""``.safetensors``: the format read and written with NumPy alone (nn/safetensors.py), a
network as a PyTorch state dict (nn/state_dict.py), ``--load``/``--save`` through the CLI,
and hostile files: each one clear line and exit status 2."""
from __future__ import annotations

import json
import struct

import numpy as np
import pytest

from nn import ModelFileError, NeuralNetwork, Stepper, load, save
from nn import safetensors
from nn.state_dict import state_dict
from tui.cli.main import main


def handmade(header: dict, buffer: bytes, pad: bytes = b"") -> bytes:
    """A file built byte by byte from the spec, independently of nn.safetensors.encode:
    u64 little-endian header length, the JSON header, the buffer."""
    text = json.dumps(header).encode() + pad
    return struct.pack("<Q", len(text)) + text + buffer


# ------------------------------------------------------------------ the format
def test_reads_a_file_built_byte_for_byte_from_the_spec(tmp_path):
    weight = struct.pack("<6d", 1.0, -2.0, 0.5, 3.25, -0.125, 4.0)  # (3, 2) row-major
    bias = struct.pack("<3f", 0.5, -1.5, 2.0)                       # float32
    header = {"__metadata__": {"note": "hand"},
              "0.weight": {"dtype": "F64", "shape": [3, 2], "data_offsets": [0, 48]},
              "0.bias": {"dtype": "F32", "shape": [3], "data_offsets": [48, 60]}}
    path = tmp_path / "hand.safetensors"
    path.write_bytes(handmade(header, weight + bias, pad=b"   "))
    tensors, metadata = safetensors.read(path)
    assert metadata == {"note": "hand"}
    np.testing.assert_array_equal(tensors["0.weight"], [[1.0, -2.0], [0.5, 3.25], [-0.125, 4.0]])
    assert tensors["0.bias"].dtype == np.float32
    np.testing.assert_array_equal(tensors["0.bias"], [0.5, -1.5, 2.0])


def test_encode_matches_the_spec_byte_for_byte():
    data = safetensors.encode({"a": np.array([1.0, 2.0])}, {"k": "v"})
    (n,) = struct.unpack("<Q", data[:8])
    assert (8 + n) % 8 == 0  # padded with spaces: the buffer starts aligned
    header = json.loads(data[8:8 + n])
    assert header == {"__metadata__": {"k": "v"},
                      "a": {"dtype": "F64", "shape": [2], "data_offsets": [0, 16]}}
    assert data[8 + n:] == struct.pack("<2d", 1.0, 2.0)


def test_round_trip_of_any_shape_and_float_dtype(tmp_path):
    rng = np.random.default_rng(0)
    tensors = {"m": rng.normal(size=(4, 3)), "s": np.array(2.5), "e": np.zeros((0, 3)),
               "f": rng.normal(size=5).astype(np.float32),
               "big_endian": rng.normal(size=3).astype(">f8")}
    path = safetensors.write(tmp_path / "t.safetensors", tensors, {"x": "y"})
    back, metadata = safetensors.read(path)
    assert metadata == {"x": "y"} and list(back) == list(tensors)
    for name, array in tensors.items():
        assert back[name].shape == array.shape and back[name].dtype.isnative
        np.testing.assert_array_equal(back[name], array)


def test_encode_refuses_what_the_format_cannot_hold():
    with pytest.raises(ValueError, match="float32 or float64"):
        safetensors.encode({"i": np.arange(3)})
    with pytest.raises(ValueError, match="strings"):
        safetensors.encode({}, {"k": 1})


# ------------------------------------------------------- network ⇄ state dict
def test_engine_safetensors_engine_round_trip_is_unchanged(tmp_path):
    net = NeuralNetwork.from_sizes([2, 5, 4, 3], ["tanh", "relu"], "softmax", seed=7,
                                   loss="softmax-ce", optimizer="adam", weight_decay=0.01)
    net.train_step(np.ones((4, 2)), np.eye(3)[[0, 1, 2, 0]], 0.1)
    path = save(net, tmp_path / "m.safetensors", task="spiral3", lr=0.5)
    assert path.suffix == ".safetensors"  # not m.safetensors.npz
    back, meta = load(path)
    assert (back.sizes, back.activations, back.loss.name) == (net.sizes, net.activations,
                                                              "softmax-ce")
    assert (back.optimizer.name, back.optimizer.hyper) == ("adam", net.optimizer.hyper)
    assert (back.weight_decay, back.seed, back.init) == (0.01, 7, net.init)
    assert (meta["task"], meta["lr"]) == ("spiral3", 0.5)
    for a, b in zip(net.layers, back.layers):
        np.testing.assert_array_equal(a.W, b.W)  # bit for bit
        np.testing.assert_array_equal(a.b, b.b)
    tensors, metadata = safetensors.read(path)
    assert list(tensors) == ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"]
    assert tensors["0.weight"].shape == (5, 2)  # torch's (out, in)
    assert metadata["activations"] == "tanh,relu,softmax" and metadata["loss"] == "softmax-ce"


def test_a_foreign_state_dict_takes_pytorch_layout_and_any_positions(tmp_path):
    rng = np.random.default_rng(1)
    w0, b0, w3, b3 = rng.normal(size=(4, 2)), rng.normal(size=4), rng.normal(size=(1, 4)), \
        rng.normal(size=1)
    path = tmp_path / "torch.safetensors"  # Sequential(Linear, Tanh, Dropout, Linear)
    safetensors.write(path, {"0.weight": w0, "0.bias": b0, "3.weight": w3, "3.bias": b3})
    with pytest.raises(ModelFileError, match="give --activation"):
        load(path)
    net, meta = load(path, {"hidden": "tanh", "output": "sigmoid", "loss": "bce"})
    assert meta == {} and net.activations == ["tanh", "sigmoid"] and net.loss.name == "bce"
    np.testing.assert_array_equal(net.layers[0].W, w0.T)
    np.testing.assert_array_equal(net.layers[1].b, b3)
    x = rng.normal(size=(3, 2))
    expected = 1 / (1 + np.exp(-(np.tanh(x @ w0.T + b0) @ w3.T + b3)))
    np.testing.assert_allclose(net.predict(x), expected, rtol=1e-14)


def test_activations_named_in_plain_metadata_are_used(tmp_path):
    path = tmp_path / "named.safetensors"
    sd = state_dict(NeuralNetwork.from_sizes([2, 3, 1], "relu", "identity", seed=0))
    safetensors.write(path, sd, {"activations": "relu,identity"})
    net, _ = load(path, {"output": "identity"})
    assert net.activations == ["relu", "identity"]


# ------------------------------------------------------------------ the CLI
def test_cli_loads_a_pytorch_state_dict_and_saves_safetensors(tmp_path, capsys):
    rng = np.random.default_rng(2)
    model = tmp_path / "m.safetensors"
    safetensors.write(model, {"0.weight": rng.normal(size=(8, 2)), "0.bias": np.zeros(8),
                              "2.weight": rng.normal(size=(3, 8)), "2.bias": np.zeros(3)})
    assert main(["train", "--task", "spiral3", "--load", str(model), "--epochs", "3",
                 "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "give --activation" in err and str(model) in err
    out = tmp_path / "out.safetensors"
    assert main(["train", "--task", "spiral3", "--load", str(model), "--activation", "relu",
                 "--epochs", "3", "--quiet", "--save", str(out)]) == 0
    assert out.exists() and not (tmp_path / "out.safetensors.npz").exists()
    # a file saved here records its task and activations: --task and --activation not needed
    assert main(["train", "--load", str(out), "--epochs", "2", "--quiet"]) == 0
    assert "spiral3: 2–8–3 relu/softmax" in capsys.readouterr().out


def _entry(dtype="F64", shape=(2,), offsets=(0, 16)):
    return {"dtype": dtype, "shape": list(shape), "data_offsets": list(offsets)}


GOOD = {"0.weight": _entry(shape=(1, 2), offsets=(0, 16)), "0.bias": _entry(shape=(1,),
                                                                          offsets=(16, 24))}
BUF = struct.pack("<3d", 0.5, -0.5, 0.1)


def _with(name, **change):
    header = json.loads(json.dumps(GOOD))
    header[name].update(change)
    return handmade(header, BUF)


BAD_FILES = {
    "offsets past the end": (_with("0.bias", data_offsets=[16, 32]), "data_offsets"),
    "offsets beyond the file": (handmade({"0.weight": _entry(shape=(1, 2), offsets=(0, 16)),
                                          "0.bias": _entry(shape=(1,), offsets=(16, 24))},
                                         BUF[:20]), "truncated"),
    "huge header": (struct.pack("<Q", 2**40) + b"{}", "limit"),
    "overlapping tensors": (_with("0.bias", data_offsets=[8, 16]), "overlaps"),
    "wrong dtype": (_with("0.bias", dtype="I64"), "dtype"),
    "truncated": (handmade(GOOD, BUF)[:-5], "truncated"),
    "header not JSON": (struct.pack("<Q", 8) + b"{not js}" + BUF, "not JSON"),
    "negative shape": (_with("0.weight", shape=[-1, 2]), "bad shape"),
    "a gap": (_with("0.bias", data_offsets=[24, 32]), "a gap"),
    "bytes after the data": (handmade(GOOD, BUF + b"junk"), "after the last tensor"),
    "short length": (b"\x01\x02", "truncated"),
    "header past the end": (struct.pack("<Q", 100) + b'{"a": 1}', "the header promises 100"),
    "header not an object": (handmade([1, 2], b""), "not a JSON object"),
    "metadata not text": (handmade({**GOOD, "__metadata__": {"a": 1}}, BUF), "__metadata__"),
    "unknown tensor": (handmade({**GOOD, "evil\x1b[31m": _entry(shape=(0,), offsets=(24, 24))},
                                BUF), "unexpected tensor"),
    "bias missing": (handmade({"0.weight": _entry(shape=(1, 2), offsets=(0, 16))}, BUF[:16]),
                     "0.bias is missing"),
    "too many values": (_with("0.weight", shape=[10**5, 10**5]), "limit"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_crafted_file_gets_one_clear_line_and_exit_2(case, tmp_path, capsys):
    data, words = BAD_FILES[case]
    path = tmp_path / "bad.safetensors"
    path.write_bytes(data)
    assert main(["train", "--task", "xor", "--hidden", "0", "--activation", "sigmoid",
                 "--load", str(path), "--quiet"]) == 2
    captured = capsys.readouterr()
    err = captured.err
    assert err.count("\n") == 1, err
    assert str(path) in err and words in err, err
    assert "Traceback" not in err and "\x1b" not in err


def test_the_good_file_of_those_tests_loads(tmp_path, capsys):
    """The crafted files above differ from this one only where it says."""
    path = tmp_path / "good.safetensors"
    path.write_bytes(handmade(GOOD, BUF))
    assert main(["train", "--task", "xor", "--hidden", "0", "--load", str(path), "--epochs",
                 "1", "--quiet"]) == 0


# ------------------------------------------------------------ against PyTorch
@pytest.mark.slow
def test_a_state_dict_saved_from_pytorch_steps_to_autograds_gradients(tmp_path):
    """A torch nn.Sequential's state dict, written from its tensors' numpy(), opens through
    the command line's --load and its first backward step's dw equals torch.autograd's."""
    torch = pytest.importorskip("torch")
    from tui.cli.main import make_parser
    from tui.cli.options import config_from_args
    from tui.core.config import build

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(2, 6), torch.nn.Tanh(), torch.nn.Linear(6, 5),
                                torch.nn.ReLU(), torch.nn.Linear(5, 3)).double()
    path = tmp_path / "torch.safetensors"
    safetensors.write(path, {k: v.detach().numpy() for k, v in model.state_dict().items()})
    args = make_parser().parse_args(["--task", "spiral3", "--load", str(path),
                                     "--activation", "tanh,relu"])
    problem = build(config_from_args(args))
    stepper = Stepper(problem.net, problem.X, problem.y, lr=0.1)
    for _ in range(3):  # forward, loss, backward: one phase at a time
        stepper.step("phase")
    loss = torch.nn.CrossEntropyLoss()(model(torch.tensor(problem.X)),
                                      torch.tensor(problem.y))
    loss.backward()
    for layer, i in zip(problem.net.layers, (0, 2, 4)):
        np.testing.assert_allclose(layer.dW, model[i].weight.grad.numpy().T, rtol=0, atol=1e-12)
        np.testing.assert_allclose(layer.db, model[i].bias.grad.numpy(), rtol=0, atol=1e-12)
