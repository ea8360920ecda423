namespace Fleet.Hub.Api;

/// <summary>The caller of GET /whoami: account name and every role it holds.</summary>
internal sealed record WhoAmI(string Name, IReadOnlyList<string> Roles);
