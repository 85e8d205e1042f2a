"""drfgate.core: the compiled core in-process (the wheel's drfgate._native)."""
import io
import json
import os
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

from django.core.management import call_command
from django.test import SimpleTestCase, TestCase

from drfgate import core


@unittest.skipUnless(core.available(), "the compiled core (drfgate._native) is not built")
class CoreTests(SimpleTestCase):
    policy = {"authentication": ["token"], "permissions": ["IsAuthenticated"], "views": {"posts": {}},
              "routes": [], "leftToOrigin": []}

    def test_check(self):
        decision = core.Gate(self.policy).check({"view": "posts", "method": "GET"})
        self.assertEqual((decision["status"], decision["headers"]["WWW-Authenticate"]), (401, "Token"))
        self.assertEqual(decision["body"], '{"detail":"Authentication credentials were not provided."}')

    def test_policy_error_has_code_path_line_column(self):
        with self.assertRaises(core.PolicyError) as ctx:
            core.Gate('{"permissions": ["IsAuthenticated &"]}')
        err = ctx.exception
        self.assertEqual((err.code, err.path, err.line, err.column), ("syntax_error", "$.permissions[0]", 1, 18))
        self.assertIsInstance(err, ValueError)

    def test_context_error(self):
        with self.assertRaises(core.ContextError) as ctx:
            core.Gate(self.policy).check({"view": "comments", "method": "GET"})
        self.assertEqual((ctx.exception.code, ctx.exception.path), ("unknown_view", "$.view"))

    def test_check_request_asks_for_a_lookup_then_decides(self):
        gate = core.Gate(self.policy)
        request = {"method": "GET", "headers": {"Authorization": "Token abc"}}
        self.assertEqual(gate.check_request({"request": request, "view": "posts"}),
                         {"lookup": {"kind": "token", "key": "abc"}})
        step = gate.check_request({"request": request, "view": "posts",
                                   "answers": [{"key": {"kind": "token", "key": "abc"}, "answer": {"notFound": True}}]})
        self.assertEqual(step["decision"]["status"], 401)


ROOT = Path(__file__).resolve().parents[2]
SAMPLE_POLICY = ROOT / "examples" / "blog" / "policy.json"
PKG_DIST = Path(os.environ.get("DRFGATE_PKG", ROOT / "pkg")) / "dist"

# Loads policy.gate in the browser runtime (drf-gate/runtime: no compiler, no JSON reader) and
# prints its decision for a context, as JSON.
RUNTIME_SCRIPT = """
import { readFileSync } from "node:fs";
const [dist, gatePath, context] = process.argv.slice(1);
const api = await import(dist + "/api-runtime.js");
api.initSync({ module: readFileSync(new URL(dist + "/drf_gate_runtime_bg.wasm")) });
const gate = new api.Gate(new Uint8Array(readFileSync(gatePath)));
process.stdout.write(JSON.stringify(gate.check(JSON.parse(context))));
"""


@unittest.skipUnless(core.available(), "the compiled core (drfgate._native) is not built")
class CompiledPolicyTests(SimpleTestCase):
    """``drfgate.core.compile`` / ``drfgate_export --compiled``: the npm CLI's bytes, loadable everywhere."""

    contexts = [
        {"view": "posts", "method": "GET"},
        {"view": "posts", "action": "create"},
        {"view": "posts", "action": "destroy", "user": {"id": 3}, "object": {"id": 1, "owner": 4}},
        {"view": "posts", "action": "destroy", "user": {"id": 4}, "object": {"id": 1, "owner": 4}},
    ]

    def test_loads_back_and_decides_as_the_json_policy(self):
        text = SAMPLE_POLICY.read_text(encoding="utf-8")
        data = core.compile(text)
        self.assertEqual(data[:8], b"DRFGATE\x01")
        self.assertEqual(core.compile(json.loads(text)), data)
        loaded, direct = core.Gate.from_compiled(data), core.Gate(text)
        self.assertEqual(loaded.view_names(), direct.view_names())
        for context in self.contexts:
            self.assertEqual(loaded.check(context), direct.check(context), context)

    def test_corrupt_bytes_are_a_policy_error(self):
        data = bytearray(core.compile(SAMPLE_POLICY.read_text(encoding="utf-8")))
        data[-1] ^= 0xFF
        with self.assertRaises(core.PolicyError) as ctx:
            core.Gate.from_compiled(bytes(data))
        self.assertEqual(ctx.exception.code, "corrupt_compiled_policy")
        with self.assertRaises(core.PolicyError) as ctx:
            core.compile('{"permissions": ["Nope"]}')
        self.assertEqual(ctx.exception.code, "unknown_class")

    def test_same_bytes_as_the_npm_cli_and_the_runtime_loads_them(self):
        node = shutil.which("node")
        if node is None or not (PKG_DIST / "cli.mjs").exists():
            self.skipTest("needs node and the built npm package (bash scripts/build.sh)")
        npm = subprocess.run([node, str(PKG_DIST / "cli.mjs"), "compile", str(SAMPLE_POLICY), "-o", "-"],
                             check=True, capture_output=True).stdout
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "policy.gate"
            stderr = io.StringIO()
            call_command("drfgate_export", "--output", str(Path(tmp) / "policy.json"), "--compiled", str(path),
                         stderr=stderr)
            self.assertIn(f"wrote {path}: compiled policy", stderr.getvalue())
            exported = json.loads((Path(tmp) / "policy.json").read_text(encoding="utf-8"))
            self.assertEqual(path.read_bytes(), core.compile(exported))
            npm_exported = subprocess.run([node, str(PKG_DIST / "cli.mjs"), "compile", str(Path(tmp) / "policy.json"),
                                           "-o", "-"], check=True, capture_output=True).stdout
            self.assertEqual(path.read_bytes(), npm_exported)
            self.assertEqual(core.compile(SAMPLE_POLICY.read_text(encoding="utf-8")), npm)
            for context in self.contexts:
                out = subprocess.run([node, "--input-type=module", "-e", RUNTIME_SCRIPT, PKG_DIST.as_uri(), str(path),
                                      json.dumps(context)], check=True, capture_output=True, text=True).stdout
                self.assertEqual(json.loads(out), core.Gate(exported).check(context), context)
