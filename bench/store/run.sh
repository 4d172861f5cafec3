#!/bin/sh
# Store benchmark (docs/performance.md, section "Store"). Builds the store and its test classes,
# then runs org.posthorn.store.bench.StoreBenchmark on a fresh, durable embedded Derby.
# Options as system properties, e.g.:  bench/store/run.sh -Dbench.messages=2000 -Dbench.threads=8
# The database goes to bundles/store-derby/target/bench-store (about 1.5 GB for the defaults).
set -e
cd "$(dirname "$0")/../.."
mvn -B -q -pl bundles/store-derby -am test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
module=bundles/store-derby
exec java -Xmx1g "$@" -Dbench.dir="$module/target/bench-store" \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -cp "$module/target/test-classes:$module/target/classes:$(cat $module/target/bench.classpath)" \
    org.posthorn.store.bench.StoreBenchmark
