"""drfgate.core: the compiled core in-process (the wheel's drfgate._native)."""
import unittest

from django.test import SimpleTestCase

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
