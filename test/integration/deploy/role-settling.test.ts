import { GetFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyPlan, planDeployment, type DeployEvent } from "../../../src/runtime/deploy/index.js";
import { SystemClock } from "../../../src/runtime/emulator/index.js";
import { startDeployedStack, type DeployedStack } from "../../helpers/deployed-stack.js";

/**
 * On AWS a role created moments ago cannot be assumed by Lambda yet: CreateFunction answers
 * InvalidParameterValueException "The role defined for the function cannot be assumed by Lambda."
 * until IAM has propagated it. The emulator does the same for `roleAssumableAfterMs` after a role's
 * creation, so the deploy engine's retry for it runs here as it does on AWS.
 */

/** Roles settle after 10 minutes of emulator time: no deploy gets there on its own. */
const SETTLE_MS = 10 * 60_000;
const RETRY_STEP = "the execution role is not usable yet; retrying";

/** The machine's clock, moved forward on demand (timers still run in real time). */
class JumpingClock extends SystemClock {
  private offsetMs = 0;
  override now(): number {
    return Date.now() + this.offsetMs;
  }
  jump(ms: number): void {
    this.offsetMs += ms;
  }
}

describe("deploy engine: execution roles that Lambda cannot assume yet", () => {
  let deployed: DeployedStack;
  const clock = new JumpingClock();

  beforeAll(async () => {
    deployed = await startDeployedStack({
      deploy: false,
      emulator: { clock, settings: { roleAssumableAfterMs: SETTLE_MS } },
    });
  });
  afterAll(async () => {
    await deployed?.stop();
  });

  it("a first deploy retries CreateFunction until its new role can be assumed, then creates every function", async () => {
    const events: DeployEvent[] = [];
    let jumped = false;
    const plan = await planDeployment(deployed.context);
    const result = await applyPlan(deployed.context, plan, {
      onProgress: (event) => {
        events.push(event);
        // The first refusal: let the roles settle before the engine's retry.
        if (isRetry(event) && !jumped) {
          jumped = true;
          clock.jump(SETTLE_MS);
        }
      },
    });
    expect(result.ok).toBe(true);
    const retried = events.filter(isRetry);
    expect(retried).toHaveLength(1);
    expect(retried[0]?.resource.kind).toBe("function");
    const lambda = await deployed.clients.lambda();
    for (const fn of Object.values(deployed.stack.functions)) {
      const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn.name }));
      expect(config.State, fn.name).toBe("Active");
    }
  });
});

function isRetry(event: DeployEvent): boolean {
  return event.type === "step" && event.message === RETRY_STEP;
}
