import {
  AUTH_TOKEN_VAR,
  checkCompose,
  composeUp,
  hasAuthToken,
  waitForLocalStack,
} from "../../runtime/localstack/index.js";
import { UserError, type CommandContext } from "../_kit/index.js";
import { localstackEndpoint } from "./endpoint.js";
import { runStep } from "../_shared/progress.js";
import { progressText, renderStatus, statusJson } from "./report.js";

export interface UpOptions {
  endpointUrl: string | undefined;
  file: string | undefined;
  timeout: number;
}

export async function localstackUp(options: UpOptions, ctx: CommandContext): Promise<void> {
  const endpoint = localstackEndpoint(ctx, options.endpointUrl);
  const composeOptions = { cwd: ctx.cwd, env: ctx.env, file: options.file, signal: ctx.signal };
  await checkCompose(composeOptions);
  const started = await runStep(ctx, {
    title: "docker compose up -d",
    run: () => composeUp(composeOptions),
  });
  // After compose: a missing Docker is the one line to show; the token matters once a container runs.
  if (!hasAuthToken(ctx.env)) {
    ctx.output.warn(
      `${AUTH_TOKEN_VAR} is not set; current LocalStack images stop at start without it (get one from your LocalStack account)`,
    );
  }
  const ready = await runStep(ctx, {
    title: `waiting for LocalStack at ${endpoint.url}`,
    run: (report) =>
      waitForLocalStack(endpoint.url, {
        deadlineMs: options.timeout * 1000,
        signal: ctx.signal,
        onProgress: (progress) => report(progressText(progress)),
      }),
  });
  if (ready.probe.server === "pipeline-emulator") {
    throw new UserError(
      `${endpoint.url} (${endpoint.from}) answers as the pipeline emulator, not LocalStack; ` +
        "unset AWS_ENDPOINT_URL or pass --endpoint-url http://localhost:4566",
    );
  }
  ctx.output.result(
    { ...statusJson(endpoint, ready.probe, undefined), composeFile: started.file, waitedMs: ready.elapsedMs },
    () => {
      renderStatus(ctx, endpoint, ready.probe, undefined);
      ctx.output.line();
      ctx.output.line(
        `Ready after ${(ready.elapsedMs / 1000).toFixed(1)} s. Next: pipeline deploy --target localstack`,
      );
    },
  );
}
