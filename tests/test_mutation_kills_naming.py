"""compiler.naming: how names are fitted to AWS's length limits, pinned outside the golden plans.

Written against mutants of `fit` that mutation testing (bench/mutation.py) found surviving once the
golden byte comparisons are left out. Limits come from the AWS documentation: a Lambda function
name is 1-64 characters (Lambda API reference, CreateFunction FunctionName), an IAM role name at
most 64 (IAM User Guide, IAM quotas), an S3 bucket name 3-63 (S3 User Guide, bucket naming rules).
The shortened form is the module's documented one: a prefix, one '-', and an 8-character hash of
the full name.
"""
from __future__ import annotations

import re

from compiler.naming import Naming

LAMBDA_MAX = 64  # AWS: FunctionName, 1-64 characters
IAM_ROLE_MAX = 64  # AWS: role name, 64 characters
SHORTENED = re.compile(r"^(?P<prefix>.+)-(?P<hash>[0-9a-f]{8})$")


def naming(app: str = "shop", stage: str = "dev", region: str = "eu-west-1") -> Naming:
    return Naming(app=app, stage=stage, region=region)


def test_a_function_name_of_exactly_the_limit_is_used_as_it_is():
    """64 characters is allowed, so nothing is shortened (kills `<` for `<=`)."""
    key = "k" * (LAMBDA_MAX - len("shop-dev-"))
    assert naming().function(key) == f"shop-dev-{key}"
    assert len(naming().function(key)) == LAMBDA_MAX


def test_one_character_over_the_limit_is_shortened_to_the_limit_with_a_hash():
    """Shortened only as far as needed: the whole allowance is used, so as much of the readable
    name as possible survives (kills a cut one character too early)."""
    key = "k" * (LAMBDA_MAX - len("shop-dev-") + 1)
    name = naming().function(key)
    assert len(name) == LAMBDA_MAX
    match = SHORTENED.match(name)
    assert match, name
    assert f"shop-dev-{key}".startswith(match["prefix"])


def test_long_names_that_differ_only_past_the_cut_stay_distinct():
    """The hash is of the full name, so two functions whose keys share the first 60 characters
    still get two names (kills a constant in place of the hash)."""
    common = "orders-" * 10
    first, second = naming().function(common + "create"), naming().function(common + "delete")
    assert first != second
    for name in (first, second):
        assert len(name) <= LAMBDA_MAX and SHORTENED.match(name), name


def test_a_cut_just_after_a_dash_leaves_one_dash_before_the_hash():
    """<prefix>-<hash> with one '-': a prefix that the cut ends on '-' loses that dash rather than
    giving '--' (kills rstrip(None) and lstrip('-'))."""
    keys = ["k" + "b" * offset + "-aaa" * 20 for offset in range(4)]  # a '-' every 4th character, shifted
    # A 64-character <prefix>-<8 hex> keeps 55 characters of the full name: with some shift the
    # 55th is a '-', the case under test.
    assert any(f"shop-dev-{key}"[LAMBDA_MAX - 1 - 8 - 1] == "-" for key in keys)
    for key in keys:
        for name in (naming().function(key), naming().role(key)):
            assert "--" not in name, name
            assert len(name) <= max(LAMBDA_MAX, IAM_ROLE_MAX) and SHORTENED.match(name), name


def test_a_role_name_over_the_limit_is_shortened_and_distinct_per_region():
    """IAM role names are per account, so the region is part of the name; two regions of a long
    app still get two roles within 64 characters."""
    app = "a-very-long-application-name-for-testing-roles"
    east = naming(app=app, region="us-east-1").role("fn-items")
    west = naming(app=app, region="eu-west-1").role("fn-items")
    assert east != west
    for name in (east, west):
        assert len(name) <= IAM_ROLE_MAX and SHORTENED.match(name), name
