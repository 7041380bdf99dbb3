import { FatalError, EXIT, UserError } from "./errors.js";

/**
 * Questions for the operator. Every question names the flag that answers it, because a prompt
 * refuses to run when nobody can answer (stdin/stdout not a terminal, or CI set): the command then
 * fails with a message that says which flag to pass instead. @inquirer/prompts loads on first use.
 */
export interface Prompter {
  readonly interactive: boolean;
  /** Yes/no; answered yes without asking when --yes was given. */
  confirm(question: { message: string; flag?: string; default?: boolean }): Promise<boolean>;
  select<T extends string>(question: {
    message: string;
    flag: string;
    choices: readonly { value: T; name?: string; description?: string }[];
  }): Promise<T>;
  input(question: {
    message: string;
    flag: string;
    default?: string;
    validate?: (value: string) => true | string;
  }): Promise<string>;
  /** A value typed without echo (nothing shown, not even its length), such as an API key. */
  secret(question: {
    message: string;
    flag: string;
    validate?: (value: string) => true | string;
  }): Promise<string>;
}

export interface PrompterOptions {
  /** Why prompts cannot run, or undefined when they can. */
  notInteractiveBecause: string | undefined;
  /** --yes was given: confirmations pass without asking. */
  yes: boolean;
  streams?: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream };
  signal?: AbortSignal;
}

export function whyNotInteractive(options: { stdinIsTTY: boolean; stdoutIsTTY: boolean; ci: boolean }) {
  if (options.ci) return "CI is set";
  if (!options.stdinIsTTY) return "stdin is not a terminal";
  if (!options.stdoutIsTTY) return "stdout is not a terminal";
  return undefined;
}

export function createPrompter(options: PrompterOptions): Prompter {
  const refuse = (message: string, flag: string): never => {
    throw new UserError(`cannot ask "${message}": ${options.notInteractiveBecause}; pass ${flag} instead`);
  };
  const context = { ...options.streams, signal: options.signal };
  const ask = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      if (error instanceof Error && (error.name === "ExitPromptError" || error.name === "AbortPromptError")) {
        throw new FatalError("cancelled", EXIT.interrupted);
      }
      throw error;
    }
  };
  return {
    interactive: options.notInteractiveBecause === undefined,
    async confirm(question) {
      if (options.yes) return true;
      const flag = question.flag ?? "--yes";
      if (options.notInteractiveBecause) return refuse(question.message, flag);
      const { confirm } = await import("@inquirer/prompts");
      return ask(() => confirm({ message: question.message, default: question.default ?? false }, context));
    },
    async select(question) {
      if (options.notInteractiveBecause) return refuse(question.message, question.flag);
      const { select } = await import("@inquirer/prompts");
      return ask(() => select({ message: question.message, choices: [...question.choices] }, context));
    },
    async input(question) {
      if (options.notInteractiveBecause) return refuse(question.message, question.flag);
      const { input } = await import("@inquirer/prompts");
      return ask(() =>
        input(
          {
            message: question.message,
            ...(question.default === undefined ? {} : { default: question.default }),
            ...(question.validate ? { validate: question.validate } : {}),
          },
          context,
        ),
      );
    },
    async secret(question) {
      if (options.notInteractiveBecause) return refuse(question.message, question.flag);
      const { password } = await import("@inquirer/prompts");
      return ask(() =>
        password(
          {
            message: question.message,
            mask: false,
            ...(question.validate ? { validate: question.validate } : {}),
          },
          context,
        ),
      );
    },
  };
}
