namespace Fleet.Protocol.Trust;

/// <summary>What a firmware-signing key may ship to, as people write it: <c>group:NAME</c>, <c>tag:NAME</c>,
/// <c>device:SERIAL</c> or <c>any</c>. Each scope is one delegated targets role with its own path patterns.</summary>
public sealed record TrustScope(string Kind, string? Name)
{
    public const string Group = "group";
    public const string Tag = "tag";
    public const string Device = "device";
    public const string Any = "any";

    public static TrustScope AnyDevice { get; } = new(Any, null);

    /// <summary>The delegated role's name: <c>group-test</c>, <c>tag-field</c>, <c>device-tank-1</c>, <c>any</c>.</summary>
    public string RoleName => Kind == Any ? Any : $"{Kind}-{Name}";

    public IReadOnlyList<string> Paths => Kind switch
    {
        Group => [$"groups/{Name}/*"],
        Tag => [$"tags/{Name}/*"],
        Device => [$"devices/{Name}/*"],
        _ => ["*/*/*"],
    };

    public override string ToString() => Kind == Any ? Any : $"{Kind}:{Name}";

    public static bool TryParse(string? text, out TrustScope scope, out string error)
    {
        scope = AnyDevice;
        error = string.Empty;
        if (text == Any)
        {
            return true;
        }

        var colon = text?.IndexOf(':') ?? -1;
        var kind = colon > 0 ? text![..colon] : string.Empty;
        var name = colon > 0 ? text![(colon + 1)..] : string.Empty;
        if (kind is not (Group or Tag or Device) || !TrustNames.IsSafeName(name))
        {
            error = $"scope '{text}' is not one of group:NAME, tag:NAME, device:SERIAL or any (names: 1-64 letters, digits, '.', '_', '-')";
            return false;
        }

        scope = new TrustScope(kind, name);
        return true;
    }

    /// <summary>Reads a delegated role back as a scope, when its paths are exactly those Fleet writes.</summary>
    public static TrustScope? FromRole(DelegatedRole role)
    {
        foreach (var kind in new[] { Group, Tag, Device })
        {
            var prefix = kind + "-";
            if (role.Name.StartsWith(prefix, StringComparison.Ordinal) && TryParse($"{kind}:{role.Name[prefix.Length..]}", out var s, out _)
                && s.Paths.SequenceEqual(role.Paths))
            {
                return s;
            }
        }

        return role.Name == Any && role.Paths.SequenceEqual(AnyDevice.Paths) ? AnyDevice : null;
    }
}
