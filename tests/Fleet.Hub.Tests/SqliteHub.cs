namespace Fleet.Hub.Tests;

/// <summary>The default: a SQLite file in the hub's data dir.</summary>
public sealed class SqliteHub : HubFixture
{
    protected override IEnumerable<string> HubArguments() => [];
}
