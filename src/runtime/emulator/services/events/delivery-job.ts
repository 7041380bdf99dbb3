import type { EventEnvelope, RuleRecord, Target } from "./models.js";

/** One event on its way to one target: journaled until it is delivered or dead-lettered. */
export interface DeliveryJob {
  id: string;
  rule: RuleRecord;
  target: Target;
  event: EventEnvelope;
  ingestedAt: number;
  /** Attempts made so far (an attempt cut by a crash is made again). */
  attempts: number;
  /** Epoch ms on the emulator clock of the next attempt. */
  nextAttemptAt: number;
}

/**
 * Where deliveries in progress are kept. PutEvents answers after its jobs are saved, so an
 * acknowledged event reaches its targets even if the emulator is killed before or between retries
 * (at least once: an attempt cut by the kill is made again after the restart).
 */
export interface DeliveryJournal {
  save(job: DeliveryJob): void;
  done(id: string): void;
  pending(): DeliveryJob[];
}
