import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import type { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import type { IAMClient } from "@aws-sdk/client-iam";
import type { LambdaClient } from "@aws-sdk/client-lambda";
import type { SNSClient } from "@aws-sdk/client-sns";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { SSMClient } from "@aws-sdk/client-ssm";
import type { STSClient } from "@aws-sdk/client-sts";
import type { PipelineConfig } from "../config/schema.js";
import { LOCAL_ACCOUNT_ID, LOCAL_CREDENTIALS, type Target } from "../config/targets.js";
import { AccountMismatchError, NoCredentialsError } from "./errors.js";

/**
 * The one AWS SDK v3 client factory. Every client for a target differs only in endpoint,
 * credentials and region: local and localstack get the explicit endpoint and static test
 * credentials; aws gets the SDK's default credential chain (with the profile, if configured) and
 * AWS's endpoints unless one is configured. Each client package is imported only when first used.
 */
export interface ClientSettings {
  region: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  profile?: string;
}

/** What the factory needs from the configuration. */
export type AwsConfig = Pick<PipelineConfig, "target" | "region" | "profile" | "endpoint" | "account">;

/** Any SDK v3 client class (they all take one optional configuration object). */
export type ClientClass<C> = new (configuration: ClientSettings) => C;

interface Destroyable {
  destroy(): void;
}

export interface AwsClients {
  readonly target: Target;
  /** The options every client is built with (also what a handler run in-process needs). */
  readonly settings: Readonly<ClientSettings>;
  /** A client of the given class, built once per class: `clientFor(SQSClient)`. */
  clientFor<C extends Destroyable>(Service: ClientClass<C>): C;
  dynamodb(): Promise<DynamoDBClient>;
  dynamodbStreams(): Promise<DynamoDBStreamsClient>;
  sqs(): Promise<SQSClient>;
  eventbridge(): Promise<EventBridgeClient>;
  lambda(): Promise<LambdaClient>;
  logs(): Promise<CloudWatchLogsClient>;
  cloudwatch(): Promise<CloudWatchClient>;
  sts(): Promise<STSClient>;
  iam(): Promise<IAMClient>;
  sns(): Promise<SNSClient>;
  ssm(): Promise<SSMClient>;
  /**
   * The account id: fixed on local targets; on aws from STS GetCallerIdentity (asked once), and
   * checked against the configured `account` when one is set.
   */
  accountId(): Promise<string>;
  /** Closes every client's connections. */
  destroy(): void;
}

export function clientSettings(config: AwsConfig): ClientSettings {
  if (config.target !== "aws") {
    // The emulator and LocalStack both take a 12-digit access key id as the account to act in.
    // Without it, an account set to another id labelled the default account's resources with it.
    const accessKeyId =
      config.account !== undefined && /^\d{12}$/.test(config.account)
        ? config.account
        : LOCAL_CREDENTIALS.accessKeyId;
    return {
      region: config.region,
      endpoint: config.endpoint,
      credentials: { ...LOCAL_CREDENTIALS, accessKeyId },
    };
  }
  return {
    region: config.region,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(config.profile ? { profile: config.profile } : {}),
  };
}

export function createClients(config: AwsConfig): AwsClients {
  const settings = clientSettings(config);
  const built = new Map<ClientClass<Destroyable>, Destroyable>();
  let account: Promise<string> | undefined;

  const clientFor = <C extends Destroyable>(Service: ClientClass<C>): C => {
    let client = built.get(Service as ClientClass<Destroyable>);
    if (!client) {
      client = new Service({ ...settings });
      built.set(Service as ClientClass<Destroyable>, client);
    }
    return client as C;
  };

  const clients: AwsClients = {
    target: config.target,
    settings,
    clientFor,
    dynamodb: async () => clientFor((await import("@aws-sdk/client-dynamodb")).DynamoDBClient),
    dynamodbStreams: async () =>
      clientFor((await import("@aws-sdk/client-dynamodb-streams")).DynamoDBStreamsClient),
    sqs: async () => clientFor((await import("@aws-sdk/client-sqs")).SQSClient),
    eventbridge: async () => clientFor((await import("@aws-sdk/client-eventbridge")).EventBridgeClient),
    lambda: async () => clientFor((await import("@aws-sdk/client-lambda")).LambdaClient),
    logs: async () => clientFor((await import("@aws-sdk/client-cloudwatch-logs")).CloudWatchLogsClient),
    cloudwatch: async () => clientFor((await import("@aws-sdk/client-cloudwatch")).CloudWatchClient),
    sts: async () => clientFor((await import("@aws-sdk/client-sts")).STSClient),
    iam: async () => clientFor((await import("@aws-sdk/client-iam")).IAMClient),
    sns: async () => clientFor((await import("@aws-sdk/client-sns")).SNSClient),
    ssm: async () => clientFor((await import("@aws-sdk/client-ssm")).SSMClient),
    accountId: () => {
      account ??= resolveAccount(config, clients).catch((error: unknown) => {
        account = undefined; // a failed lookup (expired SSO session) may succeed after a fix
        throw error;
      });
      return account;
    },
    destroy: () => {
      for (const client of built.values()) client.destroy();
      built.clear();
    },
  };
  return clients;
}

async function resolveAccount(config: AwsConfig, clients: AwsClients): Promise<string> {
  if (config.target !== "aws") return config.account ?? LOCAL_ACCOUNT_ID;
  const { GetCallerIdentityCommand } = await import("@aws-sdk/client-sts");
  const sts = await clients.sts();
  let found: string | undefined;
  try {
    found = (await sts.send(new GetCallerIdentityCommand({}))).Account;
  } catch (error) {
    if (error instanceof Error && error.name === "CredentialsProviderError") {
      const profile = config.profile ? `profile ${config.profile}` : "the default profile";
      throw new NoCredentialsError(
        `no AWS credentials for ${profile} (${error.message}); sign in (aws sso login${
          config.profile ? ` --profile ${config.profile}` : ""
        }) or set AWS_PROFILE / --profile`,
      );
    }
    throw error;
  }
  if (!found) throw new Error("STS GetCallerIdentity returned no Account");
  if (config.account && config.account !== found) {
    throw new AccountMismatchError(
      `the credentials belong to account ${found}, but account is set to ${config.account}; ` +
        "switch profile (--profile / AWS_PROFILE) or change account (PIPELINE_ACCOUNT / config file)",
    );
  }
  return found;
}
