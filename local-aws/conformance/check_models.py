#!/usr/bin/env python3
"""Checks answers recorded by local-aws (JSONL) against the official AWS service models shipped with botocore.

Each line is {"api": "ecr"|"lightsail"|"ssm", "operation", "status", "errorShape"?, "body"}.
- A 200 body must fit the operation's output shape: known member names, the right JSON types (timestamps as
  epoch numbers, enum values from the enum, blobs as base64), required members present.
- An error must be a modeled error of the operation (or one of COMMON_ERRORS), answered with the model's
  status, with only the members the error shape models.

Usage: check_models.py [--json] FILE...   Exit status 1 when there is any violation, 2 on a usage error.
"""

import base64
import binascii
import json
import sys

try:
    from botocore.loaders import Loader
except ImportError:  # the TypeScript wrapper shows this line to say what is missing
    sys.stderr.write("check_models.py needs botocore (pip install botocore)\n")
    sys.exit(2)

SERVICES = {
    "ecr": "ecr",
    "lightsail": "lightsail",
    "ssm": "ssm",
    "ecs": "ecs",
    "elbv2": "elbv2",
    "cloudwatch": "cloudwatch",
    "logs": "logs",
}

# Protocol-level errors any awsJson operation may answer although its model does not list them, with their
# statuses. ThrottlingException: AWS common errors (400). ValidationException: the input-constraint error of
# JSON services (SSM answers it for every operation; its model lists it on a few). SerializationException:
# a body that cannot be read (400), or one over the stand-in's size limit (413). UnknownOperationException: an
# X-Amz-Target the service does not have. InternalFailure: AWS common errors (500). When the service models a
# shape of that name (SSM's ThrottlingException and ValidationException), its members are checked against it.
COMMON_ERRORS = {
    "ThrottlingException": {400},
    "ValidationException": {400},
    "SerializationException": {400, 413},
    "UnknownOperationException": {400},
    "InternalFailure": {500},
    # The query protocol's input-constraint error (ELBv2, CloudWatch), which their models do not list.
    "ValidationError": {400},
    # AWS common error for an unavailable service; the stand-in answers it for an injected 502/503/504 where
    # the model has no fault shape of its own (ELBv2, CloudWatch).
    "ServiceUnavailable": {502, 503, 504},
}
COMMON_ERROR_MEMBERS = {"message", "Message"}
# Statuses a server fault (`fault: true`) may be answered with: 500, and what a gateway in front answers.
FAULT_STATUSES = {500, 502, 503, 504}


class Models:
    def __init__(self):
        self._loader = Loader()
        self._models = {}

    def get(self, api):
        if api not in self._models:
            self._models[api] = self._loader.load_service_model(SERVICES[api], "service-2")
        return self._models[api]


def type_name(value):
    return "null" if value is None else type(value).__name__


def check_value(model, shape_name, value, where, out):
    """Appends a violation to `out` for everything in `value` that does not fit the shape."""
    shape = model["shapes"][shape_name]
    kind = shape["type"]
    if value is None:
        out.append(f"{where}: null where the model has a {kind} ({shape_name}); omit the member instead")
    elif kind == "structure":
        check_structure(model, shape_name, shape, value, where, out)
    elif kind == "list":
        if not isinstance(value, list):
            out.append(f"{where}: {type_name(value)} where the model has a list ({shape_name})")
            return
        for index, item in enumerate(value):
            check_value(model, shape["member"]["shape"], item, f"{where}[{index}]", out)
    elif kind == "map":
        if not isinstance(value, dict):
            out.append(f"{where}: {type_name(value)} where the model has a map ({shape_name})")
            return
        for key, item in value.items():
            check_value(model, shape["key"]["shape"], key, f"{where} key {key!r}", out)
            check_value(model, shape["value"]["shape"], item, f"{where}[{key!r}]", out)
    else:
        check_scalar(shape_name, shape, kind, value, where, out)


def check_structure(model, shape_name, shape, value, where, out):
    if not isinstance(value, dict):
        out.append(f"{where}: {type_name(value)} where the model has a structure ({shape_name})")
        return
    members = shape.get("members", {})
    for key, item in value.items():
        if key not in members:
            out.append(f"{where}: member {key!r} is not in {shape_name} (members: {', '.join(members)})")
            continue
        check_value(model, members[key]["shape"], item, f"{where}.{key}", out)
    for required in shape.get("required", []):
        if required not in value:
            out.append(f"{where}: required member {required!r} of {shape_name} is missing")


def check_scalar(shape_name, shape, kind, value, where, out):
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "string":
        if not isinstance(value, str):
            out.append(f"{where}: {type_name(value)} where the model has a string ({shape_name})")
        elif "enum" in shape and value not in shape["enum"]:
            out.append(f"{where}: {value!r} is not a value of {shape_name} ({', '.join(shape['enum'])})")
    elif kind in ("integer", "long"):
        if not (number and float(value).is_integer()):
            out.append(f"{where}: {value!r} where the model has an {kind} ({shape_name})")
    elif kind in ("float", "double"):
        if not number:
            out.append(f"{where}: {value!r} where the model has a {kind} ({shape_name})")
    elif kind == "boolean":
        if not isinstance(value, bool):
            out.append(f"{where}: {value!r} where the model has a boolean ({shape_name})")
    elif kind == "timestamp":
        if not number:
            out.append(f"{where}: {value!r} where the model has a timestamp: awsJson wants epoch seconds (a number)")
    elif kind == "blob":
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, TypeError, ValueError):
            out.append(f"{where}: {value!r} where the model has a blob (base64 text)")
    else:
        out.append(f"{where}: the checker does not know the shape type {kind!r} ({shape_name})")


def error_name(raw):
    """The shape name the SDKs read from `__type`: without a `ns#` prefix or a `:suffix`."""
    return str(raw).split("#")[-1].split(":")[0]


def check_error(model, operation, answer, where, out):
    body = answer.get("body")
    if not isinstance(body, dict) or "__type" not in body:
        out.append(f"{where}: an error body must be a JSON object with __type")
        return
    name = error_name(body["__type"])
    if answer.get("errorShape") not in (None, name):
        out.append(f"{where}: x-amzn-ErrorType {answer.get('errorShape')!r} differs from __type {name!r}")
    status = answer.get("status")
    modeled = [error["shape"] for error in operation.get("errors", [])]
    members = {key: item for key, item in body.items() if key != "__type"}
    if answer.get("wire") == "query":
        # An awsQuery error is <Code> + <Message> whatever the shape's members; the code must be the model's.
        shape = model["shapes"].get(name, {})
        expected_code = shape.get("error", {}).get("code", name)
        if answer.get("wireCode") != expected_code:
            out.append(f"{where}: query error code {answer.get('wireCode')!r}; the model gives {expected_code!r}")
        members = {}
    if name in modeled and not model["shapes"][name].get("members"):
        # A shape the model gives no members (Logs' errors): AWS still sends the protocol's message.
        members = {key: item for key, item in members.items() if key not in COMMON_ERROR_MEMBERS}
    if name in modeled:
        shape = model["shapes"][name]
        if shape.get("fault"):
            expected = FAULT_STATUSES
        else:
            expected = {shape.get("error", {}).get("httpStatusCode", 400)}
        if status not in expected:
            out.append(f"{where}: {name} answered {status}; the model gives {sorted(expected)}")
        check_structure(model, name, shape, members, f"{where} {name}", out)
    elif name in COMMON_ERRORS:
        if status not in COMMON_ERRORS[name]:
            out.append(f"{where}: {name} answered {status}; allowed {sorted(COMMON_ERRORS[name])}")
        shape = model["shapes"].get(name)
        if shape and shape.get("exception"):
            check_structure(model, name, shape, members, f"{where} {name}", out)
            return
        for key in members:
            if key not in COMMON_ERROR_MEMBERS:
                out.append(f"{where}: member {key!r} in the unmodeled {name}")
    else:
        allowed = ", ".join(modeled + sorted(COMMON_ERRORS))
        out.append(f"{where}: {name} is not an error of {operation['name']} in the model (allowed: {allowed})")


def check_answer(models, answer, where):
    out = []
    api = answer.get("api")
    if api not in SERVICES:
        # An X-Amz-Target naming no known service: only the protocol error makes sense.
        name = error_name((answer.get("body") or {}).get("__type", ""))
        if name != "UnknownOperationException":
            out.append(f"{where}: an answer to an unknown target must be UnknownOperationException, not {name!r}")
        return out
    model = models.get(api)
    operation = model["operations"].get(answer.get("operation"))
    if operation is None:
        name = error_name((answer.get("body") or {}).get("__type", ""))
        if answer.get("status") == 200 or name != "UnknownOperationException":
            out.append(f"{where}: {api} has no operation {answer.get('operation')!r} in the model")
        return out
    where = f"{where} {api}:{operation['name']} {answer.get('status')}"
    if answer.get("status") == 200:
        output = operation.get("output")
        body = answer.get("body")
        if output is None:
            if body not in ({}, None):
                out.append(f"{where}: the operation has no output, but the body is {json.dumps(body)[:80]}")
        else:
            check_value(model, output["shape"], body, where, out)
    else:
        check_error(model, operation, answer, where, out)
    return out


def main(argv):
    as_json = "--json" in argv
    files = [arg for arg in argv if arg != "--json"]
    if not files:
        sys.stderr.write(__doc__)
        return 2
    models = Models()
    checked = 0
    violations = []
    for file in files:
        with open(file, encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                where = f"{file}:{number}"
                try:
                    answer = json.loads(line)
                except json.JSONDecodeError as error:
                    violations.append(f"{where}: not JSON ({error})")
                    continue
                checked += 1
                violations.extend(check_answer(models, answer, where))
    if as_json:
        print(json.dumps({"checked": checked, "violations": violations}))
    else:
        for violation in violations:
            print(violation)
        print(f"checked {checked} answers: {len(violations)} violations")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
