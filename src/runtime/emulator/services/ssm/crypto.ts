import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Encryption at rest for SecureString values, in the role KMS plays on AWS: values are sealed
 * with AES-256-GCM (the parameter ARN as additional authenticated data, like KMS's encryption
 * context) before they reach the journal or the snapshot, so the state folder never holds a
 * SecureString in clear. The data key lives in its own file (`ssm/data-key`, mode 0600) next to
 * the journal; an emulator without a state folder keeps it in memory. The sealed form, Base64, is
 * also what GetParameter returns as the Value when WithDecryption is false, as AWS returns its
 * ciphertext.
 */
export class ParameterSealer {
  private readonly key: Buffer;

  constructor(directory: string | undefined) {
    if (!directory) {
      this.key = randomBytes(32);
      return;
    }
    const path = join(directory, "data-key");
    if (existsSync(path)) {
      this.key = Buffer.from(readFileSync(path, "utf8").trim(), "hex");
    } else {
      this.key = randomBytes(32);
      writeFileSync(path, this.key.toString("hex"), { mode: 0o600 });
      chmodSync(path, 0o600);
    }
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    cipher.setAAD(Buffer.from(context, "utf8"));
    const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return Buffer.concat([Buffer.from([1]), iv, cipher.getAuthTag(), body]).toString("base64");
  }

  open(sealed: string, context: string): string {
    const blob = Buffer.from(sealed, "base64");
    const decipher = createDecipheriv("aes-256-gcm", this.key, blob.subarray(1, 13));
    decipher.setAAD(Buffer.from(context, "utf8"));
    decipher.setAuthTag(blob.subarray(13, 29));
    return Buffer.concat([decipher.update(blob.subarray(29)), decipher.final()]).toString("utf8");
  }
}
