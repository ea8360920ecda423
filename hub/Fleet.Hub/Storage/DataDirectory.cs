using Fleet.Hub.Hosting;
using Microsoft.Data.Sqlite;

namespace Fleet.Hub.Storage;

/// <summary>The data dir holds the CA keys, the first-start secrets and the database, so it is 0700 and the SQLite
/// files in it 0600, whatever they were before: a data dir made by hand, by an older hub or by a package with the
/// usual 0755 is tightened at start. SQLite creates its -wal and -shm files with the database file's mode, so a
/// database file that does not exist yet is created empty with 0600 before SQLite first opens it.</summary>
internal static class DataDirectory
{
    public const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private static readonly string[] SqliteCompanions = ["-wal", "-shm", "-journal"];

    public static void Secure(string dataDir, string connectionString)
    {
        Tighten(dataDir, isDirectory: true);
        if (HubDatabase.ProviderOf(connectionString) != DatabaseProvider.Sqlite)
        {
            return;
        }

        var source = new SqliteConnectionStringBuilder(connectionString).DataSource;
        if (string.IsNullOrEmpty(source) || source == ":memory:" || source.StartsWith("file:", StringComparison.Ordinal))
        {
            return;
        }

        var database = Path.GetFullPath(source);
        if (!File.Exists(database) && Directory.Exists(Path.GetDirectoryName(database)))
        {
            // An empty file is a valid new SQLite database.
            using var created = new FileStream(database, new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = FileMode });
        }

        foreach (var file in SqliteCompanions.Select(suffix => database + suffix).Prepend(database).Where(File.Exists))
        {
            Tighten(file, isDirectory: false);
        }
    }

    private static void Tighten(string path, bool isDirectory)
    {
        var wanted = isDirectory ? DirectoryMode : FileMode;
        try
        {
            if (isDirectory && !Directory.Exists(path))
            {
                Directory.CreateDirectory(path, wanted);
            }

            if (File.GetUnixFileMode(path) != wanted)
            {
                File.SetUnixFileMode(path, wanted);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            var octal = Convert.ToString((int)wanted, 8);
            throw new HubStartFailure($"cannot make {path} private (mode 0{octal}): {ex.Message}; run the hub as the owner of its data dir, or 'chmod {octal} {path}'");
        }
    }
}
