using System.Security.Cryptography;

namespace Fleet.Testing;

/// <summary>The PostgreSQL cluster tests/run.sh starts (tests/postgres.sh exports <c>FLEET_TEST_POSTGRES</c>). Each caller
/// gets a database of its own (the hub's migrations create it), so tests share no data. A missing cluster is a
/// failure, never a skip.</summary>
public static class TestPostgres
{
    public const string Variable = "FLEET_TEST_POSTGRES";

    public static string NewDatabase(string purpose)
    {
        var server = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(server))
        {
            throw new InvalidOperationException(
                $"{Variable} is not set: these tests need PostgreSQL. Run tests/run.sh, or `source tests/postgres.sh` before `dotnet test`.");
        }

        var name = $"fleet_{purpose}_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}";
        return $"{server.TrimEnd(';')};Database={name}";
    }
}
