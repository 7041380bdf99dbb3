/**
 * An Authorization header for raw HTTP requests to the emulator's AWS APIs: it refuses requests
 * with no credentials at all, as AWS does, and accepts any access key and signature, as LocalStack
 * does. SDK clients and the AWS CLI sign by themselves; tests that hand-craft wire requests use this.
 */
export function testAuthorization(service = "any", region = "us-east-1"): string {
  return `AWS4-HMAC-SHA256 Credential=test/20260801/${region}/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${"0".repeat(64)}`;
}
