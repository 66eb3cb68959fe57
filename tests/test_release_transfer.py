"""Read nodes: `earlyhelp release push/pull` through a folder and S3-compatible storage (moto's server).

The last test runs two real `earlyhelp serve` processes on separate index
folders (two read nodes without any content), pushes a new release while both
are under load, and checks that no request failed and both serve it.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from app.publishing.publish import publish
from app.publishing.releases import ReleaseStore
from app.publishing.transfer import TransferError, archive_key, pull, push, record_key
from app.release.schema import SCHEMA_VERSION

from .factories import service, write_service
from .test_api import free_port, get_json, wait_for

S3_ENVIRONMENT = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                  "AWS_DEFAULT_REGION": "eu-west-2"}


def release_files(path: Path) -> dict[str, bytes]:
    return {file.relative_to(path).as_posix(): file.read_bytes()
            for file in sorted(path.rglob("*")) if file.is_file()}


def leftovers(index: Path) -> list[str]:
    """Anything a refused pull might have left behind: half-built releases, downloaded archives."""
    found = [*index.glob(".pulling-*"), *(index / "releases").glob(".building-*")]
    return sorted(path.name for path in found)


def earlyhelp(*arguments: str, index: Path, extra: dict | None = None) -> subprocess.CompletedProcess:
    environment = dict(os.environ, EARLYHELP_INDEX_DIR=str(index), **(extra or {}))
    return subprocess.run([sys.executable, "-m", "app", *arguments], capture_output=True, text=True,
                          env=environment, timeout=120)


@pytest.fixture
def node(tmp_path) -> Path:
    return tmp_path / "read-node" / "search_index"


@pytest.fixture
def shelf(tmp_path) -> Path:
    return tmp_path / "shelf"


def test_a_pushed_release_is_pulled_whole_and_made_live(published, folders, node, shelf):
    pushed = push(folders["index"], shelf)
    record = pushed.record
    assert (pushed.uploaded, pushed.named_latest) == (True, True)
    assert record["id"] == published.release_id
    assert (shelf / archive_key(record["id"])).stat().st_size == record["size"]
    assert json.loads((shelf / "latest.json").read_text()) == record

    pulled = pull(node, shelf)
    assert (pulled.release_id, pulled.switched, pulled.downloaded) == (published.release_id, True, True)
    store = ReleaseStore(node)
    assert store.current_id() == published.release_id
    assert release_files(store.path_of(pulled.release_id)) == release_files(
        ReleaseStore(folders["index"]).path_of(published.release_id))
    assert leftovers(node) == []

    again = pull(node, shelf)
    assert (again.switched, again.downloaded) == (False, False)
    # Releases never change, so pushing the same one again sends nothing.
    archive = shelf / archive_key(record["id"])
    sent = archive.stat().st_mtime_ns
    repeated = push(folders["index"], shelf)
    assert (repeated.record, repeated.uploaded, repeated.named_latest) == (record, False, False)
    assert archive.stat().st_mtime_ns == sent


def test_pull_follows_latest_and_can_name_an_older_release(published, content_dir, folders, node, shelf):
    first = push(folders["index"], shelf).record["id"]
    pull(node, shelf)
    write_service(content_dir, service("gardening-club"))
    second = publish(content_dir, folders["index"]).release_id
    push(folders["index"], shelf, latest=False)
    assert pull(node, shelf).switched is False, "latest.json still names the first release"

    assert pull(node, shelf, release_id=second).release_id == second
    assert ReleaseStore(node).current_id() == second
    # Going back to a release the node keeps needs no download.
    back = pull(node, shelf, release_id=first)
    assert (back.switched, back.downloaded) == (True, False)
    assert ReleaseStore(node).current_id() == first


@pytest.mark.parametrize("damage", ["flipped byte", "truncated", "missing"])
def test_a_corrupt_or_partial_archive_is_refused_and_the_live_release_untouched(
        damage, published, content_dir, folders, node, shelf):
    first = push(folders["index"], shelf).record["id"]
    pull(node, shelf)
    write_service(content_dir, service("gardening-club"))
    publish(content_dir, folders["index"])
    second = push(folders["index"], shelf).record["id"]
    archive = shelf / archive_key(second)
    data = archive.read_bytes()
    if damage == "flipped byte":
        archive.write_bytes(data[:5000] + bytes([data[5000] ^ 0xFF]) + data[5001:])
    elif damage == "truncated":
        archive.write_bytes(data[: len(data) // 2])
    else:
        archive.unlink()

    with pytest.raises(TransferError, match=r"corrupt|incomplete|missing"):
        pull(node, shelf)
    assert ReleaseStore(node).current_id() == first
    assert [release.id for release in ReleaseStore(node).list()] == [first]
    assert leftovers(node) == []


def _forged_archive(shelf: Path, release_id: str, members: dict[str, bytes]) -> None:
    """An archive with a valid record (right size and checksum) holding ``members``."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    packed = gzip.compress(buffer.getvalue())
    (shelf / archive_key(release_id)).write_bytes(packed)
    record = {"id": release_id, "sha256": hashlib.sha256(packed).hexdigest(), "size": len(packed)}
    (shelf / record_key(release_id)).write_text(json.dumps(record))
    (shelf / "latest.json").write_text(json.dumps(record))


def _manifest(release_id: str, schema_version: int = SCHEMA_VERSION) -> bytes:
    return json.dumps({"id": release_id, "schema_version": schema_version}).encode()


@pytest.mark.parametrize("members, message", [
    ({"../../escaped.txt": b"x", "manifest.json": b"{}"}, "cannot be unpacked"),
    ({"manifest.json": _manifest("20260101-000000-000-aaaaaaaa")}, "holds release"),
    ({"manifest.json": _manifest("20260101-000000-000-bbbbbbbb", 999)}, "layout version 999"),
    ({"manifest.json": _manifest("20260101-000000-000-bbbbbbbb", SCHEMA_VERSION - 1)},
     "older than this node's .*publish there"),
    ({"manifest.json": _manifest("20260101-000000-000-bbbbbbbb")}, "lacks directory.db"),
])
def test_an_archive_that_does_not_hold_its_release_is_refused(members, message, published, folders, node,
                                                              shelf, tmp_path):
    live = push(folders["index"], shelf).record["id"]
    pull(node, shelf)
    _forged_archive(shelf, "20260101-000000-000-bbbbbbbb", members)
    with pytest.raises(TransferError, match=message):
        pull(node, shelf)
    assert ReleaseStore(node).current_id() == live
    assert leftovers(node) == []
    assert not (tmp_path / "escaped.txt").exists() and not (node / "escaped.txt").exists()


def test_a_record_naming_a_path_is_refused(published, folders, node, shelf):
    push(folders["index"], shelf)
    record = json.loads((shelf / "latest.json").read_text())
    (shelf / "latest.json").write_text(json.dumps({**record, "id": "../../etc"}))
    with pytest.raises(TransferError, match="not a release record"):
        pull(node, shelf)


def test_the_commands_say_what_they_did(published, folders, node, shelf):
    pushed = earlyhelp("release", "push", str(shelf), index=folders["index"])
    assert pushed.returncode == 0, pushed.stderr
    assert f"Pushed release {published.release_id}" in pushed.stdout
    assert "It is now the latest" in pushed.stdout
    repeated = earlyhelp("release", "push", str(shelf), index=folders["index"])
    assert repeated.stdout == f"Release {published.release_id} was already at {shelf}.\n"
    pulled = earlyhelp("release", "pull", str(shelf), index=node)
    assert pulled.returncode == 0, pulled.stderr
    assert f"Release {published.release_id} pulled; now live." in pulled.stdout
    assert "already live" in earlyhelp("release", "pull", str(shelf), index=node).stdout

    nothing = earlyhelp("release", "pull", str(shelf / "empty"), index=node)
    assert nothing.returncode == 1
    assert "holds no latest release" in nothing.stderr and "live release is unchanged" in nothing.stderr
    unknown = earlyhelp("release", "push", str(shelf), "--release", "nope", index=folders["index"])
    assert unknown.returncode == 1 and "no complete release with id 'nope'" in unknown.stderr


# --- S3-compatible storage: moto's server on 127.0.0.1 ---------------------------------------------


@pytest.fixture(scope="module")
def s3_endpoint():
    """moto's S3 server, started for these tests, with a bucket 'releases'."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=2).close()
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("moto's S3 server did not start") from None
                time.sleep(0.2)
        yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def s3(s3_endpoint, monkeypatch, request) -> str:
    """An empty s3:// location, with the environment boto3 needs to reach it."""
    import boto3

    environment = {**S3_ENVIRONMENT, "AWS_ENDPOINT_URL": s3_endpoint}
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    bucket = f"releases-{abs(hash(request.node.name)) % 10**8}"
    boto3.client("s3").create_bucket(Bucket=bucket,
                                     CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
    return f"s3://{bucket}/directory"


def test_releases_travel_through_s3_and_a_corrupt_object_is_refused(published, content_dir, folders, node,
                                                                    s3):
    import boto3

    first = push(folders["index"], s3).record["id"]
    assert pull(node, s3).release_id == first
    assert release_files(ReleaseStore(node).path_of(first)) == release_files(
        ReleaseStore(folders["index"]).path_of(first))

    write_service(content_dir, service("gardening-club"))
    publish(content_dir, folders["index"])
    second = push(folders["index"], s3).record["id"]
    bucket, _, prefix = s3.removeprefix("s3://").partition("/")
    client = boto3.client("s3")
    key = f"{prefix}/{archive_key(second)}"
    data = client.get_object(Bucket=bucket, Key=key)["Body"].read()
    client.put_object(Bucket=bucket, Key=key, Body=data[:-1] + bytes([data[-1] ^ 1]))
    with pytest.raises(TransferError, match="corrupt"):
        pull(node, s3)
    assert ReleaseStore(node).current_id() == first and leftovers(node) == []

    client.put_object(Bucket=bucket, Key=key, Body=data)
    assert pull(node, s3).release_id == second

    with pytest.raises(TransferError, match=r"NoSuchBucket|does not exist"):
        push(folders["index"], "s3://no-such-bucket/directory")


class Load:
    """A bounded request loop against several servers, recording every failure and the releases seen."""

    def __init__(self, bases: list[str], paths: list[str], limit: int = 20000):
        self.bases, self.paths, self.limit = bases, paths, limit
        self.errors: list[str] = []
        self.requests = 0
        self.releases_seen: dict[str, list[str]] = {base: [] for base in bases}
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, args=(offset,)) for offset in range(4)]

    def _run(self, offset: int) -> None:
        count = offset
        while not self._stop.is_set() and self.requests < self.limit:
            base = self.bases[count % len(self.bases)]
            path = self.paths[(count // len(self.bases)) % len(self.paths)]
            count += 1
            try:
                with urllib.request.urlopen(base + path, timeout=30) as response:
                    body = response.read()
                    if path == "/healthz":
                        release = json.loads(body)["release"]
                        with self._lock:
                            seen = self.releases_seen[base]
                            if not seen or seen[-1] != release:
                                seen.append(release)
            except Exception as error:  # every failure counts, whatever it is
                with self._lock:
                    self.errors.append(f"{base}{path}: {error!r}")
            with self._lock:
                self.requests += 1

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def wait_for_requests(self, count: int, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while self.requests < count and time.monotonic() < deadline:
            time.sleep(0.05)

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)


@pytest.mark.slow
def test_two_read_nodes_switch_to_a_pushed_release_under_load_without_an_error(
        published, content_dir, folders, tmp_path, s3, s3_endpoint):
    first = push(folders["index"], s3).record["id"]
    s3_environment = {**S3_ENVIRONMENT, "AWS_ENDPOINT_URL": s3_endpoint}
    nodes = [tmp_path / f"node-{number}" for number in (1, 2)]
    servers, bases = [], []
    try:
        for node_dir in nodes:
            pulled = earlyhelp("release", "pull", s3, index=node_dir / "search_index", extra=s3_environment)
            assert pulled.returncode == 0, pulled.stderr
            port = free_port()
            # A read node has its own index folder and no content folder at all: the release is enough.
            environment = dict(os.environ, EARLYHELP_INDEX_DIR=str(node_dir / "search_index"),
                               EARLYHELP_CONTENT_DIR=str(node_dir / "no-content"),
                               EARLYHELP_INSTANCE_DIR=str(node_dir / "instance"))
            servers.append(subprocess.Popen(
                [sys.executable, "-m", "app", "serve", "--port", str(port), "--threads", "4"],
                env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
            bases.append(f"http://127.0.0.1:{port}")
        for base in bases:
            assert wait_for(f"{base}/healthz")["release"] == first

        paths = ["/healthz", "/search?q=parenting", "/services/debt-advice", "/api/search?q=debt",
                 "/hubs/west", "/search?need=parenting&age=3-5"]
        with Load(bases, paths) as load:
            load.wait_for_requests(40)
            write_service(content_dir, service("gardening-club", title="Family gardening club"))
            second = publish(content_dir, folders["index"]).release_id
            pushed = earlyhelp("release", "push", s3, index=folders["index"], extra=s3_environment)
            assert pushed.returncode == 0, pushed.stderr
            for node_dir in nodes:
                pulled = earlyhelp("release", "pull", s3, index=node_dir / "search_index",
                                   extra=s3_environment)
                assert pulled.returncode == 0, pulled.stderr
            switched_at = load.requests
            load.wait_for_requests(switched_at + 40)

        assert load.errors == [], load.errors[:5]
        assert load.requests >= switched_at + 40, "the load kept going after the switch"
        for base in bases:
            assert load.releases_seen[base] == [first, second], base
            assert get_json(f"{base}/healthz")["release"] == second
            found = get_json(f"{base}/api/search?q=gardening")
            assert [result["id"] for result in found["results"]] == ["gardening-club"]
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)
