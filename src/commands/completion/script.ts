import type { Command } from "commander";
import { commandTree } from "../_kit/command-tree.js";
import { TARGETS } from "../../runtime/config/targets.js";

/**
 * Completion scripts from the command tree itself (the program --help describes): every path of
 * command words ("", "dlq", "dlq replay") maps to the words that may follow it (its commands, or
 * its options and argument choices), and a few option values are listed (--target's targets and
 * any option with choices). The scripts are tables plus a small lookup, the same for each shell.
 */

interface Node {
  path: string;
  words: string[];
}

/**
 * Options whose value has a fixed set of answers, beside those declared with choices (keyed
 * "<command path>|<option>": two commands' --format need not take the same values; "*" any path).
 */
const OPTION_VALUES: Record<string, readonly string[]> = { "*|--target": TARGETS };

function walk(program: Command): { nodes: Node[]; values: Map<string, readonly string[]> } {
  const nodes: Node[] = [];
  const values = new Map<string, readonly string[]>(Object.entries(OPTION_VALUES));
  const visit = (command: Command, path: string) => {
    const subcommands = command.commands.filter((sub) => sub.name() !== "help");
    const options = command.options.flatMap(
      (option) => [option.long, option.short].filter(Boolean) as string[],
    );
    for (const option of command.options) {
      if (option.long && option.argChoices) values.set(`${path}|${option.long}`, option.argChoices);
    }
    const argChoices = command.registeredArguments.flatMap((argument) => argument.argChoices ?? []);
    nodes.push({
      path,
      words: [...subcommands.map((sub) => sub.name()), ...argChoices, ...options, "--help"],
    });
    for (const sub of subcommands) visit(sub, path ? `${path} ${sub.name()}` : sub.name());
  };
  visit(program, "");
  return { nodes, values };
}

const quote = (words: readonly string[]) => words.join(" ");

/** A case pattern for "<path>|<option>"; "*|<option>" matches the option on any path. */
const casePattern = (key: string) => (key.startsWith("*|") ? `*"${key.slice(1)}"` : `"${key}"`);

function bash(nodes: Node[], values: Map<string, readonly string[]>): string {
  const cases = nodes.map((node) => `    "${node.path}") echo "${quote(node.words)}" ;;`).join("\n");
  const valueCases = [...values]
    .map(([key, answers]) => `    ${casePattern(key)}) echo "${quote(answers)}" ;;`)
    .join("\n");
  return `# pipeline completion for bash: eval "$(pipeline completion bash)"
_pipeline_words() {
  case "$1" in
${cases}
  esac
}
_pipeline_values() {
  case "$1|$2" in
${valueCases}
  esac
}
_pipeline_completion() {
  local cur prev path word i values
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  path=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    case "$word" in -*) continue ;; esac
    case " $(_pipeline_words "$path") " in *" $word "*) path="\${path:+$path }$word" ;; esac
  done
  values="$(_pipeline_values "$path" "$prev")"
  if [ -n "$values" ]; then
    COMPREPLY=($(compgen -W "$values" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$(_pipeline_words "$path")" -- "$cur"))
  fi
}
complete -F _pipeline_completion pipeline
`;
}

function zsh(nodes: Node[], values: Map<string, readonly string[]>): string {
  const cases = nodes.map((node) => `    "${node.path}") print -r -- "${quote(node.words)}" ;;`).join("\n");
  const valueCases = [...values]
    .map(([key, answers]) => `    ${casePattern(key)}) print -r -- "${quote(answers)}" ;;`)
    .join("\n");
  return `#compdef pipeline
# pipeline completion for zsh: source <(pipeline completion zsh), or save it as _pipeline in $fpath
_pipeline_words() {
  case "$1" in
${cases}
  esac
}
_pipeline_values() {
  case "$1|$2" in
${valueCases}
  esac
}
_pipeline() {
  local path="" word values
  local -a known
  for word in "\${(@)words[2,CURRENT-1]}"; do
    [[ "$word" == -* ]] && continue
    known=(\${=$(_pipeline_words "$path")})
    (( \${known[(Ie)$word]} )) && path="\${path:+$path }$word"
  done
  values="$(_pipeline_values "$path" "\${words[CURRENT-1]}")"
  if [[ -n "$values" ]]; then
    compadd -- \${=values}
  else
    compadd -- \${=$(_pipeline_words "$path")}
  fi
}
if (( $+functions[compdef] )); then compdef _pipeline pipeline; fi
`;
}

function fish(nodes: Node[], values: Map<string, readonly string[]>): string {
  const lines = [
    "# pipeline completion for fish: pipeline completion fish > ~/.config/fish/completions/pipeline.fish",
  ];
  lines.push("complete -c pipeline -f");
  lines.push(
    "function __pipeline_path",
    "    set -l tokens (commandline -opc)",
    "    set -e tokens[1]",
    '    set -l path ""',
    "    for token in $tokens",
    "        string match -q -- '-*' $token; and continue",
    '        if contains -- $token (__pipeline_words "$path")',
    '            set path (string trim -- "$path $token")',
    "        end",
    "    end",
    '    echo -- "$path"',
    "end",
    "function __pipeline_words",
    "    switch $argv[1]",
    ...nodes.flatMap((node) => [
      `        case '${node.path}'`,
      `            printf '%s\\n' ${quote(node.words)}`,
    ]),
    "    end",
    "end",
  );
  for (const node of nodes) {
    lines.push(
      `complete -c pipeline -n 'test (__pipeline_path) = "${node.path}"' -a '${quote(node.words.filter((word) => !word.startsWith("-")))}'`,
    );
    for (const word of node.words.filter((candidate) => candidate.startsWith("--"))) {
      const answers = values.get(`${node.path}|${word}`) ?? values.get(`*|${word}`);
      lines.push(
        `complete -c pipeline -n 'test (__pipeline_path) = "${node.path}"' -l ${word.slice(2)}${answers ? ` -x -a '${quote(answers)}'` : ""}`,
      );
    }
  }
  return `${lines.join("\n")}\n`;
}

export async function completionScript(shell: "bash" | "zsh" | "fish"): Promise<string> {
  const { nodes, values } = walk(commandTree());
  const script =
    shell === "bash" ? bash(nodes, values) : shell === "zsh" ? zsh(nodes, values) : fish(nodes, values);
  return script.replace(/\n$/, "");
}
