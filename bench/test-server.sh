# Sourced by bench/*/run.sh: a benchmark server that is a test-scope main class of a bundle.
#   start_test_server MODULE DIR CLASS ARGS...
# Builds MODULE's test classes, starts CLASS with a fresh DIR (its log: DIR/server.log) and
# returns once it printed READY. It serves while file descriptor 3 stays open;
# stop_test_server closes it and waits for the server to end (also on exit).
start_test_server() {
    local module=$1 dir=$2 class=$3
    shift 3
    mvn -B -q -pl "$module" -am test-compile dependency:build-classpath \
        -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
    rm -rf "$dir" && mkdir -p "$dir"
    mkfifo "$dir/stdin"
    java -Xmx1g ${BENCH_JAVA_OPTS:-} \
        -cp "$module/target/test-classes:$module/target/classes:$(cat "$module/target/bench.classpath")" \
        "$class" "$dir" "$@" < "$dir/stdin" > "$dir/server.log" 2>&1 &
    test_server=$!
    exec 3> "$dir/stdin"
    trap stop_test_server EXIT
    until grep -qs '^READY' "$dir/server.log"; do
        kill -0 $test_server 2>/dev/null || { cat "$dir/server.log"; exit 1; }
        sleep 1
    done
}

stop_test_server() {
    exec 3>&-
    wait "$test_server" || true
    trap - EXIT
}
