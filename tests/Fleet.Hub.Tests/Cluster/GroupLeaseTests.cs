using Fleet.Hub.Cluster;
using Fleet.Hub.Hosting;
using Fleet.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Fleet.Hub.Tests.Cluster;

/// <summary>Each deployment group is orchestrated by exactly one node at a time; a dead node's groups pass on.</summary>
public sealed class GroupLeaseTests
{
    [Fact]
    public async Task On_PostgreSQL_one_node_holds_a_group_and_another_takes_it_over_when_the_holder_dies()
    {
        var database = await CreateDatabaseAsync();
        var a = Node(database, "a");
        var b = Node(database, "b");
        await using (b)
        {
            await using (a)
            {
                Assert.True(await a.HoldAsync(7, CancellationToken.None));
                Assert.True(await a.HoldAsync(7, CancellationToken.None), "the holder keeps its group on the next pass");
                Assert.False(await b.HoldAsync(7, CancellationToken.None), "a second node must not orchestrate a held group");
                Assert.True(await b.HoldAsync(8, CancellationToken.None), "other groups are free for other nodes");
                Assert.False(await a.HoldAsync(8, CancellationToken.None));
            }

            // Node a's session is gone (as when its process dies): the server released its locks.
            Assert.True(await b.HoldAsync(7, CancellationToken.None));
        }
    }

    [Fact]
    public async Task On_SQLite_the_single_node_always_leads()
    {
        await using var only = Node($"Data Source={Path.Combine(Path.GetTempPath(), "unused.db")}", "solo");
        Assert.True(await only.HoldAsync(1, CancellationToken.None));
    }

    private static GroupLeases Node(string database, string name) =>
        new(Options.Create(new HubOptions { Database = database, NodeName = name }), NullLogger<GroupLeases>.Instance);

    private static async Task<string> CreateDatabaseAsync()
    {
        var database = TestPostgres.NewDatabase("lease");
        var builder = new NpgsqlConnectionStringBuilder(database);
        var name = builder.Database!;
        builder.Database = "postgres";
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await create.ExecuteNonQueryAsync();
        return database;
    }
}
