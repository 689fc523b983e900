"""runtime_handlers.secrets.get_secret against moto's SSM and Secrets Manager.

Every test runs inside ``mock_aws()`` with fake credentials, fresh cached
clients and an empty secret cache. AWS calls are counted through botocore's
``provide-client-params`` event on the helper's own cached clients, and time
is moved by patching the module's monotonic clock.
"""
from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from runtime_handlers import _aws, secrets

REGION = "eu-west-1"
ACCOUNT = "123456789012"
PARAMETER = "/orders/payment-api-key"
API_KEY = "sk_live_Pw9sXq2v"
DB_PASSWORD = '{"username": "orders", "password": "hunter2-Zr8q"}'


@pytest.fixture(autouse=True)
def aws(monkeypatch):
    for name in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE",
                 "AWS_ENDPOINT_URL", secrets.TTL_ENV):
        monkeypatch.delenv(name, raising=False)
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": REGION,
                        "AWS_REGION": REGION}.items():
        monkeypatch.setenv(name, value)
    _aws.reset_clients()
    secrets.clear_cache()
    with mock_aws():
        yield
    _aws.reset_clients()
    secrets.clear_cache()


@pytest.fixture
def ssm_secret(monkeypatch):
    """payment_api_key as an SSM SecureString; returns the test's SSM client."""
    ssm = boto3.client("ssm", region_name=REGION)
    ssm.put_parameter(Name=PARAMETER, Value=API_KEY, Type="SecureString")
    monkeypatch.setenv("SECRET_PAYMENT_API_KEY", PARAMETER)
    return ssm


@pytest.fixture
def sm_arn():
    """db_credentials in Secrets Manager; returns its full ARN (with the random suffix)."""
    sm = boto3.client("secretsmanager", region_name=REGION)
    return sm.create_secret(Name="orders/db", SecretString=DB_PASSWORD)["ARN"]


@pytest.fixture
def clock(monkeypatch):
    """A controllable replacement for the module's monotonic clock."""
    now = [1000.0]
    monkeypatch.setattr(secrets, "_now", lambda: now[0])
    return now


def count_calls(service, operation):
    calls = []
    _aws.client(service).meta.events.register(
        f"provide-client-params.{service}.{operation}", lambda params, **_: calls.append(dict(params)))
    return calls


# --- where the value comes from ------------------------------------------------

def test_an_ssm_securestring_is_returned_decrypted(ssm_secret):
    calls = count_calls("ssm", "GetParameter")
    assert secrets.get_secret("payment_api_key") == API_KEY
    # Without decryption moto (like SSM) returns a KMS-wrapped value, not API_KEY.
    assert calls == [{"Name": PARAMETER, "WithDecryption": True}]


def test_a_secrets_manager_secret_is_read_by_its_full_arn(monkeypatch, sm_arn):
    monkeypatch.setenv("SECRET_DB_CREDENTIALS", sm_arn)
    assert secrets.get_secret("db_credentials") == DB_PASSWORD


def test_a_secrets_manager_secret_is_read_by_its_partial_arn_without_the_random_suffix(
        monkeypatch, sm_arn):
    partial = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:orders/db"
    assert sm_arn.startswith(partial + "-") and sm_arn != partial
    monkeypatch.setenv("SECRET_DB_CREDENTIALS", partial)
    calls = count_calls("secretsmanager", "GetSecretValue")
    assert secrets.get_secret("db_credentials") == DB_PASSWORD
    assert calls == [{"SecretId": partial}]


@pytest.mark.parametrize("location, is_sm", [
    ("arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/db", True),
    ("arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:orders/db-AbCdEf", True),
    ("arn:aws:ssm:eu-west-1:123456789012:parameter/orders/key", False),
    ("/orders/secretsmanager", False),
    ("secretsmanager", False),
    ("orders-key", False),
])
def test_only_arns_of_the_secretsmanager_service_go_to_secrets_manager(location, is_sm):
    assert secrets.is_secrets_manager(location) is is_sm


def test_a_binary_only_secret_is_refused_with_an_error_naming_the_secret(monkeypatch):
    sm = boto3.client("secretsmanager", region_name=REGION)
    arn = sm.create_secret(Name="orders/cert", SecretBinary=b"\x00binary-secret")["ARN"]
    monkeypatch.setenv("SECRET_CERT", arn)
    with pytest.raises(secrets.SecretUnavailable) as raised:
        secrets.get_secret("cert")
    assert "'cert'" in str(raised.value) and "binary-secret" not in str(raised.value)


# --- cache and expiry ----------------------------------------------------------

def test_a_second_call_within_the_ttl_is_served_from_the_cache(ssm_secret, clock):
    calls = count_calls("ssm", "GetParameter")
    assert secrets.get_secret("payment_api_key") == API_KEY
    clock[0] += 299.9
    assert secrets.get_secret("payment_api_key") == API_KEY
    assert len(calls) == 1


def test_the_default_ttl_of_300_seconds_expires_and_refetches(ssm_secret, clock):
    calls = count_calls("ssm", "GetParameter")
    secrets.get_secret("payment_api_key")
    clock[0] += 300
    secrets.get_secret("payment_api_key")
    assert len(calls) == 2


def test_secrets_cache_ttl_s_overrides_the_ttl(ssm_secret, clock, monkeypatch):
    monkeypatch.setenv("SECRETS_CACHE_TTL_S", "10")
    calls = count_calls("ssm", "GetParameter")
    secrets.get_secret("payment_api_key")
    clock[0] += 9.9
    secrets.get_secret("payment_api_key")
    assert len(calls) == 1
    clock[0] += 0.1
    secrets.get_secret("payment_api_key")
    assert len(calls) == 2


def test_a_ttl_of_zero_disables_the_cache(ssm_secret, monkeypatch):
    monkeypatch.setenv("SECRETS_CACHE_TTL_S", "0")
    calls = count_calls("ssm", "GetParameter")
    for _ in range(3):
        secrets.get_secret("payment_api_key")
    assert len(calls) == 3


@pytest.mark.parametrize("raw", ["soon", "-1", "nan", "inf"])
def test_an_invalid_ttl_is_a_configuration_error_naming_the_variable(ssm_secret, monkeypatch, raw):
    monkeypatch.setenv("SECRETS_CACHE_TTL_S", raw)
    with pytest.raises(_aws.ConfigurationError, match="SECRETS_CACHE_TTL_S"):
        secrets.get_secret("payment_api_key")


def test_a_rotated_ssm_value_is_seen_after_expiry_and_not_before(ssm_secret, clock):
    assert secrets.get_secret("payment_api_key") == API_KEY
    ssm_secret.put_parameter(Name=PARAMETER, Value="sk_live_rotated", Type="SecureString",
                             Overwrite=True)
    clock[0] += 100
    assert secrets.get_secret("payment_api_key") == API_KEY
    clock[0] += 200
    assert secrets.get_secret("payment_api_key") == "sk_live_rotated"


def test_a_rotated_secrets_manager_value_is_seen_after_expiry(monkeypatch, sm_arn, clock):
    monkeypatch.setenv("SECRET_DB_CREDENTIALS", sm_arn)
    assert secrets.get_secret("db_credentials") == DB_PASSWORD
    boto3.client("secretsmanager", region_name=REGION).put_secret_value(
        SecretId=sm_arn, SecretString="rotated-password")
    clock[0] += 300
    assert secrets.get_secret("db_credentials") == "rotated-password"


def test_clear_cache_forces_the_next_call_to_refetch(ssm_secret):
    calls = count_calls("ssm", "GetParameter")
    secrets.get_secret("payment_api_key")
    secrets.clear_cache()
    secrets.get_secret("payment_api_key")
    assert len(calls) == 2


def test_a_failed_fetch_propagates_and_caches_nothing(monkeypatch):
    monkeypatch.setenv("SECRET_MISSING", "/orders/not-created")
    ssm = boto3.client("ssm", region_name=REGION)
    for _ in range(2):  # the second attempt calls AWS again instead of a cached failure
        with pytest.raises(ssm.exceptions.ParameterNotFound):
            secrets.get_secret("missing")
    ssm.put_parameter(Name="/orders/not-created", Value="late", Type="SecureString")
    assert secrets.get_secret("missing") == "late"


# --- errors and leaks ----------------------------------------------------------

def test_an_unknown_name_raises_unknown_secret_naming_the_expected_variable(ssm_secret):
    secrets.get_secret("payment_api_key")  # a value is now cached; it must not leak
    with pytest.raises(secrets.UnknownSecret) as raised:
        secrets.get_secret("payment_api_keys")
    error = raised.value
    assert isinstance(error, KeyError)
    assert error.env_name == "SECRET_PAYMENT_API_KEYS"
    assert str(error) == ("unknown secret 'payment_api_keys': environment variable "
                          "SECRET_PAYMENT_API_KEYS is not set (list the secret in the function's "
                          "uses.secrets)")
    assert API_KEY not in str(error) and API_KEY not in repr(error)
    assert PARAMETER not in str(error)


def test_an_empty_secret_variable_counts_as_unknown(monkeypatch):
    monkeypatch.setenv("SECRET_PAYMENT_API_KEY", "")
    with pytest.raises(secrets.UnknownSecret, match="SECRET_PAYMENT_API_KEY"):
        secrets.get_secret("payment_api_key")


@pytest.mark.parametrize("name", ["Payment_Api_Key", "payment-api-key", "", "1key", "k" * 65])
def test_a_name_outside_the_spec_rule_is_a_value_error(name):
    with pytest.raises(ValueError, match="invalid secret name"):
        secrets.get_secret(name)


def test_cached_values_never_show_in_a_repr_or_in_output(ssm_secret, monkeypatch, sm_arn, capsys):
    monkeypatch.setenv("SECRET_DB_CREDENTIALS", sm_arn)
    secrets.get_secret("payment_api_key")
    secrets.get_secret("db_credentials")
    assert len(secrets._cache) == 2  # the cache really holds both values
    text = repr(secrets._cache) + str(secrets._cache) + repr(list(secrets._cache.values()))
    for value in (API_KEY, DB_PASSWORD, "hunter2"):
        assert value not in text
    out = capsys.readouterr()
    assert API_KEY not in out.out + out.err and "hunter2" not in out.out + out.err


def test_clients_are_created_once_in_aws_region(ssm_secret, monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")  # AWS_REGION must win
    monkeypatch.setenv("SECRETS_CACHE_TTL_S", "0")
    secrets.get_secret("payment_api_key")
    first = _aws.client("ssm")
    secrets.get_secret("payment_api_key")
    assert _aws.client("ssm") is first and first.meta.region_name == REGION
