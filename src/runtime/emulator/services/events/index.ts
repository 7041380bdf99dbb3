export { createEventsService as default } from "./provider.js";
