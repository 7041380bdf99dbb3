import type { RequestContext } from "../../core/request.js";
import type { Operation } from "../../core/service.js";
import { busRecord } from "./buses.js";
import type { EventsCore } from "./core.js";
import { boundRule, eventsErrors } from "./errors.js";
import { DEFAULT_BUS, TAG_KEY_MAX_LENGTH } from "./limits.js";
import { ruleKey, type BusRecord, type RuleRecord, type Tag } from "./models.js";
import { mergeTags, validTags } from "./tag-list.js";

const { constraint, validation } = eventsErrors;

type Tagged = { kind: "rule"; record: RuleRecord } | { kind: "bus"; record: BusRecord };

const TAGGABLE_ARN = /^arn:aws[\w-]*:events:([^:]+):(\d{12}):(rule|event-bus)\/(.+)$/;

/**
 * TagResource, UntagResource and ListTagsForResource: rules and event buses are the EventBridge
 * resources that take tags. A missing resource is ResourceNotFoundException worded as DescribeRule
 * and DescribeEventBus word it; a rule an AWS service manages is ManagedRuleException.
 */
export function tagOperations(core: EventsCore): Record<string, Operation> {
  function resolve(value: unknown, context: RequestContext): Tagged {
    if (value === undefined || value === null) throw constraint("resourceARN", "null", "not be null");
    if (typeof value !== "string" || value.length < 1 || value.length > 1600) {
      throw constraint(
        "resourceARN",
        value,
        boundRule("length", typeof value === "string" ? value.length : 0, 1, 1600),
      );
    }
    const match = TAGGABLE_ARN.exec(value);
    if (!match) {
      throw validation(
        "Parameter ResourceARN is not valid. Reason: Provided Arn is not in correct format (rules and event buses take tags).",
      );
    }
    const [, region, accountId, type, path] = match as unknown as [string, string, string, string, string];
    // Tags are read and changed in the caller's own account and region only.
    const own = region === context.region && accountId === context.accountId;
    if (type === "event-bus") {
      const bus = own ? busRecord(core, path, context) : undefined;
      if (!bus) throw eventsErrors.busNotFound(path);
      return { kind: "bus", record: bus };
    }
    const slash = path.lastIndexOf("/");
    const busName = slash < 0 ? DEFAULT_BUS : path.slice(0, slash);
    const name = path.slice(slash + 1);
    const rule = own ? core.store.get(ruleKey(accountId, region, busName, name)) : undefined;
    if (!rule) throw eventsErrors.ruleNotFound(name, busName);
    return { kind: "rule", record: rule };
  }

  function save(tagged: Tagged, tags: Tag[]): void {
    if (tagged.kind === "rule") {
      core.saveRule({ ...tagged.record, tags });
      return;
    }
    const now = core.env.clock.now();
    core.store.putResource("bus", {
      ...tagged.record,
      creationTime: tagged.record.creationTime || now,
      lastModifiedTime: tagged.record.lastModifiedTime || now,
      tags,
    });
  }

  function changeable(tagged: Tagged): Tagged {
    if (tagged.kind === "rule" && tagged.record.managedBy) {
      throw eventsErrors.managedRule(tagged.record.name, tagged.record.managedBy);
    }
    return tagged;
  }

  return {
    TagResource: async (input: Record<string, unknown>, context: RequestContext) => {
      const tagged = changeable(resolve(input["ResourceARN"], context));
      const tags = validTags(input["Tags"]);
      save(tagged, mergeTags(tagged.record.tags, tags));
      return {};
    },

    UntagResource: async (input: Record<string, unknown>, context: RequestContext) => {
      const tagged = changeable(resolve(input["ResourceARN"], context));
      const keys = input["TagKeys"];
      if (keys === undefined || keys === null) throw constraint("tagKeys", "null", "not be null");
      if (!Array.isArray(keys)) throw validation("Parameter tagKeys must be a list of tag keys.");
      keys.forEach((key, i) => {
        if (typeof key !== "string" || key.length < 1 || key.length > TAG_KEY_MAX_LENGTH) {
          throw constraint(
            `tagKeys.${i + 1}.member`,
            key,
            boundRule("length", typeof key === "string" ? key.length : 0, 1, TAG_KEY_MAX_LENGTH),
          );
        }
      });
      // Removing a key the resource does not have is no error.
      const removed = new Set(keys as string[]);
      const kept = (tagged.record.tags ?? []).filter((t) => !removed.has(t.Key));
      if (kept.length !== (tagged.record.tags ?? []).length) save(tagged, kept);
      return {};
    },

    ListTagsForResource: async (input: Record<string, unknown>, context: RequestContext) => {
      const tagged = resolve(input["ResourceARN"], context);
      return { Tags: tagged.record.tags ?? [] };
    },
  };
}
