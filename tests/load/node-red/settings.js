// Node-RED settings for the load run: headless (no editor, no HTTP nodes), loopback only, quiet logs.
// Ports, broker and database come from the environment (run.sh sets LOAD_*), the flow files use ${LOAD_*} too.
module.exports = {
    uiHost: "127.0.0.1",
    uiPort: parseInt(process.env.LOAD_NR_PORT || "18880", 10),
    httpAdminRoot: false,
    httpNodeRoot: false,
    credentialSecret: false,
    flowFilePretty: false,
    logging: { console: { level: "warn", metrics: false, audit: false } },
    editorTheme: { projects: { enabled: false } },
    telemetry: { enabled: false },
    diagnostics: { enabled: false },
    runtimeState: { enabled: false },
    functionExternalModules: false,
};
