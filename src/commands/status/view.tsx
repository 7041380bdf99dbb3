import { Box, Text } from "ink";
import type { PipelineStatus } from "../../runtime/status/index.js";
import { padRows, statusSections, type Tone } from "./sections.js";

const COLOURS: Record<Exclude<Tone, undefined>, string> = {
  ok: "green",
  warn: "yellow",
  bad: "red",
  dim: "gray",
};

export interface StatusViewProps {
  status: PipelineStatus | undefined;
  /** The last refresh's error; the previous status stays on screen. */
  error: string | undefined;
  intervalSeconds: number;
}

/** The live `pipeline status` screen (ink). */
export function StatusView({ status, error, intervalSeconds }: StatusViewProps) {
  if (!status) return <Text dimColor>reading the pipeline's state ...</Text>;
  return (
    <Box flexDirection="column">
      <Text>
        <Text bold>pipeline status</Text>
        <Text dimColor>
          {"  "}
          {status.target} · account {status.account} · {status.region} · {status.at} · every {intervalSeconds}
          s, Ctrl-C to quit
        </Text>
      </Text>
      {error ? <Text color="red">refresh failed: {error}</Text> : null}
      {statusSections(status).map((section) => (
        <Box key={section.title} flexDirection="column" marginTop={1}>
          <Text bold>{section.title}</Text>
          {padRows(section).map((row, index) => (
            <Text key={index}>
              {row.map((cell, column) => (
                <Text
                  key={column}
                  bold={index === 0}
                  {...(cell.tone && index > 0 ? { color: COLOURS[cell.tone] } : {})}
                >
                  {column === 0 ? "" : "  "}
                  {cell.text}
                </Text>
              ))}
            </Text>
          ))}
        </Box>
      ))}
    </Box>
  );
}
