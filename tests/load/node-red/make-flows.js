// Writes flow-typical.json and flow-tuned.json (run: node make-flows.js). The flows are what a Node-RED user builds
// for this job: mqtt in -> function (decode, threshold check, shape a point) -> influxdb out (one write per message),
// or, tuned, -> join 1,000 messages -> influxdb batch. Broker, database and ports come from ${LOAD_*} variables.
"use strict";
const fs = require("fs");
const path = require("path");

const decode = (flavor) => `
const topic = msg.topic;
if (topic.startsWith("loadrun/")) {
    // run.sh checks that this flow is subscribed before it publishes the load.
    return topic === "loadrun/probe" ? [null, null, { topic: "loadrun/ack", payload: "ready" }] : null;
}
const fields = {};
const flatten = (value, prefix) => {
    if (typeof value === "number") { if (Number.isFinite(value)) fields[prefix] = value; }
    else if (typeof value === "boolean") fields[prefix] = value;
    else if (value && typeof value === "object") {
        for (const key of Object.keys(value)) flatten(value[key], prefix ? prefix + "_" + key : key);
    }
};
const p = msg.payload; // parsed JSON object, a number for one-value topics, a string or a Buffer for binary frames
if (Buffer.isBuffer(p)) fields.bytes = p.length;
else if (typeof p === "number") { if (Number.isFinite(p)) fields.value = p; }
else if (typeof p === "string") { const x = parseFloat(p); if (Number.isFinite(x)) fields.value = x; else fields.bytes = p.length; }
else flatten(p, "");
fields.n = 1; // one per reading: run.sh counts readings with it
const thresholds = flow.get("thresholds") || { co2: 1000, temperature: 30, humidity: 80, pm2_5: 35, pm25: 35, tvoc: 500 };
const alerts = [];
for (const key of Object.keys(thresholds)) {
    const v = fields[key];
    if (v !== undefined && v > thresholds[key]) alerts.push({ topic: topic, field: key, value: v, limit: thresholds[key] });
}
const tags = { topic: topic };
const now = new Date();
${flavor === "typical"
    ? "fields.time = now;\nmsg.payload = [fields, tags];"
    : "msg.payload = { measurement: \"readings\", fields: fields, tags: tags, timestamp: now };"}
return [msg, alerts.length ? { payload: alerts } : null, null];
`;

function flow(flavor) {
    const tab = "tab-" + flavor;
    const nodes = [
        { id: tab, type: "tab", label: "load run: " + flavor },
        { id: "broker", type: "mqtt-broker", name: "load broker", broker: "127.0.0.1", port: "${LOAD_MQTT_PORT}", clientid: "loadrun-nodered-" + flavor,
          autoConnect: true, usetls: false, protocolVersion: "4", keepalive: "60", cleansession: true, autoUnsubscribe: true,
          birthTopic: "", closeTopic: "", willTopic: "" },
        { id: "influx", type: "influxdb", hostname: "${LOAD_INFLUX_HOST}", port: "${LOAD_INFLUX_PORT}", protocol: "http", database: "${LOAD_INFLUX_DB}",
          name: "load influx", usetls: false, influxdbVersion: "1.x" },
        { id: "in", type: "mqtt in", z: tab, name: "all readings", topic: "#", qos: "1", datatype: "auto-detect", broker: "broker", nl: false, rap: false,
          inputs: 0, x: 120, y: 100, wires: [["fn"]] },
        { id: "fn", type: "function", z: tab, name: "decode + thresholds", func: decode(flavor), outputs: 3, timeout: 0, noerr: 0, initialize: "",
          finalize: "", libs: [], x: 320, y: 100, wires: [[flavor === "typical" ? "out" : "join"], ["alerts"], ["ack"]] },
        { id: "alerts", type: "debug", z: tab, name: "alerts", active: false, tosidebar: false, console: false, complete: "payload", x: 560, y: 160, wires: [] },
        { id: "ack", type: "mqtt out", z: tab, name: "probe ack", topic: "", qos: "0", retain: "false", broker: "broker", x: 560, y: 220, wires: [] },
    ];
    if (flavor === "typical") {
        nodes.push({ id: "out", type: "influxdb out", z: tab, influxdb: "influx", name: "one write per message", measurement: "readings",
            precision: "ms", retentionPolicy: "", x: 580, y: 100, wires: [] });
    } else {
        nodes.push({ id: "join", type: "join", z: tab, name: "1,000 per batch", mode: "custom", build: "array", property: "payload", propertyType: "msg",
            key: "topic", joiner: "\\n", joinerType: "str", accumulate: false, timeout: "1", count: "1000", reduceRight: false, x: 540, y: 100,
            wires: [["batch"]] });
        nodes.push({ id: "batch", type: "influxdb batch", z: tab, influxdb: "influx", precision: "ms", retentionPolicy: "", name: "batch write",
            x: 720, y: 100, wires: [] });
    }
    return nodes;
}

for (const flavor of ["typical", "tuned"]) {
    fs.writeFileSync(path.join(__dirname, "flow-" + flavor + ".json"), JSON.stringify(flow(flavor), null, 2) + "\n");
}
