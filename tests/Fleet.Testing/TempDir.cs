namespace Fleet.Testing;

/// <summary>A fresh directory under /tmp, removed on dispose.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir(string prefix = "fleet-test")
    {
        Path = Directory.CreateTempSubdirectory(prefix + "-").FullName;
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A process we started may still be closing a file; /tmp is cleaned by the OS anyway.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
