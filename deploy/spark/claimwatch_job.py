"""Run `claimwatch scan-warc` over a list of WARC files with Spark, and tabulate the claims by domain.

    spark-submit deploy/spark/claimwatch_job.py --binary PATH --config FILE (--paths FILE | --records FILE) \
        --out DIR [--prefix URL] [--partitions N] [--at DATE]

--paths is a list of WARC files, one a line, plain or gzip (`.gz`, like Common Crawl's
warc.paths.gz); any path Spark reads (local, hdfs://, s3a://...). A line that is neither absolute
(`/...`) nor a URL (`scheme://...`) is taken as relative to --prefix (default
https://data.commoncrawl.org/). Each task hands its files to one `claimwatch scan-warc` process on
standard input (one file per task unless --partitions is given).

--records instead scans only some records: a CSV with a header row holding warc_filename,
warc_record_offset and warc_record_length (the columns of Common Crawl's columnar URL index). Each
task fetches its records with Range requests into a local gzip-per-record WARC file of the same
name, scans that, and rewrites each row's warc_source and warc_offset to the original file's.

Shipped to the executors: the binary (SparkContext.addFile), and one archive (addArchive) holding
the config file and the files it names (`registry`, `patterns`, `gazetteer`) laid out as they are
relative to each other, so the config is used unchanged. A name given as an absolute path is not
shipped: every executor must see it at that path (local mode, a shared file system).

Written under --out: rows/ (every NDJSON row, Parquet), claims/, errors/, domains/ (Parquet) and
domains.csv (one file with a header row). See docs/scale.md.
"""

import argparse
import atexit
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import tomllib
import urllib.request
from collections import defaultdict

from pyspark import SparkFiles, StorageLevel
from pyspark.sql import SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import LongType, MapType, StringType, StructField, StructType

BUNDLE = "claimwatch-bundle"  # the archive's name on the executors (SparkFiles.get(BUNDLE))
LEVELS = ["ok", "unverified", "warning", "violation"]  # worst last
KINDS = ["assertion", "in_progress", "adjacent", "mention", "negation"]  # most telling first

# Every field of every row type ("claim", "error", "summary"); absent fields are null.
STR_FIELDS = [
    "type", "url", "warc_file", "warc_source", "warc_date", "host", "domain", "vendor", "provider",
    "label", "label_name", "scheme", "kind", "level", "verdict", "reason", "matched", "context",
    "location", "detail", "error",
]
LONG_FIELDS = [
    "warc_offset", "warc_length", "files", "files_failed", "records", "responses", "html_parsed",
    "pdf_read", "prefilter_skipped", "errors",
]
SCHEMA = StructType(
    [StructField(f, StringType()) for f in STR_FIELDS]
    + [StructField(f, LongType()) for f in LONG_FIELDS]
    + [StructField("claims", MapType(StringType(), LongType())), StructField("_corrupt", StringType())]
)
CLAIM_COLUMNS = [
    "url", "warc_file", "warc_source", "warc_offset", "warc_length", "warc_date", "host", "domain",
    "vendor", "provider", "label", "label_name", "scheme", "kind", "level", "reason", "matched",
    "context", "location", "detail",
]
CSV_COLUMNS = [
    "domain", "vendor", "provider", "worst_verdict", "labels", "kinds", "claims", "pages", "hosts",
    "sample_quote", "sample_url", "sample_warc_file", "sample_warc_offset", "sample_warc_length",
    "sample_level", "sample_kind", "is_vendor", "is_registry_provider",
]


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--binary", required=True, help="the claimwatch executable (Linux, for the executors)")
    p.add_argument("--config", required=True, help="claimwatch.toml; the files it names are shipped with it")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--paths", help="list of WARC paths or URLs, one a line, plain or .gz")
    what.add_argument("--records", help="CSV of warc_filename, warc_record_offset, warc_record_length")
    p.add_argument("--out", required=True, help="output directory (local, hdfs://, s3a://...)")
    p.add_argument("--prefix", default="https://data.commoncrawl.org/", help="base of relative paths")
    p.add_argument("--partitions", type=int, help="tasks (default: one per WARC file)")
    p.add_argument("--fetch-timeout", type=float, default=60, help="seconds for one Range request")
    p.add_argument("--at", help="judge as of this date (YYYY-MM-DD), passed to scan-warc")
    return p.parse_args(argv)


def to_location(line, prefix):
    """A paths-file line as scan-warc takes it: absolute paths and URLs as they are, else under prefix."""
    if line.startswith("/") or "://" in line:
        return line
    return prefix.rstrip("/") + "/" + line.lstrip("/")


def config_files(config):
    """The config and the files it names, as absolute paths; the ones named by absolute path apart."""
    with open(config, "rb") as f:
        doc = tomllib.load(f)
    base = os.path.dirname(os.path.abspath(config))
    named = []
    for key in ("registry", "patterns", "gazetteer"):
        value = doc.get(key)
        named += value if isinstance(value, list) else [value] if value else []
    relative = [os.path.normpath(os.path.join(base, n)) for n in named if not os.path.isabs(n)]
    return os.path.abspath(config), relative, [n for n in named if os.path.isabs(n)]


def make_bundle(config, workdir):
    """A tar.gz of the config and the files it names by relative path, rooted at their common folder.

    Returns the archive's path and the config's path inside it."""
    config, relative, absolute = config_files(config)
    for a in absolute:
        print(f"claimwatch_job: {a} is named by absolute path and not shipped: "
              "every executor must see it there", file=sys.stderr)
    root = os.path.commonpath([os.path.dirname(config)] + [os.path.dirname(r) if os.path.isfile(r) else r
                                                           for r in relative])
    archive = os.path.join(workdir, BUNDLE + ".tar.gz")
    with tarfile.open(archive, "w:gz") as tar:
        for path in [config] + relative:
            if not os.path.exists(path):
                raise SystemExit(f"claimwatch_job: {path}, named by the config, does not exist")
            tar.add(path, arcname=os.path.relpath(path, root))
    return archive, os.path.relpath(config, root)


def run_scan(locations, binary_name, config_in_bundle, at):
    """Runs one scan-warc over the partition's files; yields its NDJSON lines.

    Exit 0 (no claim) and 1 (claims) are normal; exit 2 comes with error rows of its own, which are
    kept. Anything else (a crash, a kill) becomes an error row for each file of the partition
    rather than a failed task: a record that crashes the reader would crash it again on retry."""
    locations = list(locations)
    if not locations:
        return
    binary = SparkFiles.get(binary_name)
    if not os.access(binary, os.X_OK):
        os.chmod(binary, 0o755)
    bundle = SparkFiles.get(BUNDLE)
    cmd = [binary, "scan-warc", "--format", "json", "--config", os.path.join(bundle, config_in_bundle),
           "--paths-from", "-"]
    if at:
        cmd += ["--at", at]
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, cwd=bundle)

        def feed():  # in a thread: the process may write more than a pipe holds before it has read all
            try:
                proc.stdin.write("".join(loc + "\n" for loc in locations).encode())
                proc.stdin.close()
            except BrokenPipeError:
                pass

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        errors_seen, read_all = False, False
        try:
            for raw in proc.stdout:
                line = raw.decode("utf-8", "replace").strip()
                if line:
                    errors_seen = errors_seen or '"type":"error"' in line.replace(" ", "")
                    yield line
            read_all = True
        finally:  # the task was cancelled or failed while reading: leave no process behind
            if not read_all:
                proc.kill()
                proc.wait()
        code = proc.wait()
        writer.join()
        if code in (0, 1) or (code == 2 and errors_seen):
            return
        err.seek(0, os.SEEK_END)
        err.seek(max(0, err.tell() - 2000))
        tail = err.read().decode("utf-8", "replace").strip()
    how = f"was killed by signal {-code}" if code < 0 else f"exited with {code}"
    for loc in locations:
        yield json.dumps({"type": "error", "warc_source": loc, "warc_offset": None,
                          "error": f"claimwatch scan-warc {how}: {tail}"})


def fetch_range(location, offset, length, timeout):
    """The bytes [offset, offset + length) of a local file or of a URL (one Range request, one retry)."""
    if "://" not in location:
        with open(location, "rb") as f:
            f.seek(offset)
            data = f.read(length)
    else:
        req = urllib.request.Request(location, headers={"Range": f"bytes={offset}-{offset + length - 1}"})
        for attempt in (0, 1):
            try:
                with urllib.request.urlopen(req, timeout=timeout) as r:
                    if r.status != 206:
                        raise OSError(f"HTTP {r.status} instead of 206: the server ignored the Range")
                    data = r.read(length + 1)
                break
            except OSError:
                if attempt:
                    raise
    if len(data) != length:
        raise OSError(f"{len(data)} bytes instead of {length}")
    return data


def scan_records(groups, binary_name, config_in_bundle, at, timeout):
    """Fetches each (location, [(offset, length)…]) group's records into a local WARC file of the
    same name, scans those files, and points each row back at the original file and offset."""
    with tempfile.TemporaryDirectory(prefix="claimwatch-records-") as tmp:
        back = {}  # local file -> (original location, {local offset: original offset})
        for i, (location, ranges) in enumerate(groups):
            local = os.path.join(tmp, str(i), location.rstrip("/").rsplit("/", 1)[-1])
            os.makedirs(os.path.dirname(local))
            offsets = {}
            with open(local, "wb") as out:
                for offset, length in ranges:
                    try:
                        data = fetch_range(location, offset, length, timeout)
                    except Exception as e:  # noqa: BLE001 - any failure is the record's error row
                        yield json.dumps({"type": "error", "warc_source": location, "warc_offset": offset,
                                          "error": f"fetching {length} bytes: {e}"})
                        continue
                    offsets[out.tell()] = offset
                    out.write(data)
            back[local] = (location, offsets)
        for line in run_scan(list(back), binary_name, config_in_bundle, at):
            try:
                row = json.loads(line)
            except ValueError:
                yield line
                continue
            if isinstance(row, dict) and row.get("warc_source") in back:
                location, offsets = back[row["warc_source"]]
                row["warc_source"] = location
                if row.get("warc_offset") is not None:
                    row["warc_offset"] = offsets.get(row["warc_offset"], row["warc_offset"])
                line = json.dumps(row)
            yield line


def record_groups(spark, path, prefix):
    """The records of a --records CSV, grouped by WARC file, each file's in order of offset."""
    df = spark.read.csv(path, header=True).select(
        F.trim("warc_filename").alias("f"), F.col("warc_record_offset").cast("long").alias("o"),
        F.col("warc_record_length").cast("long").alias("l")).dropna().dropDuplicates()
    groups = defaultdict(list)
    for f, o, n in df.collect():
        groups[to_location(f, prefix)].append((o, n))
    return [(loc, sorted(ranges)) for loc, ranges in sorted(groups.items())]


def domain_table(claims):
    """One row per domain: worst verdict, labels, counts and a pointer to the most telling claim."""
    level_rank = F.array_position(F.array(*[F.lit(v) for v in LEVELS]), F.col("level"))
    kind_rank = F.array_position(F.array(*[F.lit(k) for k in KINDS]), F.col("kind"))
    ranked = claims.withColumn("_level", level_rank).withColumn("_kind", kind_rank)
    best = Window.partitionBy("domain").orderBy(
        F.col("_level").desc(), F.col("_kind").asc(), "url", "warc_file", "warc_offset", "context")
    sample = (ranked.withColumn("_n", F.row_number().over(best)).where("_n = 1")
              .select("domain", F.col("context").alias("sample_quote"), F.col("url").alias("sample_url"),
                      F.col("warc_file").alias("sample_warc_file"),
                      F.col("warc_offset").alias("sample_warc_offset"),
                      F.col("warc_length").alias("sample_warc_length"),
                      F.col("level").alias("sample_level"), F.col("kind").alias("sample_kind")))

    def joined(c):
        return F.array_join(F.array_sort(F.collect_set(c)), ";")

    groups = ranked.groupBy("domain").agg(
        joined("vendor").alias("vendor"),
        joined("provider").alias("provider"),
        F.max("_level").alias("_worst"),
        joined("label").alias("labels"),
        joined("kind").alias("kinds"),
        F.count(F.lit(1)).alias("claims"),
        F.countDistinct("url").alias("pages"),
        joined("host").alias("hosts"),
        F.max(F.col("vendor").isNotNull()).alias("is_vendor"),
        F.max(F.col("provider").isNotNull()).alias("is_registry_provider"),
    )
    # An unknown level ranks 0, below "ok", and shows as empty.
    worst = F.when(F.col("_worst") > 0, F.element_at(F.array(*[F.lit(v) for v in LEVELS]), F.col("_worst").cast("int")))
    return groups.withColumn("worst_verdict", worst).join(sample, "domain").select(*CSV_COLUMNS)


def write_single_csv(spark, df, path):
    """Writes `df` (small: one row per domain) as ONE CSV file at `path`, through Hadoop's file
    system so that `path` may be local, hdfs:// or s3a://."""
    jvm = spark.sparkContext._jvm
    target = jvm.org.apache.hadoop.fs.Path(path)
    fs = target.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    out = fs.create(target, True)
    try:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(CSV_COLUMNS)
        for row in df.toLocalIterator():
            w.writerow(["" if v is None else str(v).lower() if isinstance(v, bool) else v for v in row])
            if buf.tell() > 1 << 20:
                out.write(bytearray(buf.getvalue().encode()))
                buf = io.StringIO()
                w = csv.writer(buf, lineterminator="\n")
        out.write(bytearray(buf.getvalue().encode()))
    finally:
        out.close()


def main(argv):
    args = parse_args(argv)
    spark = SparkSession.builder.appName("claimwatch").getOrCreate()
    sc = spark.sparkContext
    sc.setLogLevel("WARN")

    if args.paths:
        lines = [ln.strip() for ln in sc.textFile(args.paths).collect()]  # .gz read as gzip by its name
        locations = [to_location(ln, args.prefix) for ln in lines if ln and not ln.startswith("#")]
    else:
        locations = record_groups(spark, args.records, args.prefix)
    if not locations:
        raise SystemExit(f"claimwatch_job: no WARC file in {args.paths or args.records}")

    sc.addFile(os.path.abspath(args.binary))
    workdir = tempfile.mkdtemp(prefix="claimwatch-job-")
    atexit.register(shutil.rmtree, workdir, True)
    archive, config_in_bundle = make_bundle(args.config, workdir)
    sc.addArchive(archive + "#" + BUNDLE)

    binary_name, at, timeout = os.path.basename(args.binary), args.at, args.fetch_timeout
    partitions = min(args.partitions or len(locations), len(locations))
    if args.paths:
        scan = lambda part: run_scan(part, binary_name, config_in_bundle, at)  # noqa: E731
    else:
        scan = lambda part: scan_records(list(part), binary_name, config_in_bundle, at, timeout)  # noqa: E731
    ndjson = sc.parallelize(locations, partitions).mapPartitions(scan)
    parsed = spark.read.json(ndjson, schema=SCHEMA, mode="PERMISSIVE", columnNameOfCorruptRecord="_corrupt")

    # Every row once, so the scan runs once per file whatever is derived from it afterwards.
    rows_dir = args.out.rstrip("/") + "/rows"
    parsed.write.mode("overwrite").parquet(rows_dir)
    rows = spark.read.parquet(rows_dir).persist(StorageLevel.MEMORY_AND_DISK)

    claims = (rows.where("type = 'claim'")
              .withColumn("level", F.coalesce("level", "verdict"))  # `scan` names it verdict
              .select(*CLAIM_COLUMNS))
    claims.write.mode("overwrite").parquet(args.out + "/claims")

    errors = rows.where("type = 'error' OR _corrupt IS NOT NULL").select(
        "warc_source", "warc_offset",
        F.when(F.col("_corrupt").isNotNull(), F.concat(F.lit("not NDJSON: "), F.substring("_corrupt", 1, 500)))
        .otherwise(F.col("error")).alias("error"))
    errors.write.mode("overwrite").parquet(args.out + "/errors")

    domains = domain_table(spark.read.parquet(args.out + "/claims"))
    domains.write.mode("overwrite").parquet(args.out + "/domains")
    write_single_csv(spark, spark.read.parquet(args.out + "/domains").orderBy(
        F.array_position(F.array(*[F.lit(v) for v in reversed(LEVELS)]), F.col("worst_verdict")), "domain"),
        args.out + "/domains.csv")

    totals = rows.where("type = 'summary'").agg(
        *[F.coalesce(F.sum(c), F.lit(0)).alias(c) for c in
          ["files", "files_failed", "records", "responses", "html_parsed", "pdf_read",
           "prefilter_skipped"]]).first()
    by_kind = dict(claims.groupBy("kind").count().collect())
    n_errors, n_domains = errors.count(), spark.read.parquet(args.out + "/domains").count()
    # scan-warc counts every file it was given; those it could not open are `files_failed`.
    print(f"claimwatch_job: {len(locations)} WARC files listed, {totals['files'] - totals['files_failed']} read, "
          f"{totals['records']} records, {totals['responses']} responses "
          f"({totals['html_parsed']} HTML, {totals['pdf_read']} PDF, {totals['prefilter_skipped']} "
          f"skipped by the prefilter); {sum(by_kind.values())} claims "
          f"({', '.join(f'{k} {v}' for k, v in sorted(by_kind.items())) or 'none'}) "
          f"on {n_domains} domains; {n_errors} errors; output in {args.out}")
    spark.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
