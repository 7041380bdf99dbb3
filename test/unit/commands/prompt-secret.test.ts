import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createPrompter } from "../../../src/commands/_kit/prompt.js";

/** The hidden prompt `pipeline secrets set` types a key into: what reaches the terminal. */
describe("Prompter.secret", () => {
  it("returns what was typed and echoes none of it, not even one mask character per key", async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let shown = "";
    output.on("data", (chunk: Buffer) => (shown += chunk.toString()));
    const prompter = createPrompter({
      notInteractiveBecause: undefined,
      yes: false,
      streams: { input, output },
    });

    const answer = prompter.secret({ message: "tmdb API key (input hidden)", flag: "stdin" });
    // Typed once the prompt is on screen, as a person would.
    await expect.poll(() => shown).toContain("tmdb API key (input hidden)");
    input.write("typed-secret-value-0042\n");

    expect(await answer).toBe("typed-secret-value-0042");
    expect(shown).not.toContain("typed-secret-value-0042");
    expect(shown).not.toContain("*".repeat(8));
  });

  it("refuses to ask when nobody can answer, naming what to do instead", async () => {
    const prompter = createPrompter({ notInteractiveBecause: "CI is set", yes: true });
    await expect(
      prompter.secret({ message: "tmdb API key", flag: "stdin (pipeline secrets set tmdb < FILE)" }),
    ).rejects.toThrow(
      'cannot ask "tmdb API key": CI is set; pass stdin (pipeline secrets set tmdb < FILE) instead',
    );
  });
});
