#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the tests: a temp dir, 127.0.0.1 on a free port, trust auth on loopback
# only, owned by the postgres user (initdb refuses root). Source it: it exports FLEET_TEST_POSTGRES (an Npgsql
# connection string without a database; each test fixture creates its own) and stops the cluster on exit.
#   source tests/postgres.sh      # then: dotnet test tests/Fleet.Hub.Tests
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$PG_BIN" ]; then
  echo "tests/postgres.sh: PostgreSQL is not installed (apt-get install postgresql)" >&2
  return 1 2>/dev/null || exit 1
fi
PG_DIR=$(mktemp -d /tmp/fleet-pg.XXXXXX)
AS_PG=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres: "$PG_DIR"
  AS_PG=(runuser -u postgres --)
fi
"${AS_PG[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --no-locale >"$PG_DIR/initdb.log"
# Many hub processes run at once under test: room for their connection pools. A random free port; if another
# process takes it first, pg_ctl fails and the next one is tried.
PG_PORT=""
for _ in 1 2 3 4 5 6 7 8; do
  port=$((20000 + RANDOM % 40000))
  if (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then continue; fi
  if "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$PG_DIR -c max_connections=400 -c fsync=off" start >/dev/null; then
    PG_PORT=$port
    break
  fi
done
if [ -z "$PG_PORT" ]; then
  echo "tests/postgres.sh: PostgreSQL did not start; see $PG_DIR/server.log" >&2
  return 1 2>/dev/null || exit 1
fi
fleet_stop_postgres() {
  "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}
trap fleet_stop_postgres EXIT
export FLEET_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=postgres"
echo "tests/postgres.sh: PostgreSQL on 127.0.0.1:$PG_PORT (FLEET_TEST_POSTGRES=$FLEET_TEST_POSTGRES)"
