namespace Fleet.Hub.Tests;

/// <summary>Names no other test uses, so tests sharing a hub never see each other's data.</summary>
internal static class Unique
{
    public static string Name(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 64)];
}
