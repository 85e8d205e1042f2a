#!/usr/bin/env node
// drf-gate's command line: compiles a JSON policy into the compiled form the browser runtime
// loads (no compiler, no JSON reader in its .wasm).
//
//   npx drf-gate compile policy.json -o policy.gate
//   npx drf-gate compile - < policy.json > policy.gate
import { readFileSync, writeFileSync } from "node:fs";
import { Gate } from "./node.mjs";

const usage = "usage: drf-gate compile <policy.json | -> [-o <policy.gate | ->]";

function main(argv) {
  const [command, ...rest] = argv;
  if (command === "--help" || command === "-h") {
    console.log(usage);
    return 0;
  }
  if (command !== "compile") {
    console.error(usage);
    return 2;
  }
  let input;
  let output = "-";
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === "-o" || rest[i] === "--output") output = rest[++i];
    else if (input === undefined) input = rest[i];
    else {
      console.error(usage);
      return 2;
    }
  }
  if (input === undefined || output === undefined) {
    console.error(usage);
    return 2;
  }
  const text = readFileSync(input === "-" ? 0 : input, "utf8");
  let bytes;
  try {
    bytes = new Gate(text).toCompiled();
  } catch (error) {
    const where = error.line ? ` (line ${error.line}, column ${error.column})` : "";
    console.error(`drf-gate: ${input}: ${error.code ?? "error"} at ${error.path ?? "$"}${where}: ${error.message}`);
    return 1;
  }
  if (output === "-") process.stdout.write(bytes);
  else {
    writeFileSync(output, bytes);
    console.error(`drf-gate: wrote ${output} (${bytes.length} bytes)`);
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));
