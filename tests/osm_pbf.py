"""Write a tiny OpenStreetMap PBF file by hand (protobuf encoded here, no library)."""

from __future__ import annotations

import struct
import zlib


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _zigzag(n: int) -> int:
    return (n << 1) ^ (n >> 63)


def _field(num: int, wire: int, payload: bytes | int) -> bytes:
    key = _varint((num << 3) | wire)
    if wire == 0:
        return key + _varint(payload)
    return key + _varint(len(payload)) + payload


def _packed(values, *, signed: bool = False, delta: bool = False) -> bytes:
    out, prev = bytearray(), 0
    for v in values:
        x = v - prev if delta else v
        prev = v
        out += _varint(_zigzag(x) if signed else x)
    return bytes(out)


def _blob(kind: str, data: bytes) -> bytes:
    blob = _field(2, 0, len(data)) + _field(3, 2, zlib.compress(data))
    header = _field(1, 2, kind.encode()) + _field(3, 0, len(blob))
    return struct.pack(">I", len(header)) + header + blob


def write_pbf(path, nodes, ways) -> None:
    """Write ``nodes`` ``{id: (lon, lat)}`` and ``ways`` ``[(id, [node ids], {tag: value})]``."""
    strings = [""]

    def sid(s: str) -> int:
        if s not in strings:
            strings.append(s)
        return strings.index(s)

    ids = sorted(nodes)
    lat = [round(nodes[i][1] * 1e7) for i in ids]
    lon = [round(nodes[i][0] * 1e7) for i in ids]
    dense = (_field(1, 2, _packed(ids, signed=True, delta=True))
             + _field(8, 2, _packed(lat, signed=True, delta=True))
             + _field(9, 2, _packed(lon, signed=True, delta=True)))
    way_msgs = b""
    for wid, refs, tags in ways:
        keys = [sid(k) for k in tags]
        vals = [sid(v) for v in tags.values()]
        way_msgs += _field(3, 2, _field(1, 0, wid) + _field(2, 2, _packed(keys))
                           + _field(3, 2, _packed(vals))
                           + _field(8, 2, _packed(refs, signed=True, delta=True)))
    group_nodes = _field(2, 2, _field(2, 2, dense))
    group_ways = _field(2, 2, way_msgs)
    table = _field(1, 2, b"".join(_field(1, 2, s.encode()) for s in strings))
    block = table + group_nodes + group_ways
    header = _field(4, 2, b"OsmSchema-V0.6") + _field(4, 2, b"DenseNodes")
    with open(path, "wb") as fh:
        fh.write(_blob("OSMHeader", header) + _blob("OSMData", block))
