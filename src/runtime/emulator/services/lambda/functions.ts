import type { FunctionConfiguration } from "@aws-sdk/client-lambda";
import { randomUUID } from "node:crypto";
import type { RequestContext } from "../../core/request.js";
import type { ServiceEnv } from "../../core/service.js";
import { toConfiguration } from "./configuration.js";
import { contextForArn, functionArn } from "./names.js";
import type { LambdaProvider } from "./provider.js";

export interface SyncInvokeResult {
  StatusCode: number;
  FunctionError?: string;
  Payload: string;
}

/**
 * The in-process face of Lambda's functions for the rest of the Lambda service (the event source
 * mapping engine): look a function up by name or ARN, and invoke it synchronously, exactly as the
 * Invoke operation does (same executor, concurrency, logs and metrics).
 */
export class LambdaFunctions {
  constructor(
    private readonly env: ServiceEnv,
    private readonly provider: LambdaProvider,
  ) {}

  /** The function's ARN (with the qualifier when one was given), or undefined when it does not exist. */
  functionArn = (nameOrArn: string, context: RequestContext): string | undefined => {
    const found = this.provider.lookup(nameOrArn, context);
    return found ? functionArn(found.fn, found.ref.qualifier) : undefined;
  };

  configuration = (nameOrArn: string, context: RequestContext): FunctionConfiguration | undefined => {
    const found = this.provider.lookup(nameOrArn, context);
    return found ? toConfiguration(found.fn) : undefined;
  };

  /** RequestResponse invoke as the function's owner (the account and region in its ARN). */
  invoke = async (functionName: string, payload: string): Promise<SyncInvokeResult> => {
    const context = functionName.startsWith("arn:")
      ? contextForArn(functionName, randomUUID())
      : { requestId: randomUUID(), region: this.env.defaultRegion, accountId: this.env.defaultAccountId };
    const output = await this.provider.invoke(
      { FunctionName: functionName, InvocationType: "RequestResponse", Payload: payload },
      context,
    );
    return {
      StatusCode: output.StatusCode,
      Payload: output.Payload,
      ...(output.FunctionError ? { FunctionError: output.FunctionError } : {}),
    };
  };
}
