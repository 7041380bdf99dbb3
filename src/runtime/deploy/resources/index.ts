import type { ResourceKind } from "../../../pipeline/stack/index.js";
import type { ResourceDriver } from "../driver.js";
import { alarmDriver } from "./alarm.js";
import { functionDriver } from "./function.js";
import { invokeConfigDriver } from "./invoke-config.js";
import { logGroupDriver } from "./log-group.js";
import { mappingDriver } from "./mapping.js";
import { openSearchIndexDriver } from "./opensearch-index.js";
import { permissionDriver } from "./permission.js";
import { queueDriver } from "./queue.js";
import { roleDriver } from "./role.js";
import { ruleDriver } from "./rule.js";
import { tableDriver } from "./table.js";
import { topicDriver } from "./topic.js";
import { workerMappingDriver } from "./worker-mapping.js";

/** One driver per kind of resource the stack declares. */
export const DRIVERS: Record<ResourceKind, ResourceDriver> = {
  queue: queueDriver,
  role: roleDriver,
  table: tableDriver,
  "log-group": logGroupDriver,
  function: functionDriver,
  "event-invoke-config": invokeConfigDriver,
  permission: permissionDriver,
  rule: ruleDriver,
  "event-source-mapping": mappingDriver,
  "worker-mapping": workerMappingDriver,
  alarm: alarmDriver,
  topic: topicDriver,
  "opensearch-index": openSearchIndexDriver,
};
