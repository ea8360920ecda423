using Fleet.Testing;

namespace Fleet.Hub.Tests.Web;

/// <summary>A hub that believes X-Forwarded-For from one reverse proxy only, 127.0.0.4 (--trusted-proxies).</summary>
public sealed class ProxiedSqliteHub : HubFixture
{
    public const string Proxy = "127.0.0.4";

    protected override IEnumerable<string> HubArguments() => ["--trusted-proxies", Proxy];
}

/// <summary><see cref="ProxiedSqliteHub"/> on PostgreSQL.</summary>
public sealed class ProxiedPostgresHub : HubFixture
{
    protected override IEnumerable<string> HubArguments() => ["--trusted-proxies", ProxiedSqliteHub.Proxy, "--database", TestPostgres.NewDatabase("hub")];
}
