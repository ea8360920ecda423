using Microsoft.AspNetCore.Identity;

namespace Fleet.Hub.Accounts;

/// <summary>One person or machine: an Identity user (name, optional password hash, security stamp) with one hub role,
/// a disabled flag, and any number of API tokens. A user without a password cannot sign in to the UI; a user
/// without tokens cannot use the API. A disabled user can do neither.</summary>
internal sealed class HubUser : IdentityUser
{
    public string Role { get; set; } = "";

    public bool Disabled { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public List<ApiToken> Tokens { get; set; } = [];
}
