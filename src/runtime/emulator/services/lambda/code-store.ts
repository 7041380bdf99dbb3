import AdmZip from "adm-zip";
import { createHash, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ServiceError } from "../../core/errors.js";
import { lambdaErrors } from "./errors.js";
import { MAX_UNZIPPED_BYTES, MAX_ZIP_BYTES } from "./limits.js";

export interface StoredCode {
  /** base64 SHA-256 of the zip bytes, exactly as Lambda reports CodeSha256. */
  codeSha256: string;
  codeSize: number;
}

/**
 * Deployment packages, content-addressed by CodeSha256: the zip as uploaded (served back as
 * GetFunction's Code.Location) and, once needed, its extracted task root. Kept under the service's
 * persistence folder, or in a temporary folder removed on stop.
 */
export class CodeStore {
  private readonly root: string;
  private readonly temporary: boolean;

  constructor(persistentDirectory: string | undefined) {
    this.temporary = persistentDirectory === undefined;
    this.root = persistentDirectory ?? mkdtempSync(join(tmpdir(), "pipeline-lambda-"));
    mkdirSync(join(this.root, "code"), { recursive: true });
    mkdirSync(join(this.root, "tasks"), { recursive: true });
  }

  /** Validates a zip like Lambda does on upload and stores it. */
  save(zip: Buffer): StoredCode {
    if (zip.length === 0) throw lambdaErrors.invalidParameter("Uploaded file must be a non-empty zip");
    if (zip.length > MAX_ZIP_BYTES) {
      throw new ServiceError(
        "RequestEntityTooLargeException",
        `Zipped size must be smaller than ${MAX_ZIP_BYTES} bytes; upload larger packages through S3.`,
        413,
      );
    }
    let unzipped = 0;
    try {
      const entries = new AdmZip(zip).getEntries();
      for (const entry of entries) unzipped += entry.header.size;
    } catch {
      throw lambdaErrors.invalidParameter(
        "Could not unzip uploaded file. Please check your file, then try to upload again.",
      );
    }
    if (unzipped > MAX_UNZIPPED_BYTES) {
      throw lambdaErrors.invalidParameter(`Unzipped size must be smaller than ${MAX_UNZIPPED_BYTES} bytes`);
    }
    const codeSha256 = createHash("sha256").update(zip).digest("base64");
    const path = this.zipPath(codeSha256);
    if (!existsSync(path)) {
      writeFileSync(`${path}.tmp`, zip);
      renameSync(`${path}.tmp`, path);
    }
    return { codeSha256, codeSize: zip.length };
  }

  has(codeSha256: string): boolean {
    return existsSync(this.zipPath(codeSha256));
  }

  read(codeSha256: string): Buffer | undefined {
    const path = this.zipPath(codeSha256);
    return existsSync(path) ? readFileSync(path) : undefined;
  }

  zipPath(codeSha256: string): string {
    return join(this.root, "code", `${hexOf(codeSha256)}.zip`);
  }

  /** The extracted package (LAMBDA_TASK_ROOT), extracted on first use. */
  taskRoot(codeSha256: string): string {
    const target = join(this.root, "tasks", hexOf(codeSha256));
    if (existsSync(target)) return target;
    const zip = this.read(codeSha256);
    if (!zip) throw new Error(`The deployment package ${codeSha256} is missing from ${this.root}`);
    // Extract beside the target and rename, so a half-extracted folder is never used.
    const staging = `${target}.${randomUUID()}`;
    new AdmZip(zip).extractAllTo(staging, true);
    try {
      renameSync(staging, target);
    } catch (error) {
      rmSync(staging, { recursive: true, force: true });
      if (!existsSync(target)) throw error;
    }
    return target;
  }

  /** Removes the temporary folder (persistent code stays for the next start). */
  close(): void {
    if (this.temporary) rmSync(this.root, { recursive: true, force: true });
  }
}

/** A file-name-safe form of a base64 digest. */
export function hexOf(codeSha256: string): string {
  return Buffer.from(codeSha256, "base64").toString("hex");
}
