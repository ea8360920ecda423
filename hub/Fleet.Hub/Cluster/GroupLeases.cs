using Fleet.Hub.Hosting;
using Fleet.Hub.Storage;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Fleet.Hub.Cluster;

/// <summary>Which deployment groups this node orchestrates. On PostgreSQL each group is a session-level advisory lock
/// on a connection of its own: the first node to ask holds it for as long as it lives, and when that node dies (even
/// kill -9) the server drops its session and the lock, so the next node's pass takes the group over. On SQLite there
/// is one node, which always leads.</summary>
internal sealed class GroupLeases(IOptions<HubOptions> options, ILogger<GroupLeases> log) : IAsyncDisposable
{
    // The first key of the two-key advisory lock: keeps the hub's locks apart from anything else using the database.
    private const int LockSpace = 0x464c5452;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly HashSet<int> _held = [];
    private readonly bool _single = HubDatabase.ProviderOf(options.Value.ConnectionString) == DatabaseProvider.Sqlite;
    private NpgsqlConnection? _session;

    /// <summary>True when this node holds (or has just taken) the group's lease.</summary>
    public async Task<bool> HoldAsync(int groupId, CancellationToken ct)
    {
        if (_single)
        {
            return true;
        }

        await _gate.WaitAsync(ct);
        try
        {
            var session = await SessionAsync(ct);
            if (_held.Contains(groupId))
            {
                return true;
            }

            await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(@space, @group)", session);
            command.Parameters.AddWithValue("space", LockSpace);
            command.Parameters.AddWithValue("group", groupId);
            if (await command.ExecuteScalarAsync(ct) is true)
            {
                _held.Add(groupId);
                log.LogInformation("Node {Node} now orchestrates deployment group {Group}", options.Value.NodeName, groupId);
                return true;
            }

            return false;
        }
        catch (NpgsqlException ex)
        {
            // A lost session lost its locks too: start over, and let another node lead meanwhile.
            log.LogWarning("Lease session lost ({Message}); holding no deployment group until it is back", ex.Message);
            await DropSessionAsync();
            return false;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync() => await DropSessionAsync();

    private async Task<NpgsqlConnection> SessionAsync(CancellationToken ct)
    {
        if (_session is not null)
        {
            // Proves the session (and so every lock held on it) is still alive.
            await using var ping = new NpgsqlCommand("SELECT 1", _session);
            await ping.ExecuteScalarAsync(ct);
            return _session;
        }

        // Not pooled: a pooled connection "closed" here would keep its session, and the locks, alive in the pool.
        var builder = new NpgsqlConnectionStringBuilder(options.Value.ConnectionString) { Pooling = false, ApplicationName = $"fleet-hub {options.Value.NodeName} leases" };
        var session = new NpgsqlConnection(builder.ConnectionString);
        await session.OpenAsync(ct);
        _session = session;
        return session;
    }

    private async Task DropSessionAsync()
    {
        _held.Clear();
        if (_session is not null)
        {
            await _session.DisposeAsync();
            _session = null;
        }
    }
}
