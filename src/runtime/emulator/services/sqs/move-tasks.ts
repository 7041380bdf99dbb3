import { randomUUID } from "node:crypto";
import type { TimerHandle } from "../../core/clock.js";
import type { ServiceEnv } from "../../core/service.js";
import { legacyCode, sqsErrors } from "./errors.js";
import { integerInRange, optionalString, requiredString, type Input } from "./input.js";
import { LIST_MOVE_TASKS_MAX_RESULTS, MOVE_TASK_RATE, MOVE_TASK_TICK_MS } from "./limits.js";
import { parseQueueArn, Queue, type MoveTaskRecord, type StoredMessage } from "./models.js";
import { formatSequenceNumber, type SqsEntry, type SqsState } from "./store.js";

/**
 * Message move tasks (DLQ redrive): StartMessageMoveTask / ListMessageMoveTasks /
 * CancelMessageMoveTask. A running task moves up to MaxNumberOfMessagesPerSecond visible messages
 * each second of the emulator clock, from the DLQ to the given destination or back to each
 * message's source queue, until every message that was in the DLQ when it started has moved.
 * Moved messages are new messages (new id, new enqueue time), as AWS documents.
 */
export class MoveTasks {
  private readonly timers = new Map<string, TimerHandle>();

  constructor(
    private readonly state: SqsState,
    private readonly env: ServiceEnv,
    private readonly commit: (entry: SqsEntry) => void,
  ) {}

  async startMessageMoveTask(input: Input): Promise<{ TaskHandle: string }> {
    const sourceArn = requiredString(input, "SourceArn");
    const destinationArn = optionalString(input, "DestinationArn") || undefined;
    const rate = integerInRange(
      input,
      "MaxNumberOfMessagesPerSecond",
      MOVE_TASK_RATE,
      `You must enter a number that's between ${MOVE_TASK_RATE.min} and ${MOVE_TASK_RATE.max}.`,
    );
    const source = this.queueByArn(sourceArn, "SourceArn");
    const isDlq = [...this.state.queues.values()].some(
      (q) => q.redrivePolicy()?.deadLetterTargetArn === source.arn,
    );
    if (!isDlq)
      throw sqsErrors.invalidParameterValue("Source queue must be configured as a Dead Letter Queue.");
    if (destinationArn !== undefined) {
      const destination = this.queueByArn(destinationArn, "DestinationArn");
      if (destination.fifo !== source.fifo) {
        throw sqsErrors.invalidParameterValue(
          "The source queue and the destination queue must be of the same type (standard or FIFO).",
        );
      }
    }
    const active = [...this.state.tasks.values()].some(
      (t) => t.sourceArn === source.arn && (t.status === "RUNNING" || t.status === "CANCELLING"),
    );
    if (active) {
      throw sqsErrors.invalidParameterValue(
        "There is already a task running. Only one active task is allowed for a source queue arn at a given time.",
      );
    }
    const now = this.env.clock.now();
    source.sweep(now);
    const task: MoveTaskRecord = {
      id: randomUUID(),
      sourceArn: source.arn,
      ...(destinationArn !== undefined ? { destinationArn } : {}),
      ...(rate !== undefined ? { maxNumberOfMessagesPerSecond: rate } : {}),
      status: "RUNNING",
      moved: 0,
      toMove: source.messages.size,
      startedAt: now,
    };
    this.commit({ t: "task", task });
    this.schedule(task.id, 0);
    return { TaskHandle: encodeTaskHandle(task) };
  }

  async listMessageMoveTasks(input: Input): Promise<{ Results: Record<string, unknown>[] }> {
    const sourceArn = requiredString(input, "SourceArn");
    const max =
      integerInRange(
        input,
        "MaxResults",
        { min: 1, max: LIST_MOVE_TASKS_MAX_RESULTS },
        `You must enter a number that's between 1 and ${LIST_MOVE_TASKS_MAX_RESULTS}.`,
      ) ?? 1;
    if (!parseQueueArn(sourceArn)) {
      throw sqsErrors.invalidParameterValue(
        "You must use this format to specify the SourceArn: arn:<partition>:<service>:<region>:<account-id>:<resource-id>",
      );
    }
    this.queueByArn(sourceArn, "SourceArn");
    const tasks = [...this.state.tasks.values()]
      .filter((t) => t.sourceArn === sourceArn)
      .sort((a, b) => b.startedAt - a.startedAt)
      .slice(0, max);
    return { Results: tasks.map(toResultEntry) };
  }

  async cancelMessageMoveTask(input: Input): Promise<{ ApproximateNumberOfMessagesMoved: number }> {
    const handle = requiredString(input, "TaskHandle");
    const decoded = decodeTaskHandle(handle);
    if (!decoded) throw sqsErrors.invalidParameterValue("Value for parameter TaskHandle is invalid.");
    this.queueByArn(decoded.sourceArn, "SourceArn");
    const task = this.state.tasks.get(decoded.taskId);
    if (!task || task.sourceArn !== decoded.sourceArn)
      throw sqsErrors.resourceNotFound("Task does not exist.");
    if (task.status !== "RUNNING") {
      throw sqsErrors.invalidParameterValue(
        `Only a task in status RUNNING can be cancelled; this task is ${task.status}.`,
      );
    }
    this.timers.get(task.id)?.cancel();
    this.timers.delete(task.id);
    this.commit({ t: "task", task: { ...task, status: "CANCELLED" } });
    return { ApproximateNumberOfMessagesMoved: task.moved };
  }

  /** Continues tasks that were running when the emulator stopped. */
  resume(): void {
    for (const task of this.state.tasks.values()) if (task.status === "RUNNING") this.schedule(task.id, 0);
  }

  stop(): void {
    for (const timer of this.timers.values()) timer.cancel();
    this.timers.clear();
  }

  private queueByArn(arn: string, parameter: "SourceArn" | "DestinationArn"): Queue {
    const queue = parseQueueArn(arn) ? this.state.queues.get(arn) : undefined;
    if (!queue) {
      throw sqsErrors.resourceNotFound(
        `The resource that you specified for the ${parameter} parameter doesn't exist.`,
      );
    }
    return queue;
  }

  private schedule(taskId: string, delayMs: number): void {
    this.timers.set(
      taskId,
      this.env.clock.setTimeout(() => {
        this.timers.delete(taskId);
        try {
          this.tick(taskId);
        } catch (error) {
          this.env.reportBackgroundError("sqs", error);
          const task = this.state.tasks.get(taskId);
          if (task?.status === "RUNNING") this.finish(task, "FAILED", "AWS.SimpleQueueService.InternalError");
        }
      }, delayMs),
    );
  }

  /** One second's worth of moving. */
  private tick(taskId: string): void {
    const task = this.state.tasks.get(taskId);
    if (!task || task.status !== "RUNNING") return;
    const source = this.state.queues.get(task.sourceArn);
    if (!source) return this.finish(task, "FAILED", legacyCode("QueueDoesNotExist"));
    const now = this.env.clock.now();
    source.sweep(now);
    const eligible = [...source.messages.values()].filter((m) => m.enqueuedAt <= task.startedAt);
    const batch = eligible
      .filter((m) => Queue.isVisible(m, now))
      .slice(0, task.maxNumberOfMessagesPerSecond ?? MOVE_TASK_RATE.default);

    const byDestination = new Map<string, { queue: Queue; messages: StoredMessage[]; sequence: number }>();
    const movedIds: string[] = [];
    let failure: string | undefined;
    for (const message of batch) {
      const destinationArn = task.destinationArn ?? message.deadLetterSourceArn;
      const destination = destinationArn ? this.state.queues.get(destinationArn) : undefined;
      if (!destination) {
        failure = destinationArn
          ? legacyCode("QueueDoesNotExist")
          : `Message ${message.id} did not come from an SQS source queue (no DeadLetterQueueSourceArn); start the task with a DestinationArn.`;
        break;
      }
      const group = byDestination.get(destination.arn) ?? {
        queue: destination,
        messages: [],
        sequence: destination.record.lastSequence,
      };
      byDestination.set(destination.arn, group);
      group.messages.push(redriven(message, destination, now, ++group.sequence));
      movedIds.push(message.id);
    }
    if (movedIds.length > 0) {
      this.commit({
        t: "transfer",
        from: source.arn,
        ids: movedIds,
        to: [...byDestination.values()].map((g) => ({ arn: g.queue.arn, messages: g.messages })),
      });
      for (const group of byDestination.values()) group.queue.wake();
    }
    const updated: MoveTaskRecord = { ...task, moved: task.moved + movedIds.length };
    if (failure) return this.finish(updated, "FAILED", failure);
    if (eligible.length - movedIds.length === 0) return this.finish(updated, "COMPLETED");
    if (movedIds.length > 0) this.commit({ t: "task", task: updated });
    this.schedule(task.id, MOVE_TASK_TICK_MS);
  }

  private finish(task: MoveTaskRecord, status: "COMPLETED" | "FAILED", failureReason?: string): void {
    this.commit({ t: "task", task: { ...task, status, ...(failureReason ? { failureReason } : {}) } });
  }
}

/** A redriven message is a new message in its destination (AWS assigns a new id and enqueue time). */
function redriven(message: StoredMessage, destination: Queue, now: number, sequence: number): StoredMessage {
  const copy: StoredMessage = {
    id: randomUUID(),
    body: message.body,
    md5OfBody: message.md5OfBody,
    ...(message.attributes ? { attributes: message.attributes } : {}),
    ...(message.systemAttributes ? { systemAttributes: message.systemAttributes } : {}),
    senderId: message.senderId,
    sentAt: now,
    enqueuedAt: now,
    availableAt: now,
    receiveCount: 0,
    ...(message.groupId !== undefined ? { groupId: message.groupId } : {}),
  };
  if (destination.fifo) {
    copy.dedupId = copy.id;
    copy.sequenceNumber = formatSequenceNumber(sequence);
  }
  return copy;
}

function toResultEntry(task: MoveTaskRecord): Record<string, unknown> {
  return {
    ...(task.status === "RUNNING" ? { TaskHandle: encodeTaskHandle(task) } : {}),
    Status: task.status,
    SourceArn: task.sourceArn,
    ...(task.destinationArn ? { DestinationArn: task.destinationArn } : {}),
    ...(task.maxNumberOfMessagesPerSecond !== undefined
      ? { MaxNumberOfMessagesPerSecond: task.maxNumberOfMessagesPerSecond }
      : {}),
    ApproximateNumberOfMessagesMoved: task.moved,
    ApproximateNumberOfMessagesToMove: task.toMove,
    ...(task.failureReason ? { FailureReason: task.failureReason } : {}),
    StartedTimestamp: task.startedAt,
  };
}

function encodeTaskHandle(task: MoveTaskRecord): string {
  return Buffer.from(JSON.stringify({ taskId: task.id, sourceArn: task.sourceArn }), "utf8").toString(
    "base64",
  );
}

function decodeTaskHandle(handle: string): { taskId: string; sourceArn: string } | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(handle, "base64").toString("utf8")) as Record<string, unknown>;
    if (typeof parsed["taskId"] === "string" && typeof parsed["sourceArn"] === "string") {
      return { taskId: parsed["taskId"], sourceArn: parsed["sourceArn"] };
    }
  } catch {
    // not a handle of ours
  }
  return undefined;
}
