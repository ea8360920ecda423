using Fleet.Testing;
using Npgsql;

namespace Fleet.Hub.Tests.Cluster;

/// <summary>Two hub processes on one PostgreSQL database, in external-broker mode behind one Mosquitto over mutual TLS,
/// sharing the CA, the broker's config dir and the blob dir. Node A creates the PKI; node B is given A's files.</summary>
public class HubCluster : IAsyncLifetime
{
    private readonly TempDir _shared = new("fleet-cluster");
    private readonly List<RunningHub> _nodes = [];
    private readonly List<List<string>> _nodeArgs = [];
    private readonly Dictionary<string, string?>? _environment;
    private readonly IReadOnlyList<string> _nodeAExtraArgs = [];
    private MosquittoBroker? _broker;

    public HubCluster()
    {
    }

    /// <summary>A cluster whose node A gets these further arguments.</summary>
    protected HubCluster(IReadOnlyList<string> nodeAExtraArgs)
    {
        _nodeAExtraArgs = nodeAExtraArgs;
    }

    /// <summary>A cluster whose hub processes get these environment variables (test hooks).</summary>
    internal HubCluster(IReadOnlyDictionary<string, string?> environment)
    {
        _environment = new Dictionary<string, string?>(environment);
    }

    public string Database { get; } = TestPostgres.NewDatabase("cluster");

    public int BrokerPort { get; } = FreePort.Next();

    public IReadOnlyList<RunningHub> Nodes => _nodes;

    public MosquittoBroker Broker => _broker ?? throw new InvalidOperationException("broker not started");

    public string BrokerDir => _shared.Combine("broker");

    public async Task InitializeAsync()
    {
        _nodeArgs.Add([.. NodeArgs("a"), .. _nodeAExtraArgs]);
        var a = await RunningHub.StartAsync(null, _nodeArgs[0], null, _environment);
        _nodes.Add(a);
        var bData = _shared.Combine("node-b");
        Directory.CreateDirectory(bData);
        // Node B finds the admin account in the shared database and creates no token; the tests use A's.
        File.Copy(Path.Combine(a.DataDir, "admin-token"), Path.Combine(bData, "admin-token"));
        _nodeArgs.Add([.. NodeArgs("b"),
            "--ca-cert", Path.Combine(a.DataDir, "ca.crt"), "--ca-key", Path.Combine(a.DataDir, "ca.key"),
            "--server-cert", Path.Combine(a.DataDir, "server.crt"), "--server-key", Path.Combine(a.DataDir, "server.key"),
            "--server-ca-cert", Path.Combine(a.DataDir, "hub-ca.crt")]);
        var b = await RunningHub.StartAsync(bData, _nodeArgs[1], a.CaCertPath, _environment);
        _nodes.Add(b);
        _broker = await MosquittoBroker.StartAsync(Path.Combine(BrokerDir, "mosquitto.conf"), _shared.Combine("mosquitto.pid"));
        foreach (var node in _nodes)
        {
            await node.Process.WaitForLineAsync(l => l.Contains("Joined broker", StringComparison.Ordinal), "the hub node to join the broker", TimeSpan.FromSeconds(60));
        }
    }

    /// <summary>Starts node <paramref name="index"/> again after its process died (kill -9): the same data dir, the
    /// same arguments, so the same --node-name; returns once it has joined the broker.</summary>
    public async Task<RunningHub> StartAgainAsync(int index)
    {
        var node = await _nodes[index].StartAgainAsync(_nodeArgs[index]);
        _nodes[index] = node;
        await node.Process.WaitForLineAsync(l => l.Contains("Joined broker", StringComparison.Ordinal), "the restarted hub node to join the broker", TimeSpan.FromSeconds(60));
        return node;
    }

    public async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }

        _shared.Dispose();
    }

    private List<string> NodeArgs(string name) =>
    [
        "--database", Database, "--broker", "external", "--mqtt-port", BrokerPort.ToString(), "--node-name", name,
        "--broker-config-dir", BrokerDir, "--broker-pid-file", _shared.Combine("mosquitto.pid"), "--blob-dir", _shared.Combine("blobs"),
    ];
}

/// <summary>A cluster whose node A leaves the cluster when it stops (<c>--broker-on-stop leave</c>).</summary>
public sealed class LeavingNodeCluster() : HubCluster(["--broker-on-stop", "leave"]);
