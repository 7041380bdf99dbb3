/**
 * Queue URLs: `<emulator base URL>/<account>/<name>` for the queues we create; on input we also
 * accept AWS's forms (`https://sqs.<region>.amazonaws.com/<account>/<name>`, the legacy
 * `queue.amazonaws.com` hosts) and LocalStack's path form (`/queue/<region>/<account>/<name>`).
 */
export interface QueueRef {
  region: string | undefined;
  accountId: string;
  name: string;
}

const NAME = /^[A-Za-z0-9_-]{1,80}(\.fifo)?$/;

export function queueUrl(baseUrl: string, accountId: string, name: string): string {
  return `${baseUrl}/${accountId}/${name}`;
}

/** A bare queue name given where a QueueUrl is expected: the caller's own account and region. */
export function queueNameRef(
  value: string,
  context: { accountId: string; region: string },
): QueueRef | undefined {
  return NAME.test(value) ? { region: context.region, accountId: context.accountId, name: value } : undefined;
}

export function parseQueueUrl(url: string): QueueRef | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  return parseQueuePath(parsed.pathname, parsed.hostname);
}

/** The `/<account>/<name>` path old query clients POST to (also with LocalStack's `/queue/<region>` prefix). */
export function parseQueuePath(path: string, hostname = ""): QueueRef | undefined {
  const segments = path
    .split("/")
    .filter((s) => s !== "")
    .map(decodeURIComponent);
  let region = regionFromHost(hostname);
  if (segments.length === 4 && segments[0] === "queue") {
    region = segments[1];
    segments.splice(0, 2);
  }
  if (segments.length !== 2) return undefined;
  const [accountId, name] = segments as [string, string];
  if (!/^\d{12}$/.test(accountId) || !NAME.test(name)) return undefined;
  return { region, accountId, name };
}

function regionFromHost(hostname: string): string | undefined {
  const match =
    /^sqs\.([a-z0-9-]+)\.(amazonaws\.com|localhost\.localstack\.cloud)/.exec(hostname) ??
    /^([a-z]{2}(?:-[a-z]+)+-\d)\.queue\.amazonaws\.com/.exec(hostname);
  return match?.[1];
}
