/** Who hears the stack's alarms: subscriptions, test alerts and a live watch of its alerts topic. */
export {
  allowTopicToSend,
  listAlertSubscriptions,
  matchSubscriptions,
  queuePolicyStatement,
  shownEndpoint,
  subscribeAlerts,
  topicMissing,
  unsubscribeAlerts,
} from "./subscriptions.js";
export type {
  AlertEndpoint,
  AlertSubscription,
  SubscribeOutcome,
  UnsubscribeOutcome,
} from "./subscriptions.js";
export { TEST_ALARM_NAME, TEST_ATTRIBUTE, sendTestAlert, testAlertMessage } from "./test-alert.js";
export type { TestAlertOptions, TestAlertReport } from "./test-alert.js";
export { alertFromEnvelope, watchAlerts } from "./watch.js";
export type { Alert, WatchChannel, WatchOptions, WatchSummary } from "./watch.js";
