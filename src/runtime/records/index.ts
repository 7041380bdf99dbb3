export * from "./verification-record.js";
