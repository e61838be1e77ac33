"""The variables of shared files, their store and the embedded Redis's memory."""

import pytest

from server.config import ConfigError, load_config

S3_KEYS = {"HELPCALL_S3_ACCESS_KEY_ID": "id", "HELPCALL_S3_SECRET_ACCESS_KEY": "secret"}


def test_defaults_keep_files_in_the_data_dir_and_bound_every_account() -> None:
    config = load_config({})
    assert config.blob_url is None and config.redis_maxmemory_mb == 1024
    assert (config.file_quota_mb, config.file_quota_files) == (200, 500)
    assert (config.file_rate_mb, config.file_rate_files, config.file_rate_seconds) == (
        100, 60, 3600)
    assert config.files_kept_seconds == 365 * 24 * 3600


@pytest.mark.parametrize("url", ["s3://helpcall-files", "s3://helpcall.files/calls/2026",
                                 "file:///srv/helpcall/blobs"])
def test_blob_urls_name_a_bucket_or_an_absolute_folder(url: str) -> None:
    assert load_config({"HELPCALL_BLOB_URL": url, **S3_KEYS}).blob_url == url


@pytest.mark.parametrize("url", ["s3://", "s3://Bad_Bucket", "s3://b-1/../x", "file://relative",
                                 "ftp://host/x", "/srv/blobs"])
def test_other_blob_urls_stop_the_start(url: str) -> None:
    with pytest.raises(ConfigError, match="HELPCALL_BLOB_URL"):
        load_config({"HELPCALL_BLOB_URL": url, **S3_KEYS})


def test_s3_needs_its_credentials() -> None:
    with pytest.raises(ConfigError, match="HELPCALL_S3_ACCESS_KEY_ID"):
        load_config({"HELPCALL_BLOB_URL": "s3://helpcall-files"})


@pytest.mark.parametrize(("name", "value"), [
    ("HELPCALL_FILE_QUOTA_MB", "0"), ("HELPCALL_FILE_RATE_FILES", "-1"),
    ("HELPCALL_REDIS_MAXMEMORY_MB", "lots"), ("HELPCALL_S3_ENDPOINT", "s3.example"),
])
def test_bad_limits_stop_the_start(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        load_config({name: value})
