import { describe, expect, it } from "vitest";
import {
  authorizationFor,
  redactedEndpoint,
  splitCredentials,
} from "../../../../src/runtime/emulator/services/sns/http-auth.js";

/** SNS's Basic and Digest access authentication for HTTP/S endpoints, checked against RFC 2617. */
describe("SNS HTTP endpoint credentials", () => {
  it("takes the credentials out of the URL (percent-decoded) and leaves a URL fetch accepts", () => {
    expect(splitCredentials("https://ops%40corp:p%3Ass@hooks.example.com/sns?x=1")).toEqual({
      url: "https://hooks.example.com/sns?x=1",
      user: "ops@corp",
      password: "p:ss",
    });
    expect(splitCredentials("https://hooks.example.com/sns")).toEqual({
      url: "https://hooks.example.com/sns",
    });
    expect(splitCredentials("https://only-user@hooks.example.com/")).toMatchObject({
      user: "only-user",
      password: "",
    });
  });

  it("Basic: base64 of user:password", () => {
    const credentials = splitCredentials("https://Aladdin:open%20sesame@example.com/");
    expect(authorizationFor('Basic realm="WallyWorld"', credentials, "POST")).toBe(
      "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
    );
  });

  it("Digest with qop=auth: the response of RFC 2617's own example (section 3.5)", () => {
    const credentials = splitCredentials("http://Mufasa:Circle%20Of%20Life@www.nowhere.org/dir/index.html");
    const header = authorizationFor(
      'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
      credentials,
      "GET",
      "0a4f113b",
    );
    expect(header).toBe(
      'Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", ' +
        'uri="/dir/index.html", qop=auth, nc=00000001, cnonce="0a4f113b", ' +
        'response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    );
  });

  it("Digest without qop: the RFC 2069 response MD5(HA1:nonce:HA2)", () => {
    const credentials = splitCredentials("http://Mufasa:Circle%20Of%20Life@www.nowhere.org/dir/index.html");
    const header = authorizationFor(
      'Digest realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093"',
      credentials,
      "GET",
    );
    // MD5("939e7578ed9e3c518a452acee763bce9:dcd98b7102dd2f0e8b11d0f600bfb0c093:39aff3a2bab6126f332b942af96d3366")
    expect(header).toContain('response="670fd8c2df070c60b045671b8b24ff02"');
    expect(header).not.toContain("qop=");
  });

  it("no answer for a challenge it cannot meet, or without credentials", () => {
    const credentials = splitCredentials("https://u:p@example.com/");
    expect(authorizationFor('Bearer realm="api"', credentials, "POST")).toBeUndefined();
    expect(
      authorizationFor('Digest realm="r", nonce="n", qop="auth-int"', credentials, "POST"),
    ).toBeUndefined();
    expect(
      authorizationFor('Digest realm="r", nonce="n", algorithm=SHA-256', credentials, "POST"),
    ).toBeUndefined();
    expect(authorizationFor(null, credentials, "POST")).toBeUndefined();
    expect(
      authorizationFor('Basic realm="r"', splitCredentials("https://example.com/"), "POST"),
    ).toBeUndefined();
  });

  it("shows a URL's password as ****", () => {
    expect(redactedEndpoint("https://u:secret@example.com/x")).toBe("https://u:****@example.com/x");
    expect(redactedEndpoint("https://example.com/x")).toBe("https://example.com/x");
  });
});
