using Microsoft.AspNetCore.Identity;

namespace Fleet.Hub.Accounts;

/// <summary>Identity's user manager for one unit of work (it and its store's context are scoped services).</summary>
internal sealed class UserSession(IAsyncDisposable scope, UserManager<HubUser> users) : IAsyncDisposable
{
    public UserManager<HubUser> Users => users;

    public ValueTask DisposeAsync() => scope.DisposeAsync();
}

/// <summary>Opens a <see cref="UserSession"/>; built by the composition root (<see cref="AccountsServices"/>).</summary>
internal delegate UserSession OpenUserSession();
