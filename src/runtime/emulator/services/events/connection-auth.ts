import type { Clock } from "../../core/clock.js";
import { API_DESTINATION_TIMEOUT_MS, OAUTH_DEFAULT_TOKEN_LIFETIME_MS } from "./limits.js";
import type { ConnectionRecord } from "./models.js";

/**
 * The authorization a connection adds to each API destination request: `Authorization: Basic`
 * for BASIC, the API key header for API_KEY, and for OAUTH_CLIENT_CREDENTIALS a bearer token
 * from the connection's authorization endpoint (client credentials grant: the client id and
 * secret as Basic authorization, the OAuth HTTP parameters as headers, query string and form
 * body). Tokens are kept in memory until their `expires_in`, or until the endpoint refuses one.
 */
export class ConnectionAuthorizer {
  private readonly tokens = new Map<string, { token: string; expiresAt: number }>();

  constructor(private readonly clock: Clock) {}

  async headers(connection: ConnectionRecord): Promise<Record<string, string>> {
    const auth = connection.authParameters;
    switch (connection.authorizationType) {
      case "BASIC": {
        const basic = auth.BasicAuthParameters;
        if (!basic) return {};
        return {
          authorization: `Basic ${Buffer.from(`${basic.Username}:${basic.Password}`).toString("base64")}`,
        };
      }
      case "API_KEY": {
        const key = auth.ApiKeyAuthParameters;
        return key ? { [key.ApiKeyName.toLowerCase()]: key.ApiKeyValue } : {};
      }
      case "OAUTH_CLIENT_CREDENTIALS": {
        const cached = this.tokens.get(connection.arn);
        const token =
          cached && cached.expiresAt > this.clock.now() ? cached.token : await this.fetchToken(connection);
        return { authorization: `Bearer ${token}` };
      }
    }
  }

  /** Drops a cached token (the endpoint answered 401), so the next request fetches a new one. */
  forget(connection: ConnectionRecord): void {
    this.tokens.delete(connection.arn);
  }

  /** Asks the authorization endpoint for a token; throws with the reason when it gives none. */
  async fetchToken(connection: ConnectionRecord): Promise<string> {
    const oauth = connection.authParameters.OAuthParameters;
    if (!oauth) throw new Error(`Connection ${connection.name} has no OAuthParameters.`);
    const url = new URL(oauth.AuthorizationEndpoint);
    const http = oauth.OAuthHttpParameters;
    for (const p of http?.QueryStringParameters ?? [])
      if (p.Key) url.searchParams.append(p.Key, p.Value ?? "");
    const { ClientID, ClientSecret } = oauth.ClientParameters;
    const headers: Record<string, string> = {
      authorization: `Basic ${Buffer.from(`${ClientID}:${ClientSecret}`).toString("base64")}`,
      accept: "application/json",
    };
    for (const p of http?.HeaderParameters ?? []) if (p.Key) headers[p.Key.toLowerCase()] = p.Value ?? "";
    let body: string | undefined;
    if (oauth.HttpMethod !== "GET") {
      const form = new URLSearchParams();
      for (const p of http?.BodyParameters ?? []) if (p.Key) form.append(p.Key, p.Value ?? "");
      body = form.toString();
      headers["content-type"] = "application/x-www-form-urlencoded";
    }
    let response: Response;
    try {
      response = await fetch(url, {
        method: oauth.HttpMethod,
        headers,
        body,
        signal: AbortSignal.timeout(API_DESTINATION_TIMEOUT_MS),
      });
    } catch (error) {
      throw new Error(
        `The authorization endpoint ${url.origin} could not be reached: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const text = await response.text();
    if (!response.ok) throw new Error(`The authorization endpoint answered HTTP ${response.status}.`);
    let answer: { access_token?: unknown; expires_in?: unknown };
    try {
      answer = JSON.parse(text) as typeof answer;
    } catch {
      throw new Error("The authorization endpoint's answer is not JSON with an access_token.");
    }
    if (typeof answer.access_token !== "string" || answer.access_token === "") {
      throw new Error("The authorization endpoint's answer has no access_token.");
    }
    const lifetime =
      typeof answer.expires_in === "number" && answer.expires_in > 0
        ? answer.expires_in * 1000
        : OAUTH_DEFAULT_TOKEN_LIFETIME_MS;
    this.tokens.set(connection.arn, { token: answer.access_token, expiresAt: this.clock.now() + lifetime });
    return answer.access_token;
  }
}
