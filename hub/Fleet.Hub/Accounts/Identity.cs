namespace Fleet.Hub.Accounts;

/// <summary>Who a valid token belongs to.</summary>
internal sealed record Identity(string Account, string Role, string TokenName);
