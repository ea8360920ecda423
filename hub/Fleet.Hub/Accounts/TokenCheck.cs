namespace Fleet.Hub.Accounts;

/// <summary>What a presented API token is: its identity, or why it is refused (unknown, revoked, expired, or its
/// user disabled), in words for the 401 answer.</summary>
internal sealed record TokenCheck(Identity? Identity, string? Refusal)
{
    public static TokenCheck Refused(string why) => new(null, why);
}
