# free_port: prints a TCP port on 127.0.0.1 that nobody listens on, for the tests and the benchmarks.
# Sourced (bash); returns 1 when 200 tries found none.
free_port() {
    # Below the kernel's ephemeral range: a port some client connection uses as its source port cannot be
    # bound, even though nobody listens on it.
    local low p
    low=$(awk '{ print $1 }' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
    ((low > 12000)) || low=32768
    for _ in $(seq 1 200); do
        p=$((10000 + RANDOM % (low - 10000)))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return 0
        fi
    done
    echo "no free port found" >&2
    return 1
}
