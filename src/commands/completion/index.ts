import { arg, defineCommand } from "../_kit/index.js";

export const SHELLS = ["bash", "zsh", "fish"] as const;

/** `pipeline completion bash|zsh|fish`: a completion script generated from the command tree. */
export default defineCommand({
  name: "completion",
  summary: "Print a shell completion script (bash, zsh or fish) for commands, options and their values",
  description:
    "Prints a script that completes pipeline's command groups, commands, options and the values some " +
    "options and arguments take (targets, phases, formats), generated from the same command tree as --help, " +
    "so it never lists a command that does not exist.",
  args: { shell: arg("bash, zsh or fish", { choices: SHELLS }) },
  examples: [
    {
      command: 'eval "$(pipeline completion bash)"',
      description: "bash, this shell (add the line to ~/.bashrc to keep it)",
    },
    {
      command: 'pipeline completion zsh > "${fpath[1]}/_pipeline"',
      description: "zsh: install it where compinit finds it (or source <(pipeline completion zsh))",
    },
    {
      command: "pipeline completion fish > ~/.config/fish/completions/pipeline.fish",
      description: "fish: install it for every new shell",
    },
  ],
  async run({ args }, ctx) {
    const { completionScript } = await import("./script.js");
    ctx.output.line(await completionScript(args.shell as (typeof SHELLS)[number]));
  },
});
