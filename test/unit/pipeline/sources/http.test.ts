import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Server, ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { PermanentError, RetryableError } from "../../../../src/pipeline/model/index.js";
import { VirtualClock } from "../../../../src/pipeline/sources/clock.js";
import { HttpClient } from "../../../../src/pipeline/sources/http.js";
import type { FetchLike, HttpClientOptions, RetryEvent } from "../../../../src/pipeline/sources/http.js";

const schema = z.object({ name: z.string(), count: z.number() });

interface Scripted {
  fetch: FetchLike;
  calls: { url: string; headers: Record<string, string> }[];
}

/** A fetch that answers from a script, one entry per call (the last repeats); entries build fresh responses. */
function scriptedFetch(...script: (Error | (() => Response))[]): Scripted {
  const calls: Scripted["calls"] = [];
  const fetch: FetchLike = async (input, init) => {
    calls.push({ url: String(input), headers: { ...(init?.headers as Record<string, string>) } });
    const step = script[Math.min(calls.length - 1, script.length - 1)];
    if (step === undefined) throw new Error("empty script");
    if (step instanceof Error) throw step;
    return step();
  };
  return { fetch, calls };
}

const json =
  (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  () =>
    new Response(JSON.stringify(body), {
      status,
      headers: { "content-type": "application/json", ...headers },
    });

function client(fetch: FetchLike, overrides: Partial<HttpClientOptions> = {}) {
  const clock = new VirtualClock(Date.UTC(2026, 7, 2, 2, 0, 0));
  const retries: RetryEvent[] = [];
  const http = new HttpClient({
    source: "test",
    baseUrl: "https://api.example.test",
    fetch,
    clock,
    random: () => 0.5,
    retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 5000 },
    onRetry: (event) => retries.push(event),
    ...overrides,
  });
  return { http, clock, retries };
}

function networkError(code: string): Error {
  return new TypeError("fetch failed", { cause: Object.assign(new Error(code), { code }) });
}

describe("HttpClient.getJson", () => {
  it("getJson: returns the parsed, schema-checked body and sends the query and headers", async () => {
    // Prepare
    const { fetch, calls } = scriptedFetch(json({ name: "Ava", count: 3, extra: true }));
    const { http } = client(fetch, { headers: { "user-agent": "ua" } });

    // Act
    const value = await http.getJson("/v1/thing", {
      schema,
      query: { q: "Ava Quill", page: 1, skip: undefined },
    });

    // Assess: unknown fields are dropped, the query is encoded.
    expect(value).toStrictEqual({ name: "Ava", count: 3 });
    expect(calls[0]?.url).toBe("https://api.example.test/v1/thing?q=Ava+Quill&page=1");
    expect(calls[0]?.headers).toMatchObject({ accept: "application/json", "user-agent": "ua" });
  });

  it("getJson: keeps a base URL's path prefix", async () => {
    const { fetch, calls } = scriptedFetch(json({ name: "a", count: 1 }));
    const { http } = client(fetch, { baseUrl: "http://127.0.0.1:9/prefix/" });
    await http.getJson("/x/y", { schema });
    expect(calls[0]?.url).toBe("http://127.0.0.1:9/prefix/x/y");
  });

  it("getJson: retries 5xx with full-jitter backoff, then succeeds", async () => {
    // Prepare
    const { fetch, calls } = scriptedFetch(json({}, 503), json({}, 502), json({ name: "a", count: 1 }));
    const { http, clock, retries } = client(fetch);

    // Act
    const value = await http.getJson("/p", { schema, celebrityId: "007" });

    // Assess: random 0.5 → half of 100, then half of 200.
    expect(value).toStrictEqual({ name: "a", count: 1 });
    expect(calls).toHaveLength(3);
    expect(clock.slept).toStrictEqual([50, 100]);
    expect(retries.map((r) => [r.attempt, r.status, r.delayMs, r.celebrityId])).toStrictEqual([
      [1, 503, 50, "007"],
      [2, 502, 100, "007"],
    ]);
  });

  it("getJson: honours Retry-After in seconds and as an HTTP date", async () => {
    const { fetch } = scriptedFetch(
      json({}, 429, { "retry-after": "2" }),
      json({}, 429, { "retry-after": "Sun, 02 Aug 2026 02:00:05 GMT" }),
      json({ name: "a", count: 1 }),
    );
    const { http, clock } = client(fetch);
    await http.getJson("/p", { schema });
    // 2 s, then the date 5 s after the start less the 2 s already waited.
    expect(clock.slept).toStrictEqual([2000, 3000]);
  });

  it("getJson: caps a long Retry-After at maxRetryAfterMs", async () => {
    const { fetch } = scriptedFetch(json({}, 429, { "retry-after": "3600" }), json({ name: "a", count: 1 }));
    const { http, clock } = client(fetch);
    await http.getJson("/p", { schema });
    expect(clock.slept).toStrictEqual([5000]);
  });

  it("getJson: 5xx beyond the retries is a RetryableError naming the attempts", async () => {
    // Prepare
    const { fetch, calls } = scriptedFetch(json({ error: "boom" }, 500));
    const { http } = client(fetch);

    // Act
    const error = await http.getJson("/p/q", { schema, celebrityId: "042" }).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(RetryableError);
    expect(error).toMatchObject({ status: 500, celebrityId: "042", retryable: true });
    expect((error as Error).message).toBe("test GET /p/q: HTTP 500 (gave up after 4 attempts)");
    expect(calls).toHaveLength(4);
  });

  it("getJson: network errors are retried and end as RetryableError with the socket code", async () => {
    const { fetch, calls } = scriptedFetch(networkError("ECONNRESET"));
    const { http } = client(fetch);
    const error = await http.getJson("/p", { schema }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as Error).message).toContain("network error: fetch failed (ECONNRESET)");
    expect(calls).toHaveLength(4);
  });

  it.each([400, 401, 403, 404, 422])(
    "getJson: HTTP %i is a PermanentError without retries",
    async (status) => {
      const { fetch, calls } = scriptedFetch(json({ status_message: "nope" }, status));
      const { http } = client(fetch);
      const error = await http.getJson("/p", { schema, celebrityId: "001" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PermanentError);
      expect(error).toMatchObject({ status, celebrityId: "001" });
      expect((error as Error).message).toBe(`test GET /p: HTTP ${status}: {"status_message":"nope"}`);
      expect(calls).toHaveLength(1);
    },
  );

  it("getJson: 408 is retried like a 5xx", async () => {
    const { fetch, calls } = scriptedFetch(json({}, 408), json({ name: "a", count: 1 }));
    const { http } = client(fetch);
    await http.getJson("/p", { schema });
    expect(calls).toHaveLength(2);
  });

  it("getJson: an invalid JSON body is a PermanentError without retries", async () => {
    const { fetch, calls } = scriptedFetch(() => new Response('{"name": "Ava", "cou', { status: 200 }));
    const { http } = client(fetch);
    const error = await http.getJson("/p", { schema }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as Error).message).toMatch(
      /^test GET \/p: response is not valid JSON: \{"name": "Ava", "cou$/,
    );
    expect(calls).toHaveLength(1);
  });

  it("getJson: a body of the wrong shape is a PermanentError naming the field", async () => {
    const { fetch } = scriptedFetch(json({ name: "Ava", count: "three" }));
    const { http } = client(fetch);
    const error = await http.getJson("/p", { schema }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as Error).message).toMatch(/unexpected response shape \(count: /);
  });

  it("getJsonOrNotFound: answers undefined on 404 and still fails on other 4xx", async () => {
    const notFound = scriptedFetch(json({ type: "not_found" }, 404));
    expect(await client(notFound.fetch).http.getJsonOrNotFound("/p", { schema })).toBeUndefined();
    const gone = scriptedFetch(json({}, 410));
    await expect(client(gone.fetch).http.getJsonOrNotFound("/p", { schema })).rejects.toBeInstanceOf(
      PermanentError,
    );
  });

  it("getJson: never shows a secret in an error message", async () => {
    // Prepare: a server that echoes the token back in its error body.
    const token = "eyJhbGciOiJIUzI1NiJ9.secret-token-value";
    const { fetch } = scriptedFetch(json({ status_message: `Invalid API key: ${token}` }, 401));
    const { http } = client(fetch, { headers: { authorization: `Bearer ${token}` }, secrets: [token] });

    // Act
    const error = await http.getJson("/p", { schema }).catch((e: unknown) => e);

    // Assess
    expect((error as Error).message).not.toContain(token);
    expect((error as Error).message).toContain("Invalid API key: ***");
  });

  it("getJson: a caller's abort stops at once and is not retried", async () => {
    const controller = new AbortController();
    const { fetch, calls } = scriptedFetch(() => {
      controller.abort(new Error("run cancelled"));
      throw new DOMException("aborted", "AbortError");
    });
    const { http } = client(fetch);
    await expect(http.getJson("/p", { schema, signal: controller.signal })).rejects.toThrow("run cancelled");
    expect(calls).toHaveLength(1);
  });

  it("getJson: every attempt, retries included, waits for the rate limiter", async () => {
    // Prepare: 1 request per second, no burst beyond one; the server fails once.
    const { fetch } = scriptedFetch(json({}, 503), json({ name: "a", count: 1 }));
    const { http, clock } = client(fetch, { rateLimit: { perSecond: 1 }, random: () => 0 });

    // Act
    await http.getJson("/p", { schema });
    await http.getJson("/p", { schema });

    // Assess: backoff 0, then the limiter holds each further request to one per second.
    expect(clock.slept).toStrictEqual([0, 1000, 1000]);
  });

  it("constructor: refuses a base URL that is not http(s) or carries credentials", () => {
    expect(() => new HttpClient({ source: "s", baseUrl: "not a url" })).toThrow(/is not a URL/);
    expect(() => new HttpClient({ source: "s", baseUrl: "ftp://x" })).toThrow(/http or https/);
    expect(() => new HttpClient({ source: "s", baseUrl: "https://u:p@x" })).toThrow(/credentials/);
  });
});

describe("HttpClient over real sockets", () => {
  let server: Server;
  let baseUrl: string;
  const hanging = new Set<ServerResponse>();
  let requests = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests += 1;
      if (req.url === "/hang") {
        hanging.add(res);
        res.on("close", () => hanging.delete(res));
        return;
      }
      if (req.url === "/hang-once" && requests % 2 === 1) {
        hanging.add(res);
        res.on("close", () => hanging.delete(res));
        return;
      }
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ name: "ok", count: 1 }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const res of hanging) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("getJson: a request that hangs times out, is retried, and ends as RetryableError", async () => {
    const http = new HttpClient({
      source: "real",
      baseUrl,
      timeoutMs: 100,
      clock: new VirtualClock(),
      retry: { maxAttempts: 2 },
    });
    const error = await http.getJson("/hang", { schema }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as Error).message).toBe(
      "real GET /hang: timed out after 100 ms (gave up after 2 attempts)",
    );
  });

  it("getJson: a timeout followed by an answer succeeds", async () => {
    requests = 0;
    const http = new HttpClient({ source: "real", baseUrl, timeoutMs: 100, clock: new VirtualClock() });
    await expect(http.getJson("/hang-once", { schema })).resolves.toStrictEqual({ name: "ok", count: 1 });
    expect(requests).toBe(2);
  });

  it("getJson: a refused connection is retried, then RetryableError", async () => {
    // Prepare: a port that was just free.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const http = new HttpClient({
      source: "real",
      baseUrl: `http://127.0.0.1:${port}`,
      clock: new VirtualClock(),
      retry: { maxAttempts: 3 },
    });

    // Act
    const error = await http.getJson("/p", { schema }).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as Error).message).toMatch(
      /network error: fetch failed \(ECONNREFUSED\) \(gave up after 3 attempts\)/,
    );
  });
});
