using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;

namespace Fleet.Hub.Accounts.SignIn;

/// <summary>A Blazor circuit keeps the principal it signed in with for as long as the page is open; every 30 s this
/// checks it against the account directory as <see cref="AccountDirectory.AuthorizeSignedInAsync"/> does (the user's
/// id, its security stamp, not disabled). When it no longer holds, the circuit's user becomes anonymous and its pages
/// stop showing anything: a user disabled, deleted or changed since sign-in stops reading too, not just acting.</summary>
internal sealed class SessionRevalidation(ILoggerFactory logs, AccountDirectory accounts) : RevalidatingServerAuthenticationStateProvider(logs)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromSeconds(30);

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken) =>
        (await accounts.AuthorizeSignedInAsync(authenticationState.User, HubAction.ViewFleet, "session", auditRefusal: false, cancellationToken)).Ok;
}
