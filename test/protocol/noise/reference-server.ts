// An independent Noise responder written in the test from Baileys' primitives
// (its sha256, hkdf, AES-GCM, libsignal-backed Curve and protobufs), following
// baileys-server-notes §1.5. It shares no code with src/protocol/noise, so a
// handshake between it and our client checks our client against a second
// implementation, and byte-equal outputs check our server role.
import { aesDecryptGCM, aesEncryptGCM, Curve, hkdf, NOISE_MODE, NOISE_WA_HEADER, proto, sha256 } from 'baileys';

type Bytes = Uint8Array;

const iv = (counter: number): Bytes => {
  const out = Buffer.alloc(12);
  out.writeUInt32BE(counter, 8);
  return out;
};

export class ReferenceServer {
  #hash: Bytes;
  #salt: Bytes;
  #key: Bytes;
  #counter = 0;
  #ephemeral: { public: Bytes; private: Bytes };
  #recvKey?: Bytes;
  #sendKey?: Bytes;
  #recvCounter = 0;
  #sendCounter = 0;

  constructor(
    private staticKeyPair: { public: Bytes; private: Bytes },
    private readonly certChain: Bytes,
    ephemeral?: { public: Bytes; private: Bytes },
    header: Bytes = NOISE_WA_HEADER,
  ) {
    this.#hash = this.#salt = this.#key = Buffer.from(NOISE_MODE);
    // libsignal accepts only Buffers.
    this.#ephemeral = ephemeral ? { public: Buffer.from(ephemeral.public), private: Buffer.from(ephemeral.private) } : Curve.generateKeyPair();
    this.staticKeyPair = { public: Buffer.from(staticKeyPair.public), private: Buffer.from(staticKeyPair.private) };
    this.#authenticate(header);
  }

  /** ClientHello frame payload in, ServerHello frame payload out. */
  hello(clientHelloBytes: Bytes): Bytes {
    const clientEphemeral = proto.HandshakeMessage.decode(clientHelloBytes).clientHello!.ephemeral!;
    this.#authenticate(clientEphemeral);
    this.#authenticate(this.#ephemeral.public);
    this.#mix(Curve.sharedKey(this.#ephemeral.private, clientEphemeral));
    const encStatic = this.#encrypt(this.staticKeyPair.public);
    this.#mix(Curve.sharedKey(this.staticKeyPair.private, clientEphemeral));
    const encPayload = this.#encrypt(this.certChain);
    return proto.HandshakeMessage.encode({ serverHello: { ephemeral: this.#ephemeral.public, static: encStatic, payload: encPayload } }).finish();
  }

  /** ClientFinish frame payload in; the client's static key and payload out. */
  finish(clientFinishBytes: Bytes): { clientStatic: Bytes; clientPayload: Bytes } {
    const finish = proto.HandshakeMessage.decode(clientFinishBytes).clientFinish!;
    const clientStatic = this.#decrypt(finish.static!);
    this.#mix(Curve.sharedKey(this.#ephemeral.private, clientStatic));
    const clientPayload = this.#decrypt(finish.payload!);
    const k = hkdf(Buffer.alloc(0), 64, { salt: Buffer.from(this.#salt), info: '' });
    this.#recvKey = k.subarray(0, 32);
    this.#sendKey = k.subarray(32, 64);
    return { clientStatic, clientPayload };
  }

  send(plaintext: Bytes): Bytes {
    return aesEncryptGCM(plaintext, this.#sendKey!, iv(this.#sendCounter++), Buffer.alloc(0));
  }

  receive(ciphertext: Bytes): Bytes {
    return aesDecryptGCM(ciphertext, this.#recvKey!, iv(this.#recvCounter++), Buffer.alloc(0));
  }

  #authenticate(data: Bytes): void {
    this.#hash = sha256(Buffer.concat([this.#hash, data]));
  }

  #mix(ikm: Bytes): void {
    const k = hkdf(Buffer.from(ikm), 64, { salt: Buffer.from(this.#salt), info: '' });
    this.#salt = k.subarray(0, 32);
    this.#key = k.subarray(32, 64);
    this.#counter = 0;
  }

  #encrypt(plaintext: Bytes): Bytes {
    const ct = aesEncryptGCM(plaintext, this.#key, iv(this.#counter++), this.#hash);
    this.#authenticate(ct);
    return ct;
  }

  #decrypt(ciphertext: Bytes): Bytes {
    const pt = aesDecryptGCM(ciphertext, this.#key, iv(this.#counter++), this.#hash);
    this.#authenticate(ciphertext);
    return pt;
  }
}

/** A certificate chain signed with libsignal's XEdDSA (through Baileys' Curve.sign). */
export function referenceCertChain(root: { private: Bytes }, intermediate: { public: Bytes; private: Bytes }, serverStatic: Bytes): Bytes {
  const Details = proto.CertChain.NoiseCertificate.Details;
  const interDetails = Details.encode({ serial: 11, issuerSerial: 0, key: intermediate.public }).finish();
  const leafDetails = Details.encode({ serial: 12, issuerSerial: 11, key: serverStatic }).finish();
  return proto.CertChain.encode({
    intermediate: { details: interDetails, signature: Curve.sign(root.private, interDetails) },
    leaf: { details: leafDetails, signature: Curve.sign(intermediate.private, leafDetails) },
  }).finish();
}
