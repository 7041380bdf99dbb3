import { createHash, randomBytes } from "node:crypto";

/**
 * HTTP/S subscription endpoints may carry credentials in their URL (https://user:password@host/path),
 * which SNS uses for Basic or Digest access authentication (RFC 2617) when the endpoint answers
 * 401 Unauthorized with a challenge. fetch refuses a URL with credentials, so they are taken out of
 * the URL here and turned into an Authorization header for the challenge the endpoint sent.
 */

export interface EndpointCredentials {
  /** The endpoint without its credentials: what is requested. */
  url: string;
  /** Undefined when the URL carries none. */
  user?: string;
  password?: string;
}

export function splitCredentials(endpoint: string): EndpointCredentials {
  const url = new URL(endpoint);
  if (url.username === "" && url.password === "") return { url: endpoint };
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  url.username = "";
  url.password = "";
  return { url: url.toString(), user, password };
}

/** The auth-params of a challenge such as `Digest realm="x", nonce="y", qop="auth"`. */
function challengeParams(challenge: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const match of challenge.matchAll(/([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g)) {
    params[match[1]!.toLowerCase()] = match[2] !== undefined ? match[2].replace(/\\(.)/g, "$1") : match[3]!;
  }
  return params;
}

const md5 = (text: string): string => createHash("md5").update(text, "utf8").digest("hex");

/**
 * The Authorization header answering a 401's WWW-Authenticate challenge, or undefined when the
 * endpoint asked for a scheme SNS does not speak (or carried no credentials to answer with).
 * Digest: MD5 with qop=auth, or the RFC 2069 form when the challenge offers no qop.
 */
export function authorizationFor(
  challenge: string | null,
  credentials: EndpointCredentials,
  method: string,
  cnonce: string = randomBytes(8).toString("hex"),
): string | undefined {
  if (challenge === null || credentials.user === undefined) return undefined;
  const user = credentials.user;
  const password = credentials.password ?? "";
  const scheme = challenge.trim().split(/\s+/)[0]!.toLowerCase();
  if (scheme === "basic") {
    return `Basic ${Buffer.from(`${user}:${password}`, "utf8").toString("base64")}`;
  }
  if (scheme !== "digest") return undefined;
  const params = challengeParams(challenge.trim().slice("digest".length));
  const algorithm = params["algorithm"] ?? "MD5";
  if (algorithm.toUpperCase() !== "MD5" || params["nonce"] === undefined) return undefined;
  const realm = params["realm"] ?? "";
  const uri = (() => {
    const url = new URL(credentials.url);
    return `${url.pathname}${url.search}`;
  })();
  const ha1 = md5(`${user}:${realm}:${password}`);
  const ha2 = md5(`${method}:${uri}`);
  const offered = (params["qop"] ?? "").split(",").map((q) => q.trim());
  const fields: [string, string, boolean][] = [
    ["username", user, true],
    ["realm", realm, true],
    ["nonce", params["nonce"], true],
    ["uri", uri, true],
  ];
  if (offered.includes("auth")) {
    const nc = "00000001";
    const response = md5(`${ha1}:${params["nonce"]}:${nc}:${cnonce}:auth:${ha2}`);
    fields.push(
      ["qop", "auth", false],
      ["nc", nc, false],
      ["cnonce", cnonce, true],
      ["response", response, true],
    );
  } else if (params["qop"] === undefined) {
    fields.push(["response", md5(`${ha1}:${params["nonce"]}:${ha2}`), true]);
  } else {
    return undefined; // auth-int only: a body digest SNS does not compute
  }
  if (params["algorithm"] !== undefined) fields.push(["algorithm", algorithm, false]);
  if (params["opaque"] !== undefined) fields.push(["opaque", params["opaque"], true]);
  const quote = (value: string) => `"${value.replace(/(["\\])/g, "\\$1")}"`;
  return `Digest ${fields.map(([name, value, quoted]) => `${name}=${quoted ? quote(value) : value}`).join(", ")}`;
}

/** The endpoint as it may appear in a log line or an error: the password replaced by `****`. */
export function redactedEndpoint(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    if (url.password === "") return endpoint;
    url.password = "****";
    return url.toString();
  } catch {
    return endpoint;
  }
}
