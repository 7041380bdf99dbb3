/**
 * AWS access for every target: one client factory (./clients.ts) and, for the local target, the
 * guarantee that an emulator answers (./local-endpoint.ts). `openAws` combines both for commands.
 */
import type { ResolvedConfig } from "../config/resolve.js";
import { createClients, type AwsClients } from "./clients.js";
import {
  ensureLocalEndpoint,
  type EnsureLocalEndpointOptions,
  type LocalEndpoint,
} from "./local-endpoint.js";

export { clientSettings, createClients } from "./clients.js";
export type { AwsClients, AwsConfig, ClientClass, ClientSettings } from "./clients.js";
export { ensureLocalEndpoint } from "./local-endpoint.js";
export type { EnsureLocalEndpointOptions, LocalEndpoint } from "./local-endpoint.js";
export {
  AccountMismatchError,
  EmulatorUnavailableError,
  EndpointUnavailableError,
  NoCredentialsError,
  networkCode,
  unreachableEndpoint,
} from "./errors.js";
export type { EndpointTarget } from "./errors.js";

export interface AwsSession {
  clients: AwsClients;
  endpoint: LocalEndpoint;
  /** Destroys the clients, then stops the emulator if this process started it. */
  close(): Promise<void>;
}

/** Clients for the resolved target, with the local endpoint made to answer first. */
export async function openAws(
  resolved: ResolvedConfig,
  options: EnsureLocalEndpointOptions,
): Promise<AwsSession> {
  const endpoint = await ensureLocalEndpoint(resolved, options);
  const config = endpoint.url ? { ...resolved.config, endpoint: endpoint.url } : resolved.config;
  const clients = createClients(config);
  return {
    clients,
    endpoint,
    close: async () => {
      clients.destroy();
      await endpoint.stop();
    },
  };
}
