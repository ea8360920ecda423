namespace Fleet.Device.Update;

/// <summary>Counters of one download run. <see cref="Requested"/> counts every index asked for, so a resumed
/// download shows how little it fetched again.</summary>
public sealed record DownloadProgress(int Held, int Total, int Requested, int Corrupt, int Duplicates)
{
    public double Fraction => Total == 0 ? 1 : (double)Held / Total;

    public string Describe() => $"{Held}/{Total} chunks held, {Requested} requested, {Corrupt} corrupt, {Duplicates} duplicate";
}
