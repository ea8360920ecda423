using Fleet.Testing;

namespace Fleet.Hub.Tests;

/// <summary>The hub on a fresh PostgreSQL database of the cluster tests/run.sh starts.</summary>
public sealed class PostgresHub : HubFixture
{
    protected override IEnumerable<string> HubArguments() => ["--database", TestPostgres.NewDatabase("hub")];
}
