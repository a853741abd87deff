#!/usr/bin/env python3
"""Derives the golden vectors of vectors.test.ts from the definitions alone
(Python's hmac/hashlib, AES from `cryptography`, protobuf encoded by hand),
independently of wad's TypeScript. Run: python3 test/protocol/appstate/golden-vectors.py"""
import hashlib, hmac, json, struct
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

def hkdf(ikm, length, info):
    prk = hmac.new(b"\0" * 32, ikm, hashlib.sha256).digest()
    out, t, i = b"", b"", 1
    while len(out) < length:
        t = hmac.new(prk, t + info + bytes([i]), hashlib.sha256).digest()
        out += t
        i += 1
    return out[:length]

def varint(n):
    n &= (1 << 64) - 1
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])

def field(num, wire, payload):
    key = varint((num << 3) | wire)
    return key + (varint(len(payload)) + payload if wire == 2 else payload)

def lthash(base, sub, add):
    words = list(struct.unpack("<64H", base))
    for sign, items in ((-1, sub), (1, add)):
        for item in items:
            w = struct.unpack("<64H", hkdf(item, 128, b"WhatsApp Patch Integrity"))
            words = [(x + sign * y) & 0xFFFF for x, y in zip(words, w)]
    return struct.pack("<64H", *words)

key_data = bytes(range(32))
key_id = bytes.fromhex("000000000001")
x = hkdf(key_data, 160, b"WhatsApp Mutation Keys")
k_index, k_enc, k_vmac, k_smac, k_pmac = (x[i : i + 32] for i in range(0, 160, 32))
for name, k in (("index", k_index), ("valueEncryption", k_enc), ("valueMac", k_vmac), ("snapshotMac", k_smac), ("patchMac", k_pmac)):
    print(f"key.{name}", k.hex())

index = json.dumps(["mute", "15550001111@s.whatsapp.net"], separators=(",", ":")).encode()
mute = field(1, 0, varint(1)) + field(2, 0, varint(-1))
value = field(1, 0, varint(1700000000123)) + field(4, 2, mute)
plain = field(1, 2, index) + field(2, 2, value) + field(3, 2, b"") + field(4, 0, varint(2))
print("plaintext", plain.hex())

iv = bytes(range(16, 32))
padder = padding.PKCS7(128).padder()
enc = Cipher(algorithms.AES(k_enc), modes.CBC(iv)).encryptor()
ct = enc.update(padder.update(plain) + padder.finalize()) + enc.finalize()
data = iv + ct
value_mac = hmac.new(k_vmac, bytes([1]) + key_id + data + struct.pack(">Q", len(key_id) + 1), hashlib.sha512).digest()[:32]
index_mac = hmac.new(k_index, index, hashlib.sha256).digest()
print("record.index", index_mac.hex())
print("record.value", (data + value_mac).hex())
print("valueMac.remove", hmac.new(k_vmac, bytes([2]) + key_id + data + struct.pack(">Q", len(key_id) + 1), hashlib.sha512).digest()[:32].hex())

h = lthash(bytes(128), [], [value_mac])
print("ltHash", h.hex())
snap = hmac.new(k_smac, h + struct.pack(">Q", 1) + b"regular_high", hashlib.sha256).digest()
print("snapshotMac", snap.hex())
print("patchMac", hmac.new(k_pmac, snap + value_mac + struct.pack(">Q", 1) + b"regular_high", hashlib.sha256).digest().hex())
print("ltHash.removed", lthash(h, [value_mac], []).hex())
