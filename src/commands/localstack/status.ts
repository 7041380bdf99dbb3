import {
  composeContainers,
  LocalStackNotReadyError,
  probeLocalStack,
  waitForLocalStack,
  type LocalStackProbe,
} from "../../runtime/localstack/index.js";
import { FatalError, type CommandContext } from "../_kit/index.js";
import { localstackEndpoint } from "./endpoint.js";
import { runStep } from "../_shared/progress.js";
import { progressText, renderStatus, statusJson } from "./report.js";

export interface StatusOptions {
  endpointUrl: string | undefined;
  file: string | undefined;
  wait: boolean;
  timeout: number;
}

export async function localstackStatus(options: StatusOptions, ctx: CommandContext): Promise<void> {
  const endpoint = localstackEndpoint(ctx, options.endpointUrl);
  // LocalStack may run without Compose (a CI service container): a missing Docker is shown, not fatal.
  const containers = await composeContainers({
    cwd: ctx.cwd,
    env: ctx.env,
    file: options.file,
    signal: ctx.signal,
  });
  let probe: LocalStackProbe;
  let failure: string | undefined;
  if (options.wait) {
    try {
      probe = (
        await runStep(ctx, {
          title: `waiting for LocalStack at ${endpoint.url}`,
          run: (report) =>
            waitForLocalStack(endpoint.url, {
              deadlineMs: options.timeout * 1000,
              signal: ctx.signal,
              onProgress: (progress) => report(progressText(progress)),
            }),
        })
      ).probe;
    } catch (error) {
      if (!(error instanceof LocalStackNotReadyError)) throw error;
      probe = error.last;
      failure = error.message;
    }
  } else {
    probe = await probeLocalStack(endpoint.url);
  }
  ctx.output.result(statusJson(endpoint, probe, containers), () =>
    renderStatus(ctx, endpoint, probe, containers),
  );
  if (failure) throw new FatalError(failure);
}
