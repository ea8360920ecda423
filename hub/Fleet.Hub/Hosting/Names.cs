using System.Text.RegularExpressions;

namespace Fleet.Hub.Hosting;

/// <summary>Names of users, products, keys, groups and device serials: they appear in URLs, MQTT topics and
/// certificate subjects, so they are restricted to a safe alphabet.</summary>
internal static partial class Names
{
    public static bool IsValid(string? name) => name is not null && SafeName().IsMatch(name);

    public static Failure Invalid(string what, string? name) =>
        new(FailureKind.Invalid, "invalid_name", $"{what} '{name}' is not allowed; use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit");

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\z")]
    private static partial Regex SafeName();
}
