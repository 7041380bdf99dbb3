/**
 * The three places the pipeline runs, and the fixed facts about each. Light on purpose: the CLI's
 * help text reads it without loading the validation library.
 */
export const TARGETS = ["local", "localstack", "aws"] as const;

export type Target = (typeof TARGETS)[number];

/** The embedded emulator's default port: not LocalStack's 4566, so both can run side by side. */
export const DEFAULT_EMULATOR_PORT = 4599;

/** The fixture source server's default port (serves the four source APIs offline). */
export const DEFAULT_FIXTURES_PORT = 4598;

export const LOCALSTACK_ENDPOINT = "http://localhost:4566";

/**
 * Where LocalStack's Lambda containers find the fixture source server: the `fixtures` service of
 * localstack/docker-compose.yml, by its name on the compose network the containers join
 * (LAMBDA_DOCKER_NETWORK). The service also publishes its port on the host's 127.0.0.1.
 */
export const LOCALSTACK_FIXTURES_HOST = "fixtures";

/** The account LocalStack and the emulator answer with. */
export const LOCAL_ACCOUNT_ID = "000000000000";

/** Static credentials for local and localstack (both accept any; these are the convention). */
export const LOCAL_CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" } as const;

export const DEFAULT_REGION = "us-east-1";

export function isTarget(value: unknown): value is Target {
  return typeof value === "string" && (TARGETS as readonly string[]).includes(value);
}
