import type { FunctionConfiguration } from "@aws-sdk/client-lambda";
import { randomUUID } from "node:crypto";
import type { RequestContext } from "../../core/request.js";
import type { ServiceEnv } from "../../core/service.js";
import { toConfiguration } from "./configuration.js";
import { contextForArn, functionArn, LATEST } from "./names.js";
import type { LambdaProvider } from "./provider.js";
import { findAlias, findVersion, VERSION_PATTERN } from "./versions.js";

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

  /**
   * The Timeout (seconds) of what the name or ARN runs: $LATEST, a published version, or an
   * alias's version (its main one when it routes a share elsewhere).
   */
  timeout = (nameOrArn: string, context: RequestContext): number | undefined => {
    const found = this.provider.lookup(nameOrArn, context);
    if (!found) return undefined;
    let qualifier = found.ref.qualifier;
    if (qualifier !== undefined && !VERSION_PATTERN.test(qualifier) && qualifier !== LATEST) {
      qualifier = findAlias(found.fn, qualifier)?.functionVersion;
    }
    if (qualifier === undefined || qualifier === LATEST) return found.fn.timeout;
    return findVersion(found.fn, qualifier)?.config.timeout ?? found.fn.timeout;
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
