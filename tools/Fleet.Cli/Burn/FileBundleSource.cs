namespace Fleet.Cli.Burn;

/// <summary>A bundle file given with <c>--bundle F.fwb</c> (the offline way).</summary>
internal sealed class FileBundleSource(string path) : IBundleSource
{
    public string? Product => null;

    public Task<string> ObtainAsync(string serial, string staging, CancellationToken ct)
    {
        if (!File.Exists(path))
        {
            throw new CliFailure($"bundle '{path}' not found; build one with 'fleet firmware build' and pass it with --bundle");
        }

        return Task.FromResult(path);
    }
}
