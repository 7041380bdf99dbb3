import { checkCompose, composeDown } from "../../runtime/localstack/index.js";
import type { CommandContext } from "../_kit/index.js";
import { runStep } from "../_shared/progress.js";

export interface DownOptions {
  file: string | undefined;
}

export async function localstackDown(options: DownOptions, ctx: CommandContext): Promise<void> {
  const composeOptions = { cwd: ctx.cwd, env: ctx.env, file: options.file, signal: ctx.signal };
  await checkCompose(composeOptions);
  const result = await runStep(ctx, {
    title: "docker compose down",
    run: () => composeDown(composeOptions),
  });
  ctx.output.line(`LocalStack stopped (${result.command})`);
}
