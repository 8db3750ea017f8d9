#!/usr/bin/env python3
"""Every request and response example fits the schema the spec declares for it.

usage: examples.py FACTS.yaml SPEC.yaml

Two sets of examples are validated against SPEC's schemas, as JSON Schema 2020-12 (OpenAPI 3.1's dialect) with
formats asserted: the media-type examples of FACTS (the merged facts of Partoo's current reference; each
operation is found in SPEC by method and path, placeholder names ignored, each webhook by name) and SPEC's own.
A string that is only a documentation placeholder (`<string>`) is not a value: every keyword accepts it.

Formats are checked for real or not at all: jsonschema skips a format whose checker package is missing (e.g.
`date-time` without rfc3339-validator), so every format SPEC uses must have a checker, each one is first shown
to reject a bad value, and a missing one stops the run (exit 2) naming the package to install.

Each failure is one line: the operation, which example, the JSON pointer into the example, the schema location
and the reason. Exit 1 on any failure, 0 otherwise.
"""
import re
import sys

try:
    import yaml
    from jsonschema import Draft202012Validator
    from jsonschema.validators import extend
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012
except ImportError as e:  # pragma: no cover - environment problem, reported plainly
    sys.exit(f"examples: {e}: pip install jsonschema pyyaml (see .ci/run for the pinned versions)")

class JsonLoader(yaml.SafeLoader):
    """YAML as JSON sees it: an unquoted date stays the string it is (PyYAML would make it a datetime)."""


JsonLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
PLACEHOLDER = re.compile(r"<[A-Za-z_ -]+>")
SPEC_URI = "urn:partoo-api:spec"

# The formats OpenAPI documents commonly use, the package jsonschema needs to check each (None: built in), and
# a value each checker must refuse (proof that it runs).
FORMATS = {
    "date-time": ("rfc3339-validator", "2019-08-22 11:46:38.914467+00"),
    "time": ("rfc3339-validator", "25:00"),
    "date": (None, "22-08-2019"),
    "email": (None, "not an address"),
    "uri": ("rfc3986-validator", "no scheme"),
    "uri-reference": ("rfc3986-validator", "http://[bad"),
    "uuid": (None, "not-a-uuid"),
    "ipv4": (None, "300.1.1.1"),
    "ipv6": (None, "::g"),
}


# Formats of our own (OpenAPI lets a document name its own): annotations that JSON Schema does not assert. Each
# schema using one must carry a `pattern`, which is asserted instead.
OWN_FORMATS = {"timestamp": "a point in time in a form that is not RFC 3339 (decoded as partoo_api::Timestamp)"}


def placeholder(value):
    return isinstance(value, str) and PLACEHOLDER.fullmatch(value) is not None


def placeholders(value):
    if placeholder(value):
        return 1
    if isinstance(value, dict):
        return sum(placeholders(v) for v in value.values())
    if isinstance(value, list):
        return sum(placeholders(v) for v in value)
    return 0


def tolerant(keyword_fn):
    """A keyword that lets documentation placeholders through."""

    def check(validator, value, instance, schema):
        if placeholder(instance):
            return
        yield from keyword_fn(validator, value, instance, schema)

    return check


VALUE_KEYWORDS = ("type", "format", "enum", "const", "pattern", "minLength", "maxLength")
Validator = extend(
    Draft202012Validator,
    {k: tolerant(Draft202012Validator.VALIDATORS[k]) for k in VALUE_KEYWORDS},
)


def pointer(parts):
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def resolve(doc, node, where):
    """Follows `$ref`s between OpenAPI objects (request bodies, responses); returns (node, its pointer)."""
    for _ in range(20):
        if not (isinstance(node, dict) and "$ref" in node):
            return node, where
        ref = node["$ref"]
        if not ref.startswith("#/"):
            raise SystemExit(f"examples: {where}: only local references are supported, not {ref!r}")
        where = ref[1:]
        node = doc
        for part in ref[2:].split("/"):
            node = node.get(part.replace("~1", "/").replace("~0", "~"), {}) if isinstance(node, dict) else {}
    raise SystemExit(f"examples: {where}: reference chain too long")


def norm(path):
    return re.sub(r"\{[^}]+\}", "{}", path.rstrip("/"))


def operations(doc):
    """(key, label, operation, pointer) of every operation and webhook of `doc`."""
    for top in ("paths", "webhooks"):
        for name, item in (doc.get(top) or {}).items():
            if not isinstance(item, dict):
                continue
            for method in METHODS:
                op = item.get(method)
                if isinstance(op, dict):
                    key = (top, method, norm(name) if top == "paths" else name)
                    label = f"{method.upper()} {name}" if top == "paths" else f"webhook {name}"
                    yield key, label, op, pointer([top, name, method])


def holders(doc, op, at):
    """(which, code, the request body or response object, its pointer): code None for the request body."""
    body, body_at = resolve(doc, op.get("requestBody"), at + "/requestBody")
    if isinstance(body, dict):
        yield "request body", None, body, body_at
    for code, response in (op.get("responses") or {}).items():
        response, response_at = resolve(doc, response, at + pointer(["responses", code]))
        if isinstance(response, dict):
            yield f"response {code}", str(code), response, response_at


def media_examples(doc, op, at):
    """(which, code, media type, example) of every media-type example of `op`."""
    for which, code, obj, _ in holders(doc, op, at):
        for media, content in (obj.get("content") or {}).items():
            if not isinstance(content, dict):
                continue
            if "example" in content:
                yield f"{which} example", code, media, content["example"]
            for name, example in (content.get("examples") or {}).items():
                example, _ = resolve(doc, example, at)
                if isinstance(example, dict) and "value" in example:
                    yield f"{which} example {name!r}", code, media, example["value"]


def schema_at(doc, op, at, code, media):
    """JSON pointer of `op`'s schema for the request body (code None) or response `code` in `media`, or None."""
    for _, c, obj, obj_at in holders(doc, op, at):
        if c == code:
            content = (obj.get("content") or {}).get(media)
            if isinstance(content, dict) and "schema" in content:
                return obj_at + pointer(["content", media, "schema"])
    return None


def formats_used(node, out):
    if isinstance(node, dict):
        if isinstance(node.get("format"), str) and "type" in node:
            out.add(node["format"])
        for child in node.values():
            formats_used(child, out)
    elif isinstance(node, list):
        for child in node:
            formats_used(child, out)
    return out


def unpatterned(node, where, out):
    """Pointers of schemas using one of OWN_FORMATS without a `pattern`."""
    if isinstance(node, dict):
        if node.get("format") in OWN_FORMATS and "type" in node and "pattern" not in node:
            out.append(where)
        for k, child in node.items():
            unpatterned(child, where + pointer([k]), out)
    elif isinstance(node, list):
        for i, child in enumerate(node):
            unpatterned(child, where + pointer([i]), out)
    return out


def check_formats(spec):
    """Every format the spec declares is really checked; exits 2 naming what is missing otherwise."""
    checker = Draft202012Validator.FORMAT_CHECKER
    problems = [
        f"{at}: its format is one of our own annotations, so the schema needs a `pattern` to be checked"
        for at in unpatterned(spec, "", [])
    ]
    for fmt in sorted(formats_used(spec, set()) - set(OWN_FORMATS)):
        package, bad = FORMATS.get(fmt, (None, None))
        if fmt not in checker.checkers:
            need = f"pip install {package}" if package else "no checker known to this script"
            problems.append(f"format {fmt!r} is used by the spec but jsonschema cannot check it ({need})")
        elif bad is None:
            problems.append(f"format {fmt!r}: no known-bad value to test its checker with; add one to FORMATS")
        elif checker.conforms(bad, fmt):
            problems.append(f"format {fmt!r}: the checker accepts {bad!r}, so it checks nothing")
    if problems:
        for p in problems:
            print(f"examples: {p}", file=sys.stderr)
        sys.exit(2)
    return checker


def branch_name(branch):
    if isinstance(branch, dict) and "$ref" in branch:
        return branch["$ref"].rsplit("/", 1)[-1]
    if isinstance(branch, dict) and len(branch.get("allOf") or []) == 1:
        return branch_name(branch["allOf"][0])
    return "an inline schema"


def absolute(schema):
    """`schema` (a piece of the spec) with its local `$ref`s made absolute, to validate against on its own."""
    if isinstance(schema, dict):
        return {
            k: SPEC_URI + v if k == "$ref" and isinstance(v, str) and v.startswith("#") else absolute(v)
            for k, v in schema.items()
        }
    if isinstance(schema, list):
        return [absolute(v) for v in schema]
    return schema


def explain(validator, error):
    """(the error to locate, its reason): a `oneOf` that several branches fit names them; one that no branch
    fits gives the reason of the branch that came closest."""
    if error.validator == "oneOf" and not error.context:
        fits = [
            branch_name(b)
            for b in error.validator_value
            if validator.evolve(schema=absolute(b)).is_valid(error.instance)
        ]
        return error, f"fits {len(fits)} branches of a oneOf ({', '.join(fits)}); it must fit exactly one"
    if error.validator in ("oneOf", "anyOf") and error.context:
        deepest = max(error.context, key=lambda e: len(e.absolute_path))
        inner, reason = explain(validator, deepest)
        return inner, f"fits no branch of the {error.validator}; closest: {reason}"
    message = error.message
    return error, message if len(message) < 300 else message[:300] + "…"


def validate(label, which, media, example, schema_at, registry, checker):
    validator = Validator({"$ref": SPEC_URI + "#" + schema_at}, registry=registry, format_checker=checker)
    lines = []
    for error in sorted(validator.iter_errors(example), key=lambda e: list(map(str, e.absolute_path))):
        inner, reason = explain(validator, error)
        schema_loc = pointer(inner.absolute_schema_path)
        lines.append(
            f"{label}: {which} ({media}): at {pointer(error.absolute_path) or '/'}: {reason} "
            f"[schema {schema_at}, keyword path {schema_loc}]"
        )
    return lines


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    facts, spec = (yaml.load(open(p, encoding="utf-8"), Loader=JsonLoader) for p in sys.argv[1:3])
    checker = check_formats(spec)
    registry = Registry().with_resource(SPEC_URI, Resource(spec, DRAFT202012))
    index = {key: (label, op, at) for key, label, op, at in operations(spec)}
    failures, counts, skipped = [], {"facts": 0, "spec": 0}, 0
    seen = set()
    for source, doc in (("facts", facts), ("spec", spec)):
        for key, label, op, at in operations(doc):
            if source == "facts":
                if key not in index:
                    failures.append(f"{label}: in the facts, not in the spec")
                    continue
                spec_label, spec_op, spec_at = index[key]
            else:
                spec_label, spec_op, spec_at = label, op, at
            for which, code, media, example in media_examples(doc, op, at):
                same = (key, code, media, repr(example))
                if same in seen:
                    continue  # the spec repeats the facts' example: checked once
                seen.add(same)
                counts[source] += 1
                skipped += placeholders(example)
                target = schema_at(spec, spec_op, spec_at, code, media)
                if target is None:
                    failures.append(f"{spec_label}: {which} ({media}, from the {source}): the spec declares no schema for it")
                    continue
                failures += [
                    f"{line} (example from the {source})"
                    for line in validate(spec_label, which, media, example, target, registry, checker)
                ]
    for line in failures:
        print(line)
    used = formats_used(spec, set())
    fmts = ", ".join(sorted(used - set(OWN_FORMATS)))
    own = ", ".join(sorted(used & set(OWN_FORMATS))) or "none"
    print(
        f"examples: {counts['facts']} of the facts and {counts['spec']} more of the spec's own checked against "
        f"{sys.argv[2]} (JSON Schema 2020-12, formats {fmts} asserted, our own ({own}) by pattern; {skipped} placeholder values skipped): "
        f"{len(failures)} failures"
    )
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
