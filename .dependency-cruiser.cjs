/** Import direction rules from DESIGN.md section 6: commands -> runtime -> pipeline, emulator closed. */
module.exports = {
  forbidden: [
    {
      name: "pipeline-is-the-domain",
      comment: "src/pipeline runs inside Lambda: it imports nothing from runtime/ or commands/.",
      severity: "error",
      from: { path: "^src/pipeline/" },
      to: { path: "^src/(runtime|commands)/" },
    },
    {
      name: "runtime-never-imports-commands",
      comment: "Engines return data; only commands/ renders. Nothing imports commands/.",
      severity: "error",
      from: { path: "^src/(runtime|pipeline)/" },
      to: { path: "^src/commands/" },
    },
    {
      name: "emulator-is-a-closed-box",
      comment: "The emulator knows AWS, not our stack: it imports nothing else from src/.",
      severity: "error",
      from: { path: "^src/runtime/emulator/" },
      to: { path: "^src/", pathNot: "^src/runtime/emulator/" },
    },
    {
      name: "only-emulator-index-from-outside",
      comment: "Outside code uses the emulator through its index.ts (lifecycle) and SDK clients over HTTP.",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/runtime/emulator/" },
      to: { path: "^src/runtime/emulator/", pathNot: "^src/runtime/emulator/index\\.ts$" },
    },
    {
      name: "nothing-imports-verify",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/(runtime/verify|commands)/" },
      to: { path: "^src/runtime/verify/" },
    },
    {
      name: "no-circular",
      severity: "error",
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: [".ts", ".tsx", ".js"] },
  },
};
