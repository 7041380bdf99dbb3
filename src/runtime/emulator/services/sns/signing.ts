import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  type KeyObject,
} from "node:crypto";

/**
 * Message signatures as SNS makes them (sns-verify-signature-of-message): the "string to sign"
 * is the message's fields as `Name\nvalue\n` pairs in a fixed order, signed SHA1withRSA for
 * SignatureVersion 1 and SHA256withRSA for 2, Base64 in `Signature`. `SigningCertURL` serves a
 * self-signed X.509 certificate for the emulator's RSA key, so a receiver can verify signatures
 * the way it does against AWS (only the certificate's issuer differs: it is not Amazon's).
 */
export class MessageSigner {
  private readonly key: KeyObject;
  readonly certificatePem: string;
  /** Stable id of the key, part of the certificate's file name. */
  readonly keyId: string;

  constructor(privateKeyPem: string) {
    this.key = createPrivateKey(privateKeyPem);
    const spki = createPublicKey(this.key).export({ type: "spki", format: "der" });
    this.keyId = createHash("sha256").update(spki).digest("hex").slice(0, 32);
    this.certificatePem = selfSignedCertificate(this.key, spki, this.keyId);
  }

  static generateKeyPem(): string {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    return privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  }

  certificateFileName(): string {
    return `SimpleNotificationService-${this.keyId}.pem`;
  }

  sign(stringToSign: string, signatureVersion: string): string {
    const algorithm = signatureVersion === "2" ? "sha256" : "sha1";
    return sign(algorithm, Buffer.from(stringToSign, "utf8"), this.key).toString("base64");
  }
}

/** Fields in signing order, per message type; absent optional fields (Subject) are skipped. */
const SIGNED_FIELDS: Record<string, readonly string[]> = {
  Notification: ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"],
  SubscriptionConfirmation: [
    "Message",
    "MessageId",
    "SubscribeURL",
    "Timestamp",
    "Token",
    "TopicArn",
    "Type",
  ],
  UnsubscribeConfirmation: ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"],
};

export function stringToSign(envelope: Record<string, unknown>): string {
  const fields = SIGNED_FIELDS[String(envelope["Type"])] ?? SIGNED_FIELDS["Notification"]!;
  let text = "";
  for (const field of fields) {
    const value = envelope[field];
    if (value === undefined || value === null) continue;
    text += `${field}\n${String(value)}\n`;
  }
  return text;
}

// ---- a minimal DER writer for one self-signed certificate ------------------------------------

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
}

const sequence = (...items: Buffer[]) => tlv(0x30, ...items);

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split(".").map(Number);
  const bytes = [a! * 40 + b!];
  for (const part of rest) {
    const chunk: number[] = [part & 0x7f];
    for (let v = part >>> 7; v > 0; v >>>= 7) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function positiveInteger(bytes: Buffer): Buffer {
  return tlv(0x02, bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

function utcTime(date: Date): Buffer {
  const pad = (n: number) => String(n).padStart(2, "0");
  const text =
    pad(date.getUTCFullYear() % 100) +
    pad(date.getUTCMonth() + 1) +
    pad(date.getUTCDate()) +
    pad(date.getUTCHours()) +
    pad(date.getUTCMinutes()) +
    pad(date.getUTCSeconds()) +
    "Z";
  return tlv(0x17, Buffer.from(text, "ascii"));
}

function selfSignedCertificate(key: KeyObject, spki: Buffer, keyId: string): string {
  const algorithm = sequence(oid("1.2.840.113549.1.1.11"), Buffer.from([0x05, 0x00]));
  const name = sequence(
    tlv(0x31, sequence(oid("2.5.4.3"), tlv(0x0c, Buffer.from("sns.emulator.local", "utf8")))),
  );
  const tbs = sequence(
    tlv(0xa0, positiveInteger(Buffer.from([2]))),
    positiveInteger(Buffer.from(keyId.slice(0, 16), "hex")),
    algorithm,
    name,
    sequence(utcTime(new Date(Date.UTC(2020, 0, 1))), utcTime(new Date(Date.UTC(2049, 11, 31)))),
    name,
    spki,
  );
  const signature = sign("sha256", tbs, key);
  const der = sequence(tbs, algorithm, tlv(0x03, Buffer.from([0]), signature));
  const base64 = der.toString("base64").replace(/(.{64})/g, "$1\n");
  return `-----BEGIN CERTIFICATE-----\n${base64.trimEnd()}\n-----END CERTIFICATE-----\n`;
}
