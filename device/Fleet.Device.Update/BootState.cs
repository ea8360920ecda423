using System.Text.Json;

namespace Fleet.Device.Update;

/// <summary><c>boot.json</c>, shared with the POSIX <c>fleet-boot</c> launcher, so it is written in one compact,
/// fixed shape that a sed-based parser reads: <c>{"active":"a","committed":"a","trial":null}</c>.</summary>
public sealed record BootState(string Active, string Committed, BootTrial? Trial)
{
    public static BootState Fresh { get; } = new(Slot.A, Slot.A, null);

    public bool InTrial => Trial is not null;

    public byte[] ToJson()
    {
        var trial = Trial is null ? "null" : $"{{\"slot\":\"{Trial.Slot}\",\"attempts\":{Trial.Attempts}}}";
        return System.Text.Encoding.UTF8.GetBytes($"{{\"active\":\"{Active}\",\"committed\":\"{Committed}\",\"trial\":{trial}}}\n");
    }

    /// <summary>Null when the file is not a valid boot state; the caller falls back to the committed slot.</summary>
    public static BootState? Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json.ToArray());
            var root = doc.RootElement;
            var active = root.GetProperty("active").GetString();
            var committed = root.GetProperty("committed").GetString();
            if (!Slot.IsValid(active) || !Slot.IsValid(committed))
            {
                return null;
            }

            BootTrial? trial = null;
            if (root.TryGetProperty("trial", out var t) && t.ValueKind == JsonValueKind.Object)
            {
                var slot = t.GetProperty("slot").GetString();
                if (!Slot.IsValid(slot))
                {
                    return null;
                }

                trial = new BootTrial(slot!, t.GetProperty("attempts").GetInt32());
            }

            return new BootState(active!, committed!, trial);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}
