using System.Security.Cryptography;
using System.Text;
using Fleet.Testing;

namespace Fleet.Hub.Tests.Hosting;

/// <summary>What a first start leaves on disk and in the journal: the secrets only in their 0600 files, the data dir
/// 0700 and the database 0600 even when the data dir was there before with the usual 0755 and a 0644 database.</summary>
public sealed class FirstStartTests
{
    [Fact]
    public async Task The_admin_token_and_password_are_written_0600_and_only_their_path_and_fingerprint_are_printed()
    {
        await using var hub = await RunningHub.StartAsync();
        var password = (await File.ReadAllTextAsync(Path.Combine(hub.DataDir, "admin-password"))).Trim();
        var output = hub.Process.StandardOutput + hub.Process.StandardError;

        Assert.DoesNotContain(hub.AdminToken, output);
        Assert.DoesNotContain(password, output);
        Assert.Contains($"Admin API token: written to {Path.Combine(hub.DataDir, "admin-token")} (mode 0600, sha256 {Fingerprint(hub.AdminToken)})", output);
        Assert.Contains($"password of user 'admin': written to {Path.Combine(hub.DataDir, "admin-password")} (mode 0600, sha256 {Fingerprint(password)})", output);
        Assert.Equal(0b110_000_000, Posix.Mode(Path.Combine(hub.DataDir, "admin-token")));
        Assert.Equal(0b110_000_000, Posix.Mode(Path.Combine(hub.DataDir, "admin-password")));
    }

    [Fact]
    public async Task An_existing_0755_data_dir_becomes_0700_and_its_database_files_0600()
    {
        using var data = new TempDir("fleet-hub-data");
        File.SetUnixFileMode(data.Path, (UnixFileMode)0b111_101_101);
        await using (var first = await RunningHub.StartAsync(data.Path))
        {
            Assert.Equal(0b111_000_000, Posix.Mode(data.Path));
            Assert.Equal(0b110_000_000, Posix.Mode(Path.Combine(data.Path, "fleet.db")));
        }

        // As an older hub or a hand-made data dir would have left them.
        File.SetUnixFileMode(data.Path, (UnixFileMode)0b111_101_101);
        foreach (var file in Directory.EnumerateFiles(data.Path, "fleet.db*"))
        {
            File.SetUnixFileMode(file, (UnixFileMode)0b110_100_100);
        }

        await using var again = await RunningHub.StartAsync(data.Path);

        Assert.Equal(0b111_000_000, Posix.Mode(data.Path));
        Assert.All(Directory.EnumerateFiles(data.Path, "fleet.db*"), f => Assert.Equal(0b110_000_000, Posix.Mode(f)));
        Assert.Contains(Directory.EnumerateFiles(data.Path, "fleet.db*"), f => f.EndsWith("-wal", StringComparison.Ordinal));
    }

    private static string Fingerprint(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)))[..8];
}
