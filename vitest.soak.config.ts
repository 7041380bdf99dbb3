import { defineConfig } from "vitest/config";

/**
 * `npm run soak`: the kill -9 scenarios of test/integration/emulator/crash-kill.test.ts with many
 * more kills and writes, one at a time (they measure what survives, not speed). Prints what each
 * survived and lost.
 */
export default defineConfig({
  test: {
    include: ["test/soak/**/*.soak.ts"],
    environment: "node",
    pool: "forks",
    maxWorkers: 1,
    testTimeout: 30 * 60_000,
    hookTimeout: 60_000,
  },
});
