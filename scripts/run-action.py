#!/usr/bin/env python3
"""Run the composite action in action.yml the way the GitHub runner does, on this machine.

Each `run:` step runs in `bash --noprofile --norc -eo pipefail` with its `env:`, `if:` and
`working-directory:` evaluated, and the runner's files set up in a temp folder:
GITHUB_OUTPUT (one per step, parsed into steps.<id>.outputs), GITHUB_ENV and GITHUB_PATH
(carried to later steps), GITHUB_STEP_SUMMARY (shared). `uses:` steps are not run: the only
one, actions/cache, answers `cache-hit` as --cache-hit says. After the steps, the action's
outputs are evaluated and printed as JSON on the last line of stdout; the exit code is the
failing step's.

    scripts/run-action.py --workspace DIR --input name=value ... [--event pull_request --base-ref main]
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

import yaml

EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def parse_kv_file(path):
    """Parse a GITHUB_OUTPUT / GITHUB_ENV file: `k=v` lines and `k<<DELIM` blocks."""
    values = {}
    if not os.path.exists(path):
        return values
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delim = line.split("<<", 1)
            body = []
            i += 1
            while i < len(lines) and lines[i] != delim:
                body.append(lines[i])
                i += 1
            values[name] = "\n".join(body)
        elif "=" in line:
            name, value = line.split("=", 1)
            values[name] = value
        i += 1
    return values


class Context:
    def __init__(self, inputs, github):
        self.inputs = inputs
        self.github = github
        self.steps = {}
        self.status = "success"

    def lookup(self, dotted):
        parts = dotted.split(".")
        if parts[0] == "inputs":
            return self.inputs.get(parts[1], "")
        if parts[0] == "github":
            return self.github.get(parts[1], "")
        if parts[0] == "steps" and len(parts) == 4 and parts[2] == "outputs":
            return self.steps.get(parts[1], {}).get(parts[3], "")
        if parts[0] == "runner":
            return {"os": "Linux", "temp": os.environ.get("RUNNER_TEMP", "")}.get(parts[1], "")
        raise SystemExit(f"run-action: unsupported expression context `{dotted}`")

    def evaluate(self, expression):
        """Evaluate the subset of the expression language action.yml uses."""
        python = []
        for token in re.findall(
            r"'[^']*'|&&|\|\||==|!=|!|\(|\)|[A-Za-z_][A-Za-z0-9_.\-]*(?:\(\))?", expression
        ):
            if token == "&&":
                python.append(" and ")
            elif token == "||":
                python.append(" or ")
            elif token in ("==", "!="):
                python.append(f" {token} ")
            elif token == "!":
                python.append(" not ")
            elif token in ("(", ")"):
                python.append(token)
            elif token.startswith("'"):
                python.append(repr(token[1:-1]))
            elif token == "always()":
                python.append("True")
            elif token == "success()":
                python.append(repr(self.status == "success"))
            elif token == "failure()":
                python.append(repr(self.status == "failure"))
            elif token in ("true", "false"):
                python.append(repr(token == "true"))
            else:
                python.append(repr(self.lookup(token)))
        return eval("".join(python), {"__builtins__": {}})  # noqa: S307 (our own action.yml)

    def substitute(self, text):
        return EXPR.sub(lambda m: str(self.evaluate(m.group(1))), str(text))

    def condition(self, step):
        expr = step.get("if")
        if expr is None:
            return self.status == "success"
        expr = EXPR.sub(lambda m: m.group(1), str(expr))
        uses_status = any(f in expr for f in ("always()", "success()", "failure()"))
        result = bool(self.evaluate(expr))
        return result if uses_status else (result and self.status == "success")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--action", default=os.path.join(os.path.dirname(__file__), "..", "action.yml"))
    ap.add_argument("--workspace", required=True)
    ap.add_argument("--input", action="append", default=[], help="name=value")
    ap.add_argument("--cache-hit", default="true")
    ap.add_argument("--base-ref", default="")
    ap.add_argument("--token", default="ghs_fake_token_for_action_test")
    ap.add_argument("--action-ref", default="", help="github.action_ref (a tag, branch or commit)")
    args = ap.parse_args()

    action_path = os.path.abspath(os.path.dirname(args.action))
    action = yaml.safe_load(open(args.action, encoding="utf-8"))
    inputs = {k: str(v.get("default", "")) for k, v in action.get("inputs", {}).items()}
    github = {
        "action_path": action_path,
        "action_ref": args.action_ref,
        "action_repository": "OWNER/palisade",
        "base_ref": args.base_ref,
        "token": args.token,
        "workspace": os.path.abspath(args.workspace),
    }
    ctx = Context(inputs, github)
    # Input defaults may be expressions (`${{ github.token }}`).
    for k in list(inputs):
        inputs[k] = ctx.substitute(inputs[k])
    for pair in args.input:
        name, value = pair.split("=", 1)
        if name not in inputs:
            raise SystemExit(f"run-action: action.yml has no input `{name}`")
        inputs[name] = value

    runner = tempfile.mkdtemp(prefix="palisade-runner-")
    env = dict(os.environ)
    env.update(
        {
            "GITHUB_ACTIONS": "true",
            "CI": "true",
            "GITHUB_WORKSPACE": github["workspace"],
            "GITHUB_ACTION_PATH": action_path,
            "GITHUB_STEP_SUMMARY": env.get("GITHUB_STEP_SUMMARY", os.path.join(runner, "summary.md")),
            "RUNNER_TEMP": env.get("RUNNER_TEMP", os.path.join(runner, "temp")),
            "RUNNER_OS": "Linux",
            "RUNNER_ARCH": {"x86_64": "X64", "aarch64": "ARM64"}.get(os.uname().machine, "X64"),
        }
    )
    os.makedirs(env["RUNNER_TEMP"], exist_ok=True)
    exit_code = 0
    for index, step in enumerate(action["runs"]["steps"]):
        name = step.get("name", step.get("id", f"step {index}"))
        if not ctx.condition(step):
            print(f"[run-action] skip: {name}", flush=True)
            continue
        print(f"[run-action] step: {name}", flush=True)
        if "uses" in step:
            if step["uses"].startswith("actions/cache@"):
                ctx.steps[step.get("id", f"_{index}")] = {"cache-hit": args.cache_hit}
                continue
            raise SystemExit(f"run-action: cannot run `uses: {step['uses']}`")
        files = {k: os.path.join(runner, f"{k.lower()}-{index}") for k in ("GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH")}
        for f in files.values():
            open(f, "w").close()
        step_env = dict(env)
        step_env.update(files)
        for k, v in (step.get("env") or {}).items():
            step_env[k] = ctx.substitute(v)
        cwd = os.path.join(github["workspace"], ctx.substitute(step.get("working-directory", ".")))
        script = os.path.join(runner, f"step-{index}.sh")
        with open(script, "w", encoding="utf-8") as f:
            f.write(ctx.substitute(step["run"]))
        code = subprocess.call(["bash", "--noprofile", "--norc", "-eo", "pipefail", script], cwd=cwd, env=step_env)
        ctx.steps[step.get("id", f"_{index}")] = parse_kv_file(files["GITHUB_OUTPUT"])
        env.update(parse_kv_file(files["GITHUB_ENV"]))
        for line in open(files["GITHUB_PATH"], encoding="utf-8").read().splitlines():
            if line.strip():
                env["PATH"] = line.strip() + os.pathsep + env["PATH"]
        if code != 0:
            print(f"[run-action] step failed with exit {code}: {name}", flush=True)
            ctx.status = "failure"
            exit_code = exit_code or code
    outputs = {k: ctx.substitute(v.get("value", "")) for k, v in action.get("outputs", {}).items()}
    print(json.dumps({"outputs": outputs, "exit": exit_code}), flush=True)
    sys.exit(exit_code)


if __name__ == "__main__":
    main()
