/**
 * The `localstack` target's lifecycle: Docker Compose runs localstack/docker-compose.yml, and the
 * health wait reads LocalStack's own readiness endpoints. Returns data and throws OperatorErrors;
 * `pipeline localstack up|down|status` renders them.
 */
export {
  COMPOSE_FILE,
  ComposeError,
  checkCompose,
  DockerUnavailableError,
  composeContainers,
  composeDown,
  composeUp,
  findComposeFile,
  parsePs,
} from "./docker.js";
export type { ComposeOptions, ComposeResult, ContainerState, ContainersReport } from "./docker.js";
export { PIPELINE_SERVICES, probeLocalStack, readiness } from "./health.js";
export type { InitScript, LocalStackProbe, Readiness } from "./health.js";
export { LocalStackNotReadyError, waitForLocalStack } from "./wait.js";
export type { ReadyLocalStack, WaitOptions, WaitProgress } from "./wait.js";

/** The variable LocalStack images (2026 on) need; passed through to the container, never stored. */
export const AUTH_TOKEN_VAR = "LOCALSTACK_AUTH_TOKEN";

/** Whether the auth token is set, so `up` can warn before a container that refuses to start. */
export function hasAuthToken(env: Readonly<Record<string, string | undefined>>): boolean {
  return Boolean(env[AUTH_TOKEN_VAR]?.trim());
}
