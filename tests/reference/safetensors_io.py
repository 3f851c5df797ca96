"""Minimal hand-written safetensors reader/writer for the reference (no torch, no safetensors package).

Format: u64 little-endian header length N, N bytes of JSON (space-padded here to a multiple of 8),
then raw little-endian tensor bytes. Each header entry is {"dtype", "shape", "data_offsets": [begin, end)}
relative to the start of the data section; the optional "__metadata__" maps strings to strings.
"""

import json
import struct

import numpy as np

# safetensors dtype name -> numpy little-endian dtype (BF16 is decoded by hand below).
_DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4", "U8": "u1"}


def write_safetensors(path, tensors, metadata=None):
    """Write {name: float32 ndarray} as an F32 safetensors file; tensors are laid out in name order."""
    header = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        arr = np.ascontiguousarray(tensors[name], dtype="<f4")
        raw = arr.tobytes(order="C")
        header[name] = {"dtype": "F32", "shape": list(arr.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)  # pad so the data section starts 8-byte aligned
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)


def read_safetensors(path):
    """Return ({name: float64 ndarray}, metadata dict). Accepts F64/F32/F16/BF16 (dtype from the header)."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack_from("<Q", data, 0)
    header = json.loads(data[8:8 + n].decode("utf-8"))
    base = 8 + n
    metadata = header.pop("__metadata__", {}) or {}
    out = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        raw = data[base + begin: base + end]
        shape = tuple(info["shape"])
        if info["dtype"] == "BF16":
            bits = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16
            arr = bits.view(np.float32)
        else:
            arr = np.frombuffer(raw, dtype=_DTYPES[info["dtype"]])
        if arr.size != int(np.prod(shape, dtype=np.int64)):
            raise ValueError(f"{name}: {arr.size} elements for shape {shape}")
        out[name] = arr.reshape(shape).astype(np.float64)
    return out, metadata
