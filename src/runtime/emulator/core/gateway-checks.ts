import { cbor } from "@smithy/core/cbor";
import { isQueryRequest, queryParams, xmlEscape } from "../protocol/query.js";
import { cborNestingExceeds, jsonNestingExceeds, MAX_NESTING_DEPTH, queryNestingExceeds } from "./nesting.js";
import type { EmulatorRequest, EmulatorResponse } from "./request.js";
import type { ServiceName } from "./service.js";

/**
 * What AWS's front ends check before a service sees a request, in AWS's order and wire shapes
 * (src/runtime/emulator/README.md): the request carries credentials (any access key and
 * signature are accepted, as LocalStack does; none at all is refused), and its body or query
 * parameters nest no deeper than MAX_NESTING_DEPTH.
 */

export type WireProtocol = "awsJson" | "awsQuery" | "restJson" | "rpcv2Cbor" | "opensearch";

/** The wire protocol of a request to `service`, which decides the shape of a refusal. */
export function wireProtocol(request: EmulatorRequest, service: ServiceName): WireProtocol {
  if (service === "opensearch" && request.path.startsWith("/opensearch/")) return "opensearch";
  if (request.headers["x-amz-target"]) return "awsJson";
  if (request.path.startsWith("/service/")) return "rpcv2Cbor";
  if (isQueryRequest(request)) return "awsQuery";
  return "restJson";
}

/** Services whose JSON and CBOR errors also carry the legacy query code (x-amzn-query-error). */
const QUERY_COMPATIBLE = new Set<ServiceName>(["sqs", "cloudwatch"]);

/** STS actions AWS serves unsigned: the caller has no AWS credentials yet, only a token. */
const UNSIGNED_STS_ACTIONS = new Set(["AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"]);

/** SNS actions AWS serves unsigned: the SubscribeURL and UnsubscribeURL links SNS sends to endpoints. */
const UNSIGNED_SNS_ACTIONS = new Set(["ConfirmSubscription", "Unsubscribe"]);

/**
 * Credentials in any form AWS reads them: a SigV4 `Authorization` header, a presigned URL's
 * `X-Amz-Credential`, or (query protocol) SigV2's `AWSAccessKeyId`.
 */
export function carriesCredentials(request: EmulatorRequest, protocol: WireProtocol): boolean {
  if ((request.headers["authorization"] ?? "").trim() !== "") return true;
  if (request.query.has("X-Amz-Credential") || request.query.has("AWSAccessKeyId")) return true;
  if (protocol === "awsQuery") {
    const params = queryParams(request);
    return Boolean(params["X-Amz-Credential"] || params["AWSAccessKeyId"]);
  }
  return false;
}

/** Requests that are not AWS-signed in AWS either. */
function unsignedInAws(request: EmulatorRequest, service: ServiceName, protocol: WireProtocol): boolean {
  // An OpenSearch domain endpoint answers unsigned requests its access policy allows (open
  // domains, fine-grained access control with HTTP basic authentication).
  if (protocol === "opensearch") return true;
  if (protocol !== "awsQuery") return false;
  const action = queryParams(request)["Action"] ?? "";
  return (
    (service === "sts" && UNSIGNED_STS_ACTIONS.has(action)) ||
    (service === "sns" && UNSIGNED_SNS_ACTIONS.has(action))
  );
}

function nestedTooDeeply(request: EmulatorRequest, protocol: WireProtocol): boolean {
  if (protocol === "awsQuery") return queryNestingExceeds(Object.keys(queryParams(request)));
  if (request.body.length === 0) return false;
  return protocol === "rpcv2Cbor" ? cborNestingExceeds(request.body) : jsonNestingExceeds(request.body);
}

/** The refusal AWS would answer before the service runs, or undefined to go on. */
export function gatewayRefusal(request: EmulatorRequest, service: ServiceName): EmulatorResponse | undefined {
  const protocol = wireProtocol(request, service);
  if (!carriesCredentials(request, protocol) && !unsignedInAws(request, service, protocol)) {
    return missingAuthentication(request, service, protocol);
  }
  if (nestedTooDeeply(request, protocol)) return tooDeeplyNested(request, service, protocol);
  return undefined;
}

/**
 * Credentials the emulator issued that no longer work: STS credentials past their Expiration
 * (`ExpiredToken`) and IAM access keys set Inactive or deleted (`InvalidClientTokenId` on the
 * query protocol, `UnrecognizedClientException` on JSON and REST), in each protocol's shape.
 */
export function credentialRefusal(
  request: EmulatorRequest,
  service: ServiceName,
  reason: "expired" | "invalid",
): EmulatorResponse {
  const protocol = wireProtocol(request, service);
  const message =
    reason === "expired"
      ? "The security token included in the request is expired"
      : "The security token included in the request is invalid.";
  const code = reason === "expired" ? "ExpiredTokenException" : "UnrecognizedClientException";
  const legacy = reason === "expired" ? "ExpiredToken" : "InvalidClientTokenId";
  switch (protocol) {
    case "awsJson":
      return json(request, service, 400, code, message, legacy);
    case "rpcv2Cbor":
      return cborError(request, service, 400, code, message, legacy);
    case "awsQuery":
      return queryError(request, service, reason === "expired" ? 400 : 403, legacy, message);
    default:
      return {
        status: 403,
        headers: {
          "content-type": "application/json",
          "x-amzn-errortype": code,
          "x-amzn-requestid": request.context.requestId,
        },
        body: JSON.stringify({ message }),
      };
  }
}

const MISSING_TOKEN = "Request is missing Authentication Token";
const CORAL = "com.amazon.coral.service";

/**
 * No credentials at all. awsJson and RPCv2 CBOR front ends (Coral) answer 400
 * MissingAuthenticationTokenException; the query protocol 403 MissingAuthenticationToken (AWS's
 * common errors); REST APIs such as Lambda 403 `{"message":"Missing Authentication Token"}`.
 */
function missingAuthentication(
  request: EmulatorRequest,
  service: ServiceName,
  protocol: WireProtocol,
): EmulatorResponse {
  switch (protocol) {
    case "awsJson":
      return json(
        request,
        service,
        400,
        "MissingAuthenticationTokenException",
        MISSING_TOKEN,
        "MissingAuthenticationToken",
      );
    case "rpcv2Cbor":
      return cborError(
        request,
        service,
        400,
        "MissingAuthenticationTokenException",
        MISSING_TOKEN,
        "MissingAuthenticationToken",
      );
    case "awsQuery":
      return queryError(request, service, 403, "MissingAuthenticationToken", MISSING_TOKEN);
    default:
      return {
        status: 403,
        headers: {
          "content-type": "application/json",
          "x-amzn-errortype": "MissingAuthenticationTokenException",
          "x-amzn-requestid": request.context.requestId,
        },
        body: JSON.stringify({ message: "Missing Authentication Token" }),
      };
  }
}

/** A body or parameter nested deeper than MAX_NESTING_DEPTH: 400 in the protocol's shape. */
function tooDeeplyNested(
  request: EmulatorRequest,
  service: ServiceName,
  protocol: WireProtocol,
): EmulatorResponse {
  const why = `the request nests more than ${MAX_NESTING_DEPTH} levels deep`;
  switch (protocol) {
    case "awsJson":
      return json(
        request,
        service,
        400,
        "SerializationException",
        `Failed to parse the request body: ${why}`,
        "SerializationException",
      );
    case "rpcv2Cbor":
      return cborError(
        request,
        service,
        400,
        "SerializationException",
        `Failed to parse the request body: ${why}`,
        "SerializationException",
      );
    case "awsQuery":
      return queryError(
        request,
        service,
        400,
        "InvalidQueryParameter",
        `The AWS query string is malformed or does not adhere to AWS standards: a parameter name nests more than ${MAX_NESTING_DEPTH} levels deep`,
      );
    case "opensearch": {
      // Jackson's StreamReadConstraints message, which OpenSearch passes on.
      const reason = `Document nesting depth (${MAX_NESTING_DEPTH + 1}) exceeds the maximum allowed (${MAX_NESTING_DEPTH}, from \`StreamReadConstraints.getMaxNestingDepth()\`)`;
      const cause = { type: "x_content_parse_exception", reason };
      return {
        status: 400,
        headers: { "content-type": "application/json; charset=UTF-8" },
        body: JSON.stringify({ error: { root_cause: [cause], ...cause }, status: 400 }),
      };
    }
    case "restJson": {
      // Lambda's answer to a body it cannot read as JSON; other REST-JSON APIs' serialization error.
      const type = service === "lambda" ? "InvalidRequestContentException" : "SerializationException";
      const message = `Could not parse request body into json: ${why}`;
      return {
        status: 400,
        headers: {
          "content-type": "application/json",
          "x-amzn-errortype": type,
          "x-amzn-requestid": request.context.requestId,
        },
        body: JSON.stringify(
          service === "lambda" ? { Type: "User", Message: message, message } : { message },
        ),
      };
    }
  }
}

function queryCompatibleHeader(service: ServiceName, legacyCode: string): Record<string, string> {
  return QUERY_COMPATIBLE.has(service) ? { "x-amzn-query-error": `${legacyCode};Sender` } : {};
}

function json(
  request: EmulatorRequest,
  service: ServiceName,
  status: number,
  code: string,
  message: string,
  legacyCode: string,
): EmulatorResponse {
  const version = (request.headers["content-type"] ?? "").includes("1.1") ? "1.1" : "1.0";
  return {
    status,
    headers: {
      "content-type": `application/x-amz-json-${version}`,
      "x-amzn-requestid": request.context.requestId,
      ...queryCompatibleHeader(service, legacyCode),
    },
    body: JSON.stringify({ __type: `${CORAL}#${code}`, message }),
  };
}

function cborError(
  request: EmulatorRequest,
  service: ServiceName,
  status: number,
  code: string,
  message: string,
  legacyCode: string,
): EmulatorResponse {
  return {
    status,
    headers: {
      "content-type": "application/cbor",
      "smithy-protocol": "rpc-v2-cbor",
      "x-amzn-requestid": request.context.requestId,
      ...queryCompatibleHeader(service, legacyCode),
    },
    body: Buffer.from(cbor.serialize({ __type: `${CORAL}#${code}`, message })),
  };
}

/** XML namespaces of the query services (`<ErrorResponse xmlns=…>`); others from their Version. */
const QUERY_NAMESPACES: Partial<Record<ServiceName, string>> = {
  sqs: "http://queue.amazonaws.com/doc/2012-11-05/",
  cloudwatch: "http://monitoring.amazonaws.com/doc/2010-08-01/",
  sts: "https://sts.amazonaws.com/doc/2011-06-15/",
  iam: "https://iam.amazonaws.com/doc/2010-05-08/",
};

function queryError(
  request: EmulatorRequest,
  service: ServiceName,
  status: number,
  code: string,
  message: string,
): EmulatorResponse {
  const version = queryParams(request)["Version"] ?? "";
  const namespace = QUERY_NAMESPACES[service] ?? `https://${service}.amazonaws.com/doc/${version}/`;
  const id = request.context.requestId;
  return {
    status,
    headers: { "content-type": "text/xml", "x-amzn-requestid": id },
    body:
      `<?xml version="1.0"?><ErrorResponse xmlns="${xmlEscape(namespace)}"><Error><Type>Sender</Type>` +
      `<Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error>` +
      `<RequestId>${id}</RequestId></ErrorResponse>`,
  };
}
