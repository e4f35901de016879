"""Translation builds plan nodes with ``Frozen.make`` (``model_construct`` semantics, no validation:
a convert then never builds pydantic's validators or serializer). These tests hold it to what
validation would give, over every fixture and the corpus: every value already has its field's
type, and ``plan.canonical`` writes the same JSON as pydantic."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from support.k2p import FIXTURES, REPO

from kube2pod.load import load
from kube2pod.plan import Plan, Secret, canonical
from kube2pod.translate import Options, translate

CORPUS = REPO.parent / "shared" / "corpus"
INPUTS = sorted(str(p) for p in FIXTURES.glob("*/input.yaml")) + sorted(str(p) for p in FIXTURES.glob("conformance-*/*.yaml"))


def _plans(paths):
    for path in paths:
        loaded = load([path])
        if loaded.has_errors:
            continue
        for publish_all in (False, True):
            yield path, translate(loaded.manifests, Options(publish_all=publish_all)).plan


def _check(path, plan):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # pydantic warns when a value does not match its field's type
        dumped = plan.model_dump_json()
    assert canonical.to_json(plan) == dumped, path
    validated = Plan.model_validate_json(dumped)
    assert validated.model_dump_json() == dumped, path
    # secret values are never serialised: validate each secret with its value, the rest from JSON
    secrets = [Secret.model_validate({**s.model_dump(), "value": s.data()}) for s in plan.secrets]
    assert secrets == plan.secrets, path
    assert validated.model_copy(update={"secrets": secrets}) == plan, path


@pytest.mark.parametrize("path", sorted(set(INPUTS)), ids=lambda p: str(Path(p).relative_to(FIXTURES)))
def test_fixture_plans_are_what_validation_gives(path):
    plans = list(_plans([path]))
    for p, plan in plans:
        _check(p, plan)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is absent")
def test_corpus_plans_are_what_validation_gives():
    checked = 0
    for path, plan in _plans(sorted(str(p) for p in CORPUS.rglob("*.y*ml"))):
        _check(path, plan)
        checked += 1
    assert checked > 50


def test_canonical_json_escapes_as_pydantic_does():
    from kube2pod.plan import EnvVar

    for text in ("a\x00b", "tab\tnl\ncr\r", "quote\" back\\", "\x01\x1f\x7f é 中 \u2028", "%$`"):
        node = EnvVar(name="N", value=text)
        assert canonical.to_json(node) == node.model_dump_json()


def test_make_builds_what_model_construct_builds_and_refuses_unknown_or_missing_fields():
    from kube2pod.plan import Container, EnvVar, Pod

    c = Container.make(name="c", image="i", env=[EnvVar.make(name="A", value="b")], labels={"x": "y"})
    ref = Container.model_construct(name="c", image="i", env=[EnvVar.model_construct(name="A", value="b")],
                                    labels={"x": "y"})
    assert c == ref and c.__dict__ == ref.__dict__ and c.model_fields_set == ref.model_fields_set
    assert c.mounts == [] and c.mounts is not Container.make(name="d", image="i").mounts  # fresh defaults
    assert canonical.to_json(c) == Container.model_validate(c.model_dump()).model_dump_json()
    with pytest.raises(TypeError, match=r"unknown fields \['imag'\]"):
        Container.make(name="c", imag="i")
    with pytest.raises(TypeError, match=r"missing fields \['name'\]"):
        Pod.make(source=None)


def test_replace_copies_as_model_copy_does_and_refuses_unknown_fields():
    from kube2pod.plan import Container, EnvVar

    c = Container.make(name="c", image="i", env=[EnvVar.make(name="A", value="b")], labels={"x": "y"})
    changed = c.replace(labels={"x": "z"}, ipc="host")
    ref = c.model_copy(update={"labels": {"x": "z"}, "ipc": "host"})
    assert changed == ref and changed.__dict__ == ref.__dict__ and changed.model_fields_set == ref.model_fields_set
    assert c.labels == {"x": "y"} and c.ipc != "host"  # the original is untouched
    assert changed.env is c.env  # shallow, as model_copy
    assert canonical.to_json(changed) == ref.model_dump_json()
    with pytest.raises(TypeError, match=r"unknown fields \['lables'\]"):
        c.replace(lables={})
