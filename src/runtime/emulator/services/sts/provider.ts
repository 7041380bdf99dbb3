import type { EmulatorRequest, EmulatorResponse, RequestContext } from "../../core/request.js";
import type { ServiceEnv, ServiceModule } from "../../core/service.js";
import { commonErrors } from "../../core/errors.js";
import { queryParams, toXml, xmlError, xmlResponse } from "../../protocol/query.js";

const NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";

/** STS: the identity every deploy asks for first. Credentials are not checked (as in LocalStack). */
export function createStsService(_env: ServiceEnv): ServiceModule {
  const operations = {
    GetCallerIdentity: async (_input: unknown, context: RequestContext) => ({
      UserId: context.accessKeyId ?? context.accountId,
      Account: context.accountId,
      Arn: `arn:aws:iam::${context.accountId}:root`,
    }),
  };
  return {
    name: "sts",
    operations,
    async handle(request: EmulatorRequest): Promise<EmulatorResponse> {
      const params = queryParams(request);
      const action = params["Action"] ?? "";
      try {
        const operation = operations[action as keyof typeof operations];
        if (!operation) throw commonErrors.unknownOperation("sts", action || "(no Action)");
        const output = await operation(params, request.context);
        return xmlResponse(action, NAMESPACE, toXml(output, { flattened: false }), request.context.requestId);
      } catch (error) {
        return xmlError(error, NAMESPACE, request.context.requestId);
      }
    },
  };
}
