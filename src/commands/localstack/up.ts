import {
  AUTH_TOKEN_VAR,
  checkCompose,
  composeUp,
  hasAuthToken,
  waitForLocalStack,
} from "../../runtime/localstack/index.js";
import { resolveConfig } from "../../runtime/config/index.js";
import { waitForContainerSources } from "../../runtime/invoke/local-sources.js";
import { UserError, type CommandContext } from "../_kit/index.js";
import { localstackEndpoint } from "./endpoint.js";
import { runStep } from "../_shared/progress.js";
import { progressText, renderStatus, statusJson } from "./report.js";

const FIXTURES_WAIT_MS = 30_000;

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
  // The scrapers in LocalStack's containers reach the compose project's `fixtures` service; it
  // starts in about a second, so a short wait covers it, and a warning says what to do if not.
  const { config } = resolveConfig({
    cwd: ctx.cwd,
    env: ctx.env,
    flags: { target: "localstack", config: ctx.flags.config },
  });
  const fixtures = `http://127.0.0.1:${config.fixtures.port}`;
  const sourcesWarning = await runStep(ctx, {
    title: `waiting for the fixture source service at ${fixtures}`,
    run: () => waitForContainerSources(config, { deadlineMs: FIXTURES_WAIT_MS, signal: ctx.signal }),
  });
  if (sourcesWarning) ctx.output.warn(sourcesWarning);
  ctx.output.result(
    {
      ...statusJson(endpoint, ready.probe, undefined),
      composeFile: started.file,
      waitedMs: ready.elapsedMs,
      fixtureSources: { url: fixtures, ready: sourcesWarning === undefined },
    },
    () => {
      renderStatus(ctx, endpoint, ready.probe, undefined);
      ctx.output.line();
      ctx.output.line(
        `Ready after ${(ready.elapsedMs / 1000).toFixed(1)} s. Next: pipeline deploy --target localstack`,
      );
    },
  );
}
