"""A stand-in for drf-gate in drfgate_check's tests: answer each case as DRF answered it in a
recorded baseline run (``--baseline FILE``, a cases file kept with ``--keep``) — a gate that is
faithful to the code as it was. With ``--allow-all`` it allows everything instead."""
import json
import sys


def decision(origin):
    if origin["allowed"]:
        return {"allowed": True, "status": 200, "body": "", "headers": {}}
    return {"allowed": False, "status": origin["status"], "body": origin["body"], "headers": origin["headers"]}


def main():
    args = sys.argv[1:]
    with open(args[-1], encoding="utf-8") as f:
        cases = json.load(f)["cases"]
    baseline = None
    if "--baseline" in args:
        with open(args[args.index("--baseline") + 1], encoding="utf-8") as f:
            baseline = {
                (c["request"]["method"], c["request"]["path"], c["credential"]): c["origin"]
                for c in json.load(f)["cases"]
            }
    results = []
    for case in cases:
        if "--allow-all" in args:
            origin = {"allowed": True}
        elif baseline is not None:
            origin = baseline[(case["request"]["method"], case["request"]["path"], case["credential"])]
        else:
            origin = case["origin"]
        results.append({"id": case["id"], "decision": decision(origin)})
    json.dump({"results": results}, sys.stdout)


if __name__ == "__main__":
    main()
