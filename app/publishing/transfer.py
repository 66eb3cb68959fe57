"""Moving releases between nodes: one archive with a checksum, in a folder or S3-compatible storage.

The editing node publishes and pushes; read nodes pull and switch to what they
pulled exactly as a publish switches (``current``, renamed atomically), so their
web servers pick the release up on their next request. A location, a folder or
``s3://bucket/prefix``, holds::

    releases/<id>.tar.gz    the release folder, as a gzip'd tar
    releases/<id>.json      its record: id, sha256 and size of the archive, schema version, counts
    latest.json             the record of the release read nodes should serve

The archive is written before its record and the record before ``latest.json``,
so a reader that finds a record finds its whole archive. A pull checks the size
and SHA-256 of what it downloaded and the release inside before anything is
switched: a corrupt, partial or foreign archive is refused and the live release
stays as it was.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from ..release.schema import DATABASE_FILE, SCHEMA_VERSION, WHOOSH_FOLDER
from .publish import KEEP_RELEASES
from .releases import MANIFEST, ReleaseStore

LATEST = "latest.json"
# Release ids name folders on the read node: nothing but what publish makes.
RELEASE_ID = re.compile(r"^[0-9]{8}-[0-9]{6}-[0-9]{3}-[0-9a-f]{8}(?:-[0-9]+)?$")
_CHUNK = 1 << 20


class TransferError(Exception):
    """A push or pull that cannot be done, with a message for the operator."""


def archive_key(release_id: str) -> str:
    return f"releases/{release_id}.tar.gz"


def record_key(release_id: str) -> str:
    return f"releases/{release_id}.json"


class FolderLocation:
    """A folder (local disk, or a shared mount) holding pushed releases."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def __str__(self) -> str:
        return str(self.root)

    def put_file(self, source: Path, key: str) -> None:
        # Copied under a temporary name and renamed, so no one ever reads half a file.
        target = self.root / key
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.{os.getpid()}.part")
        try:
            shutil.copyfile(source, temporary)
            with open(temporary, "rb") as handle:
                os.fsync(handle.fileno())
            os.replace(temporary, target)
        finally:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()

    def put_bytes(self, key: str, data: bytes) -> None:
        with tempfile.NamedTemporaryFile(delete=False) as handle:
            handle.write(data)
        try:
            self.put_file(Path(handle.name), key)
        finally:
            os.unlink(handle.name)

    def get_file(self, key: str, target: Path) -> None:
        try:
            shutil.copyfile(self.root / key, target)
        except FileNotFoundError:
            raise TransferError(f"{self.root / key} is missing") from None

    def get_bytes(self, key: str) -> bytes | None:
        try:
            return (self.root / key).read_bytes()
        except FileNotFoundError:
            return None


class S3Location:
    """A bucket and prefix in S3-compatible object storage (AWS, MinIO, Ceph, Garage...).

    Credentials, region and endpoint come from boto3's usual settings
    (``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_DEFAULT_REGION``,
    ``AWS_ENDPOINT_URL`` for storage other than AWS, or ``~/.aws/``).
    """

    def __init__(self, url: str):
        bucket, _, prefix = url.removeprefix("s3://").partition("/")
        if not bucket:
            raise TransferError(f"'{url}' names no bucket: use s3://BUCKET/PREFIX")
        try:
            import boto3
        except ImportError:
            raise TransferError("S3 locations need boto3: pip install 'earlyhelp[s3]'") from None
        self.url = url
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.client = boto3.client("s3")

    def __str__(self) -> str:
        return self.url

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    @contextlib.contextmanager
    def _errors(self, key: str):
        """boto3's errors (no credentials, no bucket, refused...) as one message for the operator."""
        from boto3.exceptions import Boto3Error
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            yield
        except (BotoCoreError, ClientError, Boto3Error) as error:
            raise TransferError(f"{self.url}/{key}: {error}") from None

    def put_file(self, source: Path, key: str) -> None:
        # An object appears whole or not at all, multipart uploads included.
        with self._errors(key):
            self.client.upload_file(str(source), self.bucket, self._key(key))

    def put_bytes(self, key: str, data: bytes) -> None:
        with self._errors(key):
            self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data)

    def get_file(self, key: str, target: Path) -> None:
        with self._errors(key):
            self.client.download_file(self.bucket, self._key(key), str(target))

    def get_bytes(self, key: str) -> bytes | None:
        with self._errors(key):
            try:
                return self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"].read()
            except self.client.exceptions.NoSuchKey:
                return None


def location(address: str | Path) -> FolderLocation | S3Location:
    """The location an address names: ``s3://bucket/prefix`` or a folder."""
    text = str(address)
    if text.startswith("s3://"):
        return S3Location(text)
    if "://" in text:
        raise TransferError(f"'{text}': a release location is a folder or s3://BUCKET/PREFIX")
    return FolderLocation(text)


@dataclass
class Pulled:
    release_id: str
    switched: bool          # False when it was already live
    downloaded: bool        # False when it was already kept on this node
    pruned: list[str]


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _write_archive(release_path: Path, target: Path) -> None:
    # Level 1: most of a release is SQLite pages and Whoosh postings, which
    # compress little more at higher levels, and the push should stay quick.
    with tarfile.open(target, "w:gz", compresslevel=1) as archive:
        for folder, subfolders, files in os.walk(release_path):
            subfolders.sort()
            for name in sorted(files):
                path = Path(folder, name)
                archive.add(path, arcname=path.relative_to(release_path).as_posix(), recursive=False)


@dataclass
class Pushed:
    record: dict
    uploaded: bool          # False when the location already held this release
    named_latest: bool      # True when latest.json was changed to name it


def push(index_dir: str | Path, destination: str | Path, *, release_id: str | None = None,
         latest: bool = True) -> Pushed:
    """Copy a release (default: the live one) to ``destination`` as one archive with its checksum.

    A release already there is not sent again (releases never change), so this
    can run every minute. With ``latest``, ``latest.json`` then names it, so read
    nodes that pull "the latest" switch to it (pushing an older release is a
    rollback for them).
    """
    store = ReleaseStore(index_dir)
    release_id = release_id or store.current_id()
    if release_id is None:
        raise TransferError("nothing is published yet: run 'earlyhelp publish' first")
    release = store.get(release_id)
    if release is None:
        known = ", ".join(kept.id for kept in store.list()) or "none"
        raise TransferError(f"no complete release with id '{release_id}' (kept releases: {known})")
    target = location(destination)
    try:
        record, uploaded = _read_record(target, release_id), False
    except TransferError:
        with tempfile.TemporaryDirectory(prefix="earlyhelp-push-") as work:
            archive = Path(work, f"{release_id}.tar.gz")
            _write_archive(release.path, archive)
            record = {"id": release_id, "sha256": _sha256_of(archive), "size": archive.stat().st_size,
                      "schema_version": release.manifest.get("schema_version"),
                      "created_at": release.created_at, "counts": release.counts}
            target.put_file(archive, archive_key(release_id))
        target.put_bytes(record_key(release_id), json.dumps(record, indent=2).encode())
        uploaded = True
    named_latest = False
    if latest and _latest_id(target) != release_id:
        target.put_bytes(LATEST, json.dumps(record, indent=2).encode())
        named_latest = True
    return Pushed(record, uploaded, named_latest)


def _latest_id(where) -> str | None:
    try:
        return _read_record(where, None)["id"]
    except TransferError:
        return None


def _read_record(source, release_id: str | None) -> dict:
    key = record_key(release_id) if release_id else LATEST
    raw = source.get_bytes(key)
    if raw is None:
        what = f"release '{release_id}'" if release_id else "latest release (latest.json)"
        raise TransferError(f"{source} holds no {what}: push one there first")
    try:
        record = json.loads(raw)
        valid = (isinstance(record, dict) and isinstance(record.get("id"), str)
                 and RELEASE_ID.match(record["id"]) and isinstance(record.get("size"), int)
                 and re.fullmatch(r"[0-9a-f]{64}", str(record.get("sha256"))))
    except ValueError:
        valid = False
    if not valid:
        raise TransferError(f"{source}/{key} is not a release record")
    if release_id and record["id"] != release_id:
        raise TransferError(f"{source}/{key} names release '{record['id']}', not '{release_id}'")
    return record


def _unpack(archive: Path, record: dict, build: Path) -> None:
    """Check the downloaded archive against its record and unpack it into ``build``."""
    size = archive.stat().st_size
    if size != record["size"]:
        raise TransferError(f"the archive of release {record['id']} is incomplete or altered: "
                            f"{size} bytes, its record says {record['size']}")
    if _sha256_of(archive) != record["sha256"]:
        raise TransferError(f"the archive of release {record['id']} is corrupt: "
                            "its SHA-256 differs from its record's")
    try:
        with tarfile.open(archive, "r:gz") as opened:
            # The 'data' filter refuses absolute paths, '..', links out of the folder and devices.
            opened.extractall(build, filter="data")
    except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
        raise TransferError(f"the archive of release {record['id']} cannot be unpacked: {error}") from None
    try:
        manifest = json.loads((build / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise TransferError(f"the archive of release {record['id']} holds no readable manifest") from None
    if manifest.get("id") != record["id"]:
        raise TransferError(f"the archive of release {record['id']} holds release '{manifest.get('id')}'")
    version = manifest.get("schema_version")
    if version != SCHEMA_VERSION:
        if isinstance(version, int) and version < SCHEMA_VERSION:
            raise TransferError(f"release {record['id']} has layout version {version}, older than this "
                                f"node's {SCHEMA_VERSION}: upgrade the editing node and publish there (a "
                                "release of another layout is rebuilt in full), then pull again")
        raise TransferError(f"release {record['id']} has layout version {version}; "
                            f"this node reads version {SCHEMA_VERSION}: upgrade the node to the editing "
                            "node's version first")
    if not (build / DATABASE_FILE).is_file() or not (build / WHOOSH_FOLDER).is_dir():
        raise TransferError(f"the archive of release {record['id']} lacks "
                            f"{DATABASE_FILE} or {WHOOSH_FOLDER}/")


def pull(index_dir: str | Path, source: str | Path, *, release_id: str | None = None,
         keep: int = KEEP_RELEASES) -> Pulled:
    """Fetch a release (default: the one ``latest.json`` names) and make it live here.

    Nothing changes on this node unless the whole archive arrived, matches its
    checksum and holds a complete release of this node's layout.
    """
    origin = location(source)
    record = _read_record(origin, release_id)
    wanted = record["id"]
    store = ReleaseStore(index_dir)
    with store.lock():
        if store.get(wanted) is not None:
            if store.current_id() == wanted:
                return Pulled(wanted, switched=False, downloaded=False, pruned=[])
            store.switch(wanted)
            return Pulled(wanted, switched=True, downloaded=False, pruned=store.prune(keep))
        build = store.start_build(wanted)
        # Beside the index's folders (same disk), outside the release being unpacked.
        archive = store.root / f".pulling-{wanted}.tar.gz"
        try:
            origin.get_file(archive_key(wanted), archive)
            _unpack(archive, record, build)
            store.finish_build(build, wanted)
        except BaseException:
            shutil.rmtree(build, ignore_errors=True)
            raise
        finally:
            with contextlib.suppress(FileNotFoundError):
                archive.unlink()
        return Pulled(wanted, switched=True, downloaded=True, pruned=store.prune(keep))
