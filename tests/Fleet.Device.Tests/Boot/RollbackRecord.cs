using System.Text.Json;

namespace Fleet.Device.Tests.Boot;

/// <summary>update/rollback.json as the agent will read it to report <c>rolled_back</c> with its reason.</summary>
internal sealed record RollbackRecord(string Slot, string Committed, int Attempts, string Reason)
{
    public static RollbackRecord Read(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var r = doc.RootElement;
        Assert.True(DateTimeOffset.TryParse(r.GetProperty("at").GetString(), out _), "rollback.json 'at' is a timestamp");
        return new RollbackRecord(
            r.GetProperty("slot").GetString()!,
            r.GetProperty("committed").GetString()!,
            r.GetProperty("attempts").GetInt32(),
            r.GetProperty("reason").GetString()!);
    }
}
