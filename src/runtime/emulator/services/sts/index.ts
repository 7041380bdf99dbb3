export { createStsService as default } from "./provider.js";
