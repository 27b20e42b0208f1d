#!/usr/bin/python3
"""Writes a LoRA adapter as PEFT saves one for GPT-2, independently of the C++ library, and
the logits the base model plus that adapter must give, computed here in float64 with numpy.

    make_peft_adapter.py BASE_MODEL_DIR OUT_DIR

OUT_DIR gets adapter_config.json and adapter_model.safetensors (PEFT's key names, lora_A
(r, in) and lora_B (out, r) in nn.Linear's layout although GPT-2's Conv1D stores W as
(in, out)), and expected.safetensors with input_ids (I64) and logits (F64). Safetensors bytes
are read and written by hand: an 8-byte little-endian header length, the JSON header (padded
with spaces to a multiple of 8), the raw little-endian data.
"""
import json
import struct
import sys

import numpy as np

R, ALPHA = 4, 8.0  # scale alpha / r = 2
TARGETS = ["c_attn", "c_proj"]  # PEFT matches c_proj in attn and mlp alike
PREFIX = "base_model.model."

DTYPES = {"F32": np.float32, "F64": np.float64, "I64": np.int64}
CODES = {np.dtype(np.float32): "F32", np.dtype(np.float64): "F64", np.dtype(np.int64): "I64"}


def read_safetensors(path):
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    body = data[8 + n :]
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        out[name] = np.frombuffer(body[begin:end], dtype=DTYPES[entry["dtype"]]).reshape(
            entry["shape"]
        )
    return out


def write_safetensors(path, tensors):
    header, offset, blobs = {"__metadata__": {"format": "pt"}}, 0, []
    for name in sorted(tensors):
        array = np.ascontiguousarray(tensors[name])
        blob = array.astype(array.dtype.newbyteorder("<")).tobytes()
        header[name] = {
            "dtype": CODES[array.dtype],
            "shape": list(array.shape),
            "data_offsets": [offset, offset + len(blob)],
        }
        offset += len(blob)
        blobs.append(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def layer_norm(x, w, b, eps):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


def gelu_new(x):
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))


def main(base_dir, out_dir):
    config = json.load(open(base_dir + "/config.json"))
    weights = {k: v.astype(np.float64) for k, v in read_safetensors(base_dir + "/model.safetensors").items()}
    n_layer, n_head, eps = config["n_layer"], config["n_head"], config["layer_norm_epsilon"]

    rng = np.random.default_rng(20260)
    adapter = {}
    for i in range(n_layer):
        for path in ("attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj"):
            if path.split(".")[1] not in TARGETS:
                continue
            n_in, n_out = weights[f"transformer.h.{i}.{path}.weight"].shape  # Conv1D: (in, out)
            key = f"{PREFIX}transformer.h.{i}.{path}"
            adapter[key + ".lora_A.weight"] = (0.2 * rng.standard_normal((R, n_in))).astype(np.float32)
            adapter[key + ".lora_B.weight"] = (0.2 * rng.standard_normal((n_out, R))).astype(np.float32)
    write_safetensors(out_dir + "/adapter_model.safetensors", adapter)
    peft_config = {
        "alpha_pattern": {},
        "auto_mapping": None,
        "base_model_name_or_path": base_dir,
        "bias": "none",
        "fan_in_fan_out": True,
        "inference_mode": True,
        "init_lora_weights": True,
        "layers_pattern": None,
        "layers_to_transform": None,
        "loftq_config": {},
        "lora_alpha": ALPHA,
        "lora_dropout": 0.05,
        "megatron_config": None,
        "megatron_core": "megatron.core",
        "modules_to_save": None,
        "peft_type": "LORA",
        "r": R,
        "rank_pattern": {},
        "revision": None,
        "target_modules": TARGETS,
        "task_type": "CAUSAL_LM",
        "use_dora": False,
        "use_rslora": False,
    }
    with open(out_dir + "/adapter_config.json", "w") as f:
        json.dump(peft_config, f, indent=2, sort_keys=True)

    def conv(x, i, path):
        name = f"transformer.h.{i}.{path}"
        y = x @ weights[name + ".weight"] + weights[name + ".bias"]
        key = PREFIX + name
        if key + ".lora_A.weight" in adapter:
            A = adapter[key + ".lora_A.weight"].astype(np.float64)  # (r, in)
            B = adapter[key + ".lora_B.weight"].astype(np.float64)  # (out, r)
            y = y + (x @ A.T @ B.T) * (ALPHA / R)
        return y

    ids = rng.integers(0, config["vocab_size"], size=(2, 10)).astype(np.int64)
    T = ids.shape[1]
    x = weights["transformer.wte.weight"][ids] + weights["transformer.wpe.weight"][np.arange(T)]
    C = x.shape[-1]
    hs = C // n_head
    mask = np.tril(np.ones((T, T), dtype=bool))
    for i in range(n_layer):
        h = f"transformer.h.{i}."
        a = layer_norm(x, weights[h + "ln_1.weight"], weights[h + "ln_1.bias"], eps)
        q, k, v = np.split(conv(a, i, "attn.c_attn"), 3, axis=-1)
        q, k, v = (t.reshape(2, T, n_head, hs).transpose(0, 2, 1, 3) for t in (q, k, v))
        att = q @ k.transpose(0, 1, 3, 2) / np.sqrt(hs)
        att = np.where(mask, att, -np.inf)
        att = np.exp(att - att.max(-1, keepdims=True))
        att /= att.sum(-1, keepdims=True)
        y = (att @ v).transpose(0, 2, 1, 3).reshape(2, T, C)
        x = x + conv(y, i, "attn.c_proj")
        m = layer_norm(x, weights[h + "ln_2.weight"], weights[h + "ln_2.bias"], eps)
        x = x + conv(gelu_new(conv(m, i, "mlp.c_fc")), i, "mlp.c_proj")
    x = layer_norm(x, weights["transformer.ln_f.weight"], weights["transformer.ln_f.bias"], eps)
    logits = x @ weights["transformer.wte.weight"].T
    write_safetensors(out_dir + "/expected.safetensors", {"input_ids": ids, "logits": logits})


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
